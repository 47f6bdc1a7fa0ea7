"""A person's own records: anyone else's id answers exactly like an id that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from vault import Vault
from vault.errors import NotFound as Missing
from vault.grants import Grant
from vault.offers import Offer
from vault.requests import AccessRequest

from .errors import NotFound

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


def own_grant(vault: Vault, person_id: str, grant_id: str) -> Grant:
    return owned(vault.agreements.grants.get, person_id, grant_id, "connection")


def own_request(vault: Vault, person_id: str, request_id: str) -> AccessRequest:
    return owned(vault.agreements.requests.get, person_id, request_id, "request")


def own_offer(vault: Vault, person_id: str, offer_id: str) -> Offer:
    return owned(vault.agreements.offers.get, person_id, offer_id, "offer")


def own_vendor(vault: Vault, person_id: str, client_id: str) -> list[Grant]:
    """Every agreement (live or ended) the person has with one vendor; none is a 404."""
    grants = [gr for gr in vault.agreements.grants.for_person(person_id)
              if gr.client_id == client_id]
    if not grants:
        raise NotFound("You have no connection with this vendor.")
    return grants
