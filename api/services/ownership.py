"""A person's own records: anyone else's id answers exactly like an id that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from vault.errors import NotFound as Missing

from ..errors import NotFound
from ..store import get_vault

T = TypeVar("T")


def owned(load: Callable[[str], T], person_id: str, ident: str, what: str) -> T:
    """`load(ident)` if it belongs to the person, else the same 404 as for no record at all."""
    try:
        record = load(ident)
    except Missing:
        record = None
    if record is None or record.person_id != person_id:
        raise NotFound(f"You have no such {what}.")
    return record


def own_grant(person_id: str, grant_id: str):
    return owned(get_vault().agreements.grants.get, person_id, grant_id, "connection")


def own_request(person_id: str, request_id: str):
    return owned(get_vault().agreements.requests.get, person_id, request_id, "request")


def own_offer(person_id: str, offer_id: str):
    return owned(get_vault().agreements.offers.get, person_id, offer_id, "offer")


def own_vendor(person_id: str, client_id: str) -> list:
    """Every agreement (live or ended) the person has with one vendor; none is a 404."""
    grants = [gr for gr in get_vault().agreements.grants.for_person(person_id)
              if gr.client_id == client_id]
    if not grants:
        raise NotFound("You have no connection with this vendor.")
    return grants
