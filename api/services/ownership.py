"""A person's or a vendor's own records: anyone else's id answers exactly like an id that does
not exist. The views read agreements, requests and offers through here, never the stores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from vault import Vault
from vault.errors import NotFound as Missing
from vault.grants import Grant
from vault.offers import Offer
from vault.requests import AccessRequest

from .errors import NotFound


class Owned(Protocol):
    @property
    def person_id(self) -> str: ...


T = TypeVar("T", bound=Owned)


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


def grants_of(vault: Vault, person_id: str) -> list[Grant]:
    """Every agreement of the person, live or ended."""
    return vault.agreements.grants.for_person(person_id)


def requests_of(vault: Vault, person_id: str, status: str | None = None) -> list[AccessRequest]:
    """The person's access requests (all, or those of one status such as `pending`)."""
    return vault.agreements.requests.for_person(person_id, status)


def offers_of(vault: Vault, person_id: str, status: str | None = None) -> list[Offer]:
    """The offers made to the person (all, or those of one status)."""
    return vault.agreements.offers.for_person(person_id, status)


def vendor_grants(vault: Vault, client_id: str) -> list[Grant]:
    """Every agreement a vendor holds, live or ended."""
    return vault.agreements.grants.for_client(client_id)


def vendors_own(find, ident: str, client_id: str, what: str):
    """`find(ident)` when it is this vendor's; anyone else's is the same 404 as none at all."""
    try:
        item = find(ident)
    except Missing:
        item = None
    if item is None or item.client_id != client_id:
        raise NotFound(f"There is no such {what} of yours.")
    return item


def vendor_grant(vault: Vault, client_id: str, grant_id: str) -> Grant:
    """One of the vendor's own agreements."""
    grant: Grant = vendors_own(vault.agreements.grants.get, grant_id, client_id, "agreement")
    return grant


def vendor_offer(vault: Vault, client_id: str, offer_id: str) -> Offer:
    """One of the vendor's own offers."""
    offer: Offer = vendors_own(vault.agreements.offers.get, offer_id, client_id, "offer")
    return offer


def vendor_offers(vault: Vault, client_id: str) -> list[Offer]:
    """The offers a vendor made, whatever became of them."""
    return vault.agreements.offers.for_client(client_id)


def own_vendor(vault: Vault, person_id: str, client_id: str) -> list[Grant]:
    """Every agreement (live or ended) the person has with one vendor; none is a 404."""
    grants = [gr for gr in vault.agreements.grants.for_person(person_id)
              if gr.client_id == client_id]
    if not grants:
        raise NotFound("You have no connection with this vendor.")
    return grants
