"""Which intents a vendor may see, under which handle, and what it sees of them.

The rule (docs/api.md, "Intent search"): an intent is shown to vendor V when it is `shown` and
live (`active` and not past its end date: `policies.offers.intent_live`), V is not on its
owner's offer blocklist, and the owner's *current* terms PERMIT (not
ask: nobody is there to ask) this request: V, purpose `SellProductsToDataSubject`, category
`preferences.intentions`, kept at most 30 days, not shared, answering an intent. The standard
agreement `PDC-INTENT` (alias `intent-casting`) permits exactly that; default terms (ask) show
nothing.

Each vendor sees an intent under its own handle, HMAC-SHA256(server key, intent id | client id),
so two vendors cannot join their lists and no intent or person id leaves the server. Cost: the
`intents_visible (visibility, status)` index narrows the rows to shown, active intents without
opening any; then one HMAC per such intent (microseconds), one terms decision per owner (terms
compiled once per version and cached) and one decryption per intent only for owners whose terms
permit, until the page is full: O(shown intents) hashing plus O(page) decryptions per call.
The end date is sealed with the intent, so one past its end is opened, then skipped.
"""

from __future__ import annotations

import bisect
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from policies import Effect, evaluate
from policies.model import Request, Vendor
from policies.offers import intent_live
from vault import Vault
from vault.intents import Intent

from . import judge

PURPOSE = "SellProductsToDataSubject"
CATEGORY = "preferences.intentions"
RETENTION_DAYS = 30


@dataclass(frozen=True, kw_only=True)
class Found:
    """An intent the vendor may see, with its handle and the owner's permitting reasons."""

    handle: str
    intent: Intent
    reasons: tuple[dict, ...]


class Search:
    """One vendor's view of the shown intents at one moment (a request's worth of work)."""

    def __init__(self, vault: Vault, vendor: Vendor, at: datetime) -> None:
        self.vault, self.vendor, self.at = vault, vendor, at
        self.verdicts: dict[str, tuple[dict, ...] | None] = {}

    def handle(self, intent_id: str) -> str:
        return self.vault.pseudonyms.intent_handle(intent_id, self.vendor.id, self.at)

    def permits(self, person_id: str) -> tuple[dict, ...] | None:
        """The permitting reasons when the owner's current terms let this vendor see intents."""
        if person_id not in self.verdicts:
            compiled = judge.current_terms(self.vault, person_id)
            verdict = None
            if self.vendor.id not in compiled.terms.offers.blocklist:
                request = Request(vendor=self.vendor, purpose=PURPOSE, categories=(CATEGORY,),
                                  retention_days=RETENTION_DAYS, third_party_sharing=False,
                                  intent="search", time=self.at)
                decision = evaluate(compiled, request, self.at)
                if decision.effect is Effect.PERMIT:
                    verdict = tuple(r.to_dict() for r in decision.reasons)
            self.verdicts[person_id] = verdict
        return self.verdicts[person_id]

    def _ordered(self) -> list[tuple[str, str, str]]:
        """(handle, intent id, person id) of every shown, active intent, by handle."""
        rows = self.vault.agreements.offers.visible_intents()
        return sorted((self.handle(iid), iid, pid) for iid, pid in rows)

    def _open(self, handle: str, intent_id: str, person_id: str) -> Found | None:
        reasons = self.permits(person_id)
        if reasons is None:
            return None
        intent = self.vault.get_intent(person_id, intent_id)
        if intent.visibility != "shown" or not intent_live(intent.status,
                                                           intent.data.get("ends"), self.at):
            return None  # changed since the index was read, or past its end date
        return Found(handle=handle, intent=intent, reasons=reasons)

    def after(self, cursor: str | None) -> Iterator[tuple[Found, bool]]:
        """Visible intents after `cursor` in handle order, each with 'more may follow'."""
        rows = self._ordered()
        start = bisect.bisect_right(rows, (cursor, "\uffff", "")) if cursor else 0
        for i in range(start, len(rows)):
            found = self._open(*rows[i])
            if found is not None:
                yield found, i + 1 < len(rows)

    def find(self, handle: str) -> Found | None:
        """The intent behind one of this vendor's handles, if the vendor may still see it."""
        for iid, pid in self.vault.agreements.offers.visible_intents():
            candidate = self.handle(iid)
            if hmac.compare_digest(candidate.encode(), handle.encode()):  # any text, no TypeError
                return self._open(candidate, iid, pid)
        return None


def within(category: str, wanted: str) -> bool:
    """`vehicles.cars` lies within `vehicles`; the same category matches itself."""
    return category == wanted or category.startswith(wanted + ".")


def public_view(found: Found) -> dict:
    """What the vendor sees: the intent, pseudonymous, with no contact data or person id."""
    data = found.intent.data
    return {"id": found.handle, "category": data.get("category"), "text": data.get("text"),
            "budget": data.get("budget"), "currency": data.get("currency"),
            "window": {"starts": data.get("starts"), "ends": data.get("ends")},
            "region": data.get("region"), "constraints": list(data.get("constraints") or []),
            "offers": f"/api/v1/intents/{found.handle}/offers"}
