"""Pairwise pseudonymous subjects, one per vendor: kept by the vault (vault/pseudonyms.py)."""

from __future__ import annotations

from datetime import datetime

from vault import Vault


def pairwise_subject(vault: Vault, person_id: str, sector: str, now: datetime) -> str:
    """The person's identifier as one vendor (sector) sees it."""
    return vault.pseudonyms.subject(person_id, sector, now)


def person_for_subject(vault: Vault, subject: str, sector: str, person_ids: list[str],
                       now: datetime) -> str | None:
    """Find the person behind a vendor's subject among candidates (e.g. an agreement's)."""
    return vault.pseudonyms.person_for(subject, sector, person_ids, now)
