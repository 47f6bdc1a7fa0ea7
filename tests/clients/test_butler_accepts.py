"""The butler's reading of a vendor's published accepts (issue 12), without a server."""

from __future__ import annotations

import re
from pathlib import Path

from clients.butler.accepts import NOT_ACCEPTED, Published, missing, reason
from vault.negotiations import STATUSES

ROOT = Path(__file__).resolve().parents[2]


def test_a_published_list_leaving_out_an_adopted_agreement_is_named():
    doc = {"accepts": ["service-delivery-only"], "published": True}
    assert missing(["SD-BASE", "intent-casting"], doc) == ["PDC-INTENT"]
    assert missing(["SD-BASE"], doc) == []  # aliases count as the stable id
    assert missing(["SD-BASE"], {"accepts": [], "published": True}) == ["SD-BASE"]


def test_a_vendor_that_published_nothing_is_not_filtered_on_this_ground():
    assert missing(["SD-BASE"], {"accepts": None, "published": False}) == []
    assert missing(["SD-BASE"], {}) == []


def test_each_document_is_fetched_once_and_the_reason_is_plain():
    calls: list[str] = []
    cache = Published(lambda cid: calls.append(cid) or {"accepts": [], "published": True})
    cache.document("a"), cache.document("a"), cache.document("b")
    assert calls == ["a", "b"]
    said = reason("FastCars", ["SD-BASE", "PDC-INTENT"])
    assert said == {"code": "offer.agreements_not_accepted",
                    "text": "FastCars does not accept your standard agreements: "
                            "SD-BASE, PDC-INTENT"}


def test_the_offers_page_knows_the_reason_to_translate_it():
    assert f'T_("{NOT_ACCEPTED}")' in (ROOT / "api/web/pages.py").read_text()


def test_the_documented_negotiation_statuses_are_the_ones_used():
    doc = (ROOT / "docs/agreements.md").read_text()
    table = doc.split("## Statuses", 1)[1].split("## ", 1)[0]
    assert tuple(re.findall(r"^\| `([^`]+)` \|", table, re.M)) == STATUSES


class _Person:
    """Just enough of PersonClient for one offer from a vendor whose document is gone."""

    def __init__(self, fetch) -> None:
        self.vendor_accepts, self.decided = fetch, []

    def terms(self):
        from policies.agreements import adopt
        return {"version": 1, "terms": adopt({"default": "ask", "rules": []}, "SD-BASE")}

    def offers(self, status="received"):
        return [{"id": "off_1", "client_id": "cus_gone", "category": "vehicles",
                 "vendor": {"id": "cus_gone", "name": "Gone"}, "intent": "int_1",
                 "created_at": "2026-12-01T10:00:00+00:00"}]

    def intents(self):
        return [{"id": "int_1", "data": {"category": "vehicles"}, "status": "active"}]

    def decide_offer(self, *args):
        self.decided.append(args)

    def requests(self, status="pending"):
        return []


def test_an_unreadable_document_leaves_the_offer_and_a_dead_server_fails_the_pass():
    import pytest

    from clients.butler import Butler
    from clients.sdk import NotFound, ServerUnavailable

    def gone(client_id):
        raise NotFound("There is no such vendor.")

    person = _Person(gone)
    [left] = Butler(person, say=lambda line: None).run_once()
    assert left.verdict == "leave" and person.decided == []
    assert "could not be read" in left.reasons[0]["text"]

    def down(client_id):
        raise ServerUnavailable("cannot reach it")

    with pytest.raises(ServerUnavailable):
        Butler(_Person(down), say=lambda line: None).run_once()
