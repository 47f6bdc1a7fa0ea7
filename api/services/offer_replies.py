"""Answering an offer: accept it (one step: a short agreement limited to what the vendor needs
to fulfil it, which the person may narrow, and a reply channel), decline it, or write in its
channel. Messages pass through Custos under the vendor's handle; her email never leaves.

Flask-free: the vault, the clock (`now`) and the issuer are arguments. Each of her entries
is also a signed notice to the vendor (through the outbox, no text in it: the vendor reads the
thread with its token).
"""

from __future__ import annotations

from datetime import datetime

from policies.offers import intent_live
from vault import Vault
from vault.errors import NotFound
from vault.messages import ACCEPTED, DECLINED, MESSAGE, PERSON, VENDOR, Message
from vault.offers import DELIVERED, Offer

from . import mandates
from .agreements import make_agreement
from .details import DataAccess
from .signing import sign

PURPOSE = "ServiceProvision"  # what an accepted offer's agreement is for: fulfilling it
MAX_DAYS, DEFAULT_DAYS = 90, 30
MAX_TEXT = 2000


class ReplyRefused(ValueError):
    """Not possible now, or bad input; `field` names what to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def thread(vault: Vault, offer: Offer) -> list[Message]:
    """The offer's channel, oldest entry first."""
    return vault.agreements.messages.thread(offer.person_id, offer.id)


def answered(thread: list[Message]) -> str | None:
    """`accepted` or `declined` once the person answered the offer, else None."""
    return next((m.kind for m in thread if m.kind in (ACCEPTED, DECLINED)), None)


def needs(offer: Offer) -> list[str]:
    """The categories the vendor said it needs to fulfil the offer (it may need none)."""
    return list(offer.body.get("needs") or [])


def _open_for_answer(vault: Vault, offer: Offer, now: datetime) -> list[Message]:
    if offer.status != DELIVERED:
        raise ReplyRefused("offer", "Only an offer delivered to you can be accepted or declined.")
    thread = vault.agreements.messages.thread(offer.person_id, offer.id)
    if answered(thread):
        raise ReplyRefused("offer", f"You already {answered(thread)} this offer.")
    return thread


def accept(vault: Vault, now: datetime, offer: Offer, *, categories: list[str],
           duration_days: int, issuer: str) -> Message:
    """Accept: the agreement (only categories the vendor named, at most MAX_DAYS) and the
    `accepted` entry that opens the channel, in one transaction."""
    _open_for_answer(vault, offer, now)
    until = offer.body.get("valid_until")
    if until and datetime.fromisoformat(until) <= now:
        raise ReplyRefused("offer", "This offer has expired.")
    try:
        intent = vault.get_intent(offer.person_id, offer.intent_id)
    except NotFound:
        raise ReplyRefused("offer", "The intent this offer answers is gone.") from None
    if not intent_live(intent.status, intent.data.get("ends"), now):
        raise ReplyRefused("offer", "The intent this offer answers has ended.")
    extra = [c for c in categories if c not in needs(offer)]
    if extra:
        raise ReplyRefused("category", "You can only give what the vendor said it needs.")
    if not 1 <= duration_days <= MAX_DAYS:
        raise ReplyRefused("days", f"Choose from 1 to {MAX_DAYS} days.")
    with vault.transaction("write"):
        grant = None
        if categories:
            access = DataAccess(purpose=PURPOSE, categories=tuple(categories),
                                retention_days=duration_days, duration_days=duration_days,
                                intent=offer.intent_id)
            version = vault.agreements.terms.current_version(offer.person_id)
            grant = make_agreement(vault, offer.person_id, offer.client_id, access,
                                   decided_by="person", terms_version=version, now=now,
                                   issuer=issuer, actor=mandates.PERSON)  # her own answer
        entry = vault.agreements.messages.add(
            offer_id=offer.id, person_id=offer.person_id, client_id=offer.client_id,
            sender=PERSON, kind=ACCEPTED, text="", agreement=grant.id if grant else None,
            now=now)
        _tell(vault, now, offer, entry, issuer)
    return entry


def decline(vault: Vault, now: datetime, offer: Offer, *, issuer: str) -> Message:
    """Decline: the vendor is told; the channel stays readable but takes no more messages."""
    _open_for_answer(vault, offer, now)
    with vault.transaction("write"):
        entry = vault.agreements.messages.add(
            offer_id=offer.id, person_id=offer.person_id, client_id=offer.client_id,
            sender=PERSON, kind=DECLINED, text="", now=now)
        _tell(vault, now, offer, entry, issuer)
    return entry


def send(vault: Vault, now: datetime, offer: Offer, *, sender: str, text: object,
         issuer: str) -> Message:
    """A message in the offer's channel. The person may ask about a delivered offer at any
    time before declining it; the vendor may write once she has written or accepted."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise ReplyRefused("text", f"Write a message of 1 to {MAX_TEXT} characters.")
    thread = vault.agreements.messages.thread(offer.person_id, offer.id)
    if answered(thread) == DECLINED:
        raise ReplyRefused("offer", "This offer was declined; its channel is closed.")
    if sender == PERSON and offer.status != DELIVERED:
        raise ReplyRefused("offer", "Only an offer delivered to you has a channel.")
    if sender == VENDOR and not any(m.sender == PERSON for m in thread):
        raise ReplyRefused("offer", "The person has not opened a channel for this offer.")
    with vault.transaction("write"):
        entry = vault.agreements.messages.add(
            offer_id=offer.id, person_id=offer.person_id, client_id=offer.client_id,
            sender=sender, kind=MESSAGE, text=text.strip(), now=now)
        if sender == PERSON:
            _tell(vault, now, offer, entry, issuer)
    return entry


def _tell(vault: Vault, now: datetime, offer: Offer, entry: Message, issuer: str) -> None:
    """A signed notice to the vendor that the person answered or wrote (no text in it)."""
    client = vault.agreements.clients.find(offer.client_id)
    url = client.metadata.get("custos_notification_uri") if client else None
    if not url:
        return
    notice = {"iss": issuer, "aud": offer.client_id, "iat": int(now.timestamp()),
              "type": f"offer_{entry.kind}", "offer": offer.id,
              "agreement": entry.agreement,
              "href": f"{issuer}/api/v1/offers/{offer.id}/messages"}
    vault.agreements.outbox.add(offer.client_id, url, sign(vault, notice, now, "notice+jwt"), now)
