"""Accepting an offer over real servers: one step makes a short agreement limited to what the
vendor needs (narrowed by the person) and opens a reply channel; messages pass through
Custos without her email; declining closes the channel; each answer is a signed notice."""

from __future__ import annotations

import re

import pytest

from clients.sdk import InvalidRequest, NotFound
from tests.clients.test_intentcast import BIKE, CASTING, _deliver, _vendor, hook  # noqa: F401

EMAIL = "ada@example.org"


def _offer(app, clock, browser, vendor, needs: list[str], text: str) -> str:
    """The vendor answers Ada's intent; Ada delivers the offer to herself."""
    [found] = vendor.search_intents("vehicles")
    offer_id = vendor.submit_offer(found.id, category="vehicles", price="2490",
                                   currency="EUR", text=text, needs=needs).id
    assert browser.form(f"/offers/{offer_id}", {"decision": "deliver"},
                        page="/offers?status=received").is_redirect
    return offer_id


def _page(browser, path: str) -> str:
    return browser.session.get(browser.base + path, timeout=10).text


def test_accept_makes_a_narrow_agreement_and_a_channel(app, server, clock, browser,
                                                       transport, hook):  # noqa: F811
    app.extensions["custos.vault"].agreements.terms.save(browser.person_id, CASTING, clock())
    green = _vendor(server, transport, hook, "GreenWheels")
    browser.form("/intents", BIKE)
    offer = _offer(app, clock, browser, green, ["identity.name", "address.city"], "Lumo 7")

    with pytest.raises(InvalidRequest) as closed:  # she has not opened the channel
        green.send_message(offer, "Hello")
    assert "offer" in closed.value.fields

    asked = browser.form(f"/offers/{offer}/messages", {"text": "Does it fit two children?"},
                         page=f"/offers/{offer}/thread")
    assert asked.is_redirect
    thread = green.messages(offer)
    assert thread["answer"] is None
    assert [(m["from"], m["text"]) for m in thread["messages"]] == [
        ("person", "Does it fit two children?")]
    green.send_message(offer, "Yes, two seats with belts.")
    assert "Yes, two seats with belts." in _page(browser, f"/offers/{offer}/thread")

    accepted = browser.form(f"/offers/{offer}/accept",  # she gives the city, not her name
                            {"category": ["address.city"], "days": "30"},
                            page=f"/offers/{offer}/thread")
    assert accepted.is_redirect
    thread = green.messages(offer)
    assert thread["answer"] == "accepted"
    agreement = thread["messages"][-1]["agreement"]
    assert green.accept(agreement)["status"] == "accepted"  # she proffers intent casting
    data = green.agreement_data(agreement)
    assert data.values("address.city") == ["London"] and data.values("identity.name") == []
    [mine] = [a for a in green.agreements() if a.id == agreement]
    assert list(mine.raw["categories"]) == ["address.city"]
    again = browser.form(f"/offers/{offer}/accept", {"category": ["address.city"],
                                                    "days": "30"},
                         page=f"/offers/{offer}/thread")
    assert again.status_code == 400 and "already accepted" in again.text

    assert _deliver(app, server, clock) == {"delivered": 2, "failed": 0}
    notices = hook.received["GreenWheels"]
    assert [n["type"] for n in notices] == ["offer_message", "offer_accepted"]
    assert notices[1]["agreement"] == agreement
    everything = str(thread) + str(notices)
    assert EMAIL not in everything and "Does it fit" not in str(notices)


def test_decline_closes_the_channel_and_narrowing_never_widens(app, server, clock, browser,
                                                               transport, hook):  # noqa: F811
    app.extensions["custos.vault"].agreements.terms.save(browser.person_id, CASTING, clock())
    green = _vendor(server, transport, hook, "GreenWheels")
    browser.form("/intents", BIKE)
    offer = _offer(app, clock, browser, green, ["address.city"], "Lumo 7")
    wider = browser.form(f"/offers/{offer}/accept", {"category": ["contact.email"],
                                                    "days": "30"},
                         page=f"/offers/{offer}/thread")
    assert wider.status_code == 400 and "only give what the vendor said it needs" in wider.text
    assert green.agreements() == []
    assert browser.form(f"/offers/{offer}/decline", {},
                        page=f"/offers/{offer}/thread").is_redirect
    assert green.messages(offer)["answer"] == "declined"
    with pytest.raises(InvalidRequest):
        green.send_message(offer, "But...")
    late = browser.form(f"/offers/{offer}/messages", {"text": "Sorry"},
                        page=f"/offers/{offer}/thread")
    assert late.status_code == 400 and re.search(r"declined", late.text)
    other = _vendor(server, transport, hook, "PedalCo")
    with pytest.raises(NotFound):  # another vendor's offer is nothing to this one
        other.messages(offer)
