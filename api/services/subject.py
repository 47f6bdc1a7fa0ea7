"""Pairwise pseudonymous subjects, one per vendor: now kept by the vault (vault/pseudonyms.py).

A thin shim for the callers in `api/oauth/` that still import it from here.
"""

from __future__ import annotations

from ..clock import now
from ..store import get_vault


def pairwise_subject(person_id: str, sector: str) -> str:
    """The person's identifier as one vendor (sector) sees it."""
    return get_vault().pseudonyms.subject(person_id, sector, now())


def person_for_subject(subject: str, sector: str, person_ids: list[str]) -> str | None:
    """Find the person behind a vendor's subject among candidates (e.g. an agreement's)."""
    return get_vault().pseudonyms.person_for(subject, sector, person_ids, now())
