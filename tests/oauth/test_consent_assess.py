"""The authorization endpoint's decision without HTTP: `services.consent.assess` and `answer`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.services.consent import Outcome, answer, assess
from api.services.details import DataAccess
from policies import Vendor, load_terms
from policies.compile import compile_terms

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
VENDOR = Vendor(id="acme", jurisdiction="DE", certifications=frozenset(),
                verified_certifications=frozenset())
ASK = {"default": "ask", "rules": []}
PERMIT = {"default": "ask", "rules": [{"id": "service", "effect": "permit",
                                       "purposes": ["ServiceProvision"],
                                       "categories": ["contact", "address"]}]}
NO_EMAIL = {"default": "ask", "rules": [{"id": "no-email", "effect": "deny",
                                         "categories": ["contact.email"]}]}


def _access(*categories: str, days: int = 30) -> DataAccess:
    return DataAccess(purpose="ServiceProvision", categories=categories, retention_days=30,
                      duration_days=days)


def _assess(terms: dict, access: DataAccess):
    return assess(compile_terms(load_terms(terms, version=3)), VENDOR, access, NOW)


@pytest.mark.parametrize(("terms", "categories", "outcome", "allowed"), [
    (ASK, ("contact.email",), Outcome.ASK, ["contact.email"]),
    ({"default": "deny", "rules": []}, ("contact.email",), Outcome.REFUSE, []),
    (NO_EMAIL, ("contact.email", "address.city"), Outcome.ASK, ["address.city"]),
    (PERMIT, ("contact.email",), Outcome.ASK, ["contact.email"]),  # permitted, but no auto
    ({**PERMIT, "auto_approve": True}, ("contact.email",), Outcome.APPROVE, ["contact.email"]),
    ({**PERMIT, "auto_approve": True}, ("contact.email", "financial.income"), Outcome.ASK,
     ["contact.email", "financial.income"]),
    ({**PERMIT, "auto_approve": True}, (), Outcome.ASK, []),  # only `person`: always asked
])
def test_the_terms_refuse_approve_or_ask(terms, categories, outcome, allowed):
    seen = _assess(terms, _access(*categories))
    assert (seen.outcome, seen.allowed, seen.terms_version) == (outcome, allowed, 3)


def test_a_refusal_gives_the_deny_reasons_in_words():
    seen = _assess({"default": "ask", "rules": [{"id": "no-contact", "effect": "deny",
                                                  "categories": ["contact"]}]},
                   _access("contact.email"))
    assert seen.outcome is Outcome.REFUSE and seen.refusal
    assert seen.refusal == " ".join(r.text for r in seen.decision.reasons)


@pytest.mark.parametrize(("decision", "categories", "days", "expected"), [
    ("approve", ["contact.email", "address.city"], "30", (("address.city",), 30)),  # no email
    ("approve", ["address.city"], "7", (("address.city",), 7)),
    ("approve", ["address.city", "financial.income"], None, (("address.city",), 30)),  # not asked
    ("approve", ["contact.email"], "0", None),  # denied by the terms: nothing left to approve
    ("approve", ["address.city"], "400", (("address.city",), 30)),  # never longer than asked
    ("approve", ["address.city"], "-3", (("address.city",), 1)),  # at least a day
    ("approve", ["address.city"], "soon", (("address.city",), 30)),  # unreadable: as asked
    ("deny", ["address.city"], "7", None),
    (None, ["address.city"], "7", None),
    ("approve", [], "7", None),
])
def test_the_person_approves_within_what_the_terms_allow(decision, categories, days, expected):
    seen = _assess(NO_EMAIL, _access("contact.email", "address.city"))
    got = answer(seen, decision, categories, days)
    assert (got if got is None else (got.categories, got.duration_days)) == expected
