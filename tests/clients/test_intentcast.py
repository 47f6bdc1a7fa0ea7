"""Intentcast over real servers: vendors subscribe to intent categories and regions, and a new
matching intent reaches them as a signed webhook through the outbox (verified by the SDK's
Flask helper on a vendor server of its own), under each vendor's own handle; none for a
non-matching, hidden or terms-refused intent."""

from __future__ import annotations

import pytest
from flask import Flask

from api.cli.loopback import Browser, serving
from clients.sdk import InvalidRequest, NotFound, VendorClient
from clients.sdk.myterms import new_key
from clients.sdk.webhook import notification_view
from policies.agreements import adopt
from tests.clients.conftest import PASSWORD, REDIRECT
from tests.conftest import configure

CASTING = adopt({"default": "ask", "rules": []}, "intent-casting")
BIKE = {"category": "vehicles", "text": "A cargo bike for two children", "budget": "3000",
        "currency": "EUR", "region": "Berlin", "visibility": "shown"}


def _deliver(app, server, clock) -> dict:
    from api.services.notify import deliver_due

    configure(app, issuer=server)  # a loopback server: loopback notices are allowed
    return deliver_due(app.extensions["custos.vault"], clock.now, issuer=server)


@pytest.fixture
def hook():
    """A vendor's own web server, receiving notices into `received[client_name]`."""
    app = Flask("vendor-hooks")
    with serving(app) as base:
        app.received = {}
        app.base = base
        yield app


def _vendor(server, transport, hook, name: str) -> VendorClient:
    vendor = VendorClient.register(server, client_name=name, redirect_uris=[REDIRECT],
                                   notification_uri=f"{hook.base}/{name}", transport=transport,
                                   signing_key=new_key())  # to sign the proffered agreements
    got = hook.received.setdefault(name, [])
    hook.add_url_rule(f"/{name}", endpoint=name, methods=["POST"],
                      view_func=notification_view(vendor, got.append))
    return vendor


def test_a_matching_intent_is_pushed_to_subscribers_only(app, server, clock, browser,
                                                          transport, hook):
    app.extensions["custos.vault"].agreements.terms.save(browser.person_id, CASTING, clock())
    green = _vendor(server, transport, hook, "GreenWheels")
    travel = _vendor(server, transport, hook, "FarAway")
    munich = _vendor(server, transport, hook, "MunichBikes")
    assert green.subscribe(["vehicles"], ["berlin "]) == {
        "categories": ["vehicles"], "regions": ["berlin "], "updated_at": clock.now.isoformat()}
    travel.subscribe(["travel"])  # another category
    munich.subscribe(["vehicles"], ["Munich"])  # another region

    assert browser.form("/intents", BIKE).is_redirect
    assert browser.form("/intents", {**BIKE, "text": "A hidden wish",
                                     "visibility": "hidden"}).is_redirect
    assert _deliver(app, server, clock) == {"delivered": 1, "failed": 0}
    assert hook.received["FarAway"] == [] and hook.received["MunichBikes"] == []
    [notice] = hook.received["GreenWheels"]  # verified: signature, issuer, audience
    assert notice["type"] == "intent_matched" and notice["category"] == "vehicles"
    assert BIKE["text"] not in str(notice) and "Berlin" not in str(notice)
    intent = green.intent(notice["intent"])  # read under the handle, judged again
    assert intent["text"] == BIKE["text"] and intent["region"] == "Berlin"
    assert [i.id for i in green.search_intents("vehicles")] == [notice["intent"]]
    with pytest.raises(NotFound):  # another vendor's handle is nothing to this one
        travel.intent(notice["intent"])

    hidden = [i for i in app.extensions["custos.vault"].list_intents(browser.person_id)
              if i.visibility == "hidden"][0]
    shown = browser.form(f"/intents/{hidden.id}", {**BIKE, "text": "A hidden wish"})
    assert shown.is_redirect  # now shown: a new intent for vendors, told once
    assert _deliver(app, server, clock) == {"delivered": 1, "failed": 0}
    assert len(hook.received["GreenWheels"]) == 2
    browser.form(f"/intents/{hidden.id}", {**BIKE, "text": "Edited, still shown"})
    assert _deliver(app, server, clock) == {"delivered": 0, "failed": 0}  # not again


def test_terms_that_refuse_and_unsubscribing_tell_nobody(app, server, clock, browser,
                                                        transport, hook):
    green = _vendor(server, transport, hook, "GreenWheels")
    green.subscribe(["vehicles"])
    browser.form("/intents", BIKE)  # Ada's default terms ask: nobody is there to ask
    bob = Browser(server)
    bob.signup("bob@example.org", PASSWORD)
    bob_id = app.extensions["custos.vault"].find_person_by_email("bob@example.org").id
    app.extensions["custos.vault"].agreements.terms.save(
        bob_id, adopt({"default": "ask", "rules": [], "offers": {
            "blocklist": [green.client_id]}}, "intent-casting"), clock())
    bob.form("/intents", BIKE)  # Bob's terms block GreenWheels
    assert _deliver(app, server, clock) == {"delivered": 0, "failed": 0}
    assert hook.received["GreenWheels"] == []

    green.unsubscribe()
    app.extensions["custos.vault"].agreements.terms.save(browser.person_id, CASTING, clock())
    browser.form("/intents", {**BIKE, "text": "Another bike"})
    assert _deliver(app, server, clock) == {"delivered": 0, "failed": 0}


def test_a_subscription_needs_a_webhook_and_valid_categories(server, transport):
    silent = VendorClient.register(server, client_name="Silent", redirect_uris=[REDIRECT],
                                   transport=transport)
    with pytest.raises(InvalidRequest) as no_hook:
        silent.subscribe(["vehicles"])
    assert "custos_notification_uri" in no_hook.value.fields
    with pytest.raises(InvalidRequest) as bad:
        silent.subscribe(["Vehicles!"])
    assert "categories" in bad.value.fields


def test_found_it_tells_every_vendor_that_answered(app, server, clock, browser, transport,
                                                    hook):
    app.extensions["custos.vault"].agreements.terms.save(browser.person_id, CASTING, clock())
    green = _vendor(server, transport, hook, "GreenWheels")
    rival = _vendor(server, transport, hook, "PedalCo")
    quiet = _vendor(server, transport, hook, "QuietBikes")
    browser.form("/intents", BIKE)
    handles = {}
    for vendor in (green, rival):
        [found] = vendor.search_intents("vehicles")
        vendor.submit_offer(found.id, category="vehicles", price="2490", currency="EUR",
                            text="Lumo 7 cargo bike")
        handles[vendor.client_id] = found.id
    assert quiet.search_intents("vehicles")  # saw it, never answered
    [intent] = app.extensions["custos.vault"].list_intents(browser.person_id)
    assert browser.form(f"/intents/{intent.id}/status", {"status": "fulfilled"},
                        page="/intents").is_redirect
    assert _deliver(app, server, clock) == {"delivered": 2, "failed": 0}
    for name, vendor in (("GreenWheels", green), ("PedalCo", rival)):
        [notice] = hook.received[name]
        assert notice["type"] == "intent_closed" and notice["status"] == "fulfilled"
        assert notice["intent"] == handles[vendor.client_id]
    assert hook.received["QuietBikes"] == []
    with pytest.raises(NotFound):
        green.intent(handles[green.client_id])
