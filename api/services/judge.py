"""The decision at the door: a vendor's request judged by the person's *current* terms.

Terms are stored sealed and versioned in the vault; a version never changes, so the parsed and
compiled terms are cached per (person, version) and each access only reads the version number.
A person who never saved terms gets DEFAULT_TERMS: every request is asked.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from common.lru import Lru
from policies import Decision, Effect, Vendor, evaluate, load_terms
from policies.compile import CompiledTerms, compile_terms
from policies.model import PASS_ON, Request
from vault import Vault
from vault.errors import NotFound
from vault.fields import Field
from vault.grants import Grant
from vault.terms import StoredTerms

from .details import DataAccess

DEFAULT_TERMS: dict = {"default": "ask", "rules": []}
#: about 56 KiB each for a 30-rule person: at most ~56 MiB (docs/benchmarks.md)
_CACHE: Lru[tuple[str, int], CompiledTerms] = Lru(1024)


def current_terms(vault: Vault, person_id: str) -> CompiledTerms:
    """The person's newest terms, compiled (version 0 is the default terms)."""
    version = vault.agreements.terms.current_version(person_id)
    return terms_version(vault, person_id, version)


def saved_terms(vault: Vault, person_id: str, version: int | None = None) -> StoredTerms | None:
    """The terms document the person saved (the newest, or one version); None before any."""
    return vault.agreements.terms.get(person_id, version)


def terms_version(vault: Vault, person_id: str, version: int) -> CompiledTerms:
    """One version of a person's terms, compiled, from the cache when possible."""
    key = (person_id, version)
    if (hit := _CACHE.get(key)) is not None:
        return hit
    if version == 0:
        compiled = compile_terms(load_terms(DEFAULT_TERMS, version=0))
    else:
        stored = vault.agreements.terms.get(person_id, version)
        if stored is None:  # a version the vault just named: gone only if the person was deleted
            raise NotFound("terms", str(version))
        compiled = compile_terms(load_terms(stored.body, version=stored.version))
    _CACHE.put(key, compiled)
    return compiled


def vendor_of(client_id: str, metadata: dict) -> Vendor:
    """The vendor's attributes: self-asserted ones, and those the operator verified."""
    verified = frozenset(metadata.get("custos_verified_certifications", []))
    return Vendor(id=client_id, jurisdiction=metadata.get("custos_jurisdiction"),
                  certifications=frozenset(metadata.get("custos_certifications", [])) | verified,
                  verified_certifications=verified)


def policy_request(vendor: Vendor, access: DataAccess | Grant, now: datetime,
                   counts: dict[str, int] | None = None) -> Request:
    """The engine's input for a request or for an agreement's next access."""
    return Request(vendor=vendor, purpose=access.purpose, categories=tuple(access.categories),
                   retention_days=access.retention_days,
                   third_party_sharing=access.third_party_sharing,
                   recipients=frozenset(access.recipients),
                   intent=getattr(access, "intent", None),
                   counts=tuple(sorted((counts or {}).items())), time=now)


def judge(compiled: CompiledTerms, vendor: Vendor, access: DataAccess | Grant,
          now: datetime, counts: dict[str, int] | None = None) -> Decision:
    """Evaluate a request or an agreement against compiled terms at `now`."""
    return evaluate(compiled, policy_request(vendor, access, now, counts), now)


def readable_fields(vault: Vault, compiled: CompiledTerms, vendor: Vendor, person_id: str,
                    access: DataAccess | Grant, now: datetime, *,
                    only: Collection[str] | None = None) -> list[Field]:
    """The fields a vendor may be given at all (its agreement and terms then decide): the
    person's own, the records this vendor added, and records *other* vendors added only where
    a permit rule of hers names `pass_on` for this vendor, purpose and category. With `only`,
    just the fields of those categories are opened (the others stay sealed)."""
    fields = (vault.list_fields(person_id) if only is None
              else vault.list_fields_in(person_id, only))
    foreign = sorted({f.category for f in fields if not f.readable_by(vendor.id)})
    passed: set[str] = set()
    if foreign:
        request = replace(policy_request(vendor, access, now), categories=tuple(foreign),
                          action=PASS_ON)
        decision = evaluate(compiled, request, now)
        passed = {c for c in foreign if decision.effects[c] is Effect.PERMIT}
    return [f for f in fields if f.readable_by(vendor.id) or f.category in passed]


def frequency_periods(compiled: CompiledTerms) -> frozenset[str]:
    """The periods the person's `frequency` rules count in (usually none: nothing to read)."""
    return frozenset(r.frequency[0] for r in compiled.rules if r.frequency is not None)


def reasons_for_person(decision: Decision, effect: str | None = None) -> list[dict]:
    """The reasons to show (all, or those of one effect), machine code and sentence."""
    return [r.to_dict() for r in decision.reasons if effect is None or r.effect.value == effect]
