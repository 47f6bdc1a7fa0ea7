"""Intentcast: vendors subscribe to intent categories (and regions) and are told of each new
matching intent by a signed webhook, through the outbox, instead of polling the search.

A vendor hears of an intent only when the search would show it to them at that moment (shown,
live, not blocklisted, and the owner's current terms PERMIT it: `intent_search.Search`), and
only under its own handle. The notice names the handle, the category and where to read the
intent (`GET /api/v1/intents/{handle}`, judged again then); it carries no text, budget or
region, so the outbox (plain, not sealed) holds nothing personal. Flask-free: the vault, the
clock (`now`) and the issuer are arguments.
"""

from __future__ import annotations

from datetime import datetime

from policies.offers import intent_live
from vault import Vault
from vault.intents import Intent
from vault.subscriptions import Subscription

from . import judge
from .intent_search import Search, within
from .signing import sign

NOTICE_TYPE = "notice+jwt"


def subscription(vault: Vault, client_id: str) -> Subscription | None:
    """The vendor's intent subscription, if it has one."""
    return vault.agreements.subscriptions.get(client_id)


def subscribe(vault: Vault, client_id: str, categories: list[str], regions: list[str], *,
              now: datetime) -> Subscription:
    """Replace the vendor's subscription (categories and regions once each, in order)."""
    return vault.agreements.subscriptions.put(
        client_id, list(dict.fromkeys(categories)), list(dict.fromkeys(regions)), now)


def unsubscribe(vault: Vault, client_id: str) -> None:
    """Drop the vendor's subscription (nothing happens without one)."""
    vault.agreements.subscriptions.drop(client_id)


def matches(subscription: Subscription, intent: Intent) -> bool:
    """The intent's category lies within a subscribed one, and its region is a subscribed one
    (compared without case or surrounding spaces; no regions subscribed: any region)."""
    category = str(intent.data.get("category") or "")
    if not any(within(category, wanted) for wanted in subscription.categories):
        return False
    if not subscription.regions:
        return True
    region = str(intent.data.get("region") or "").strip().casefold()
    return region in {r.strip().casefold() for r in subscription.regions}


def newly_visible(before: Intent | None, after: Intent, now: datetime) -> bool:
    """Whether vendors could not see the intent before this change and may now: new, or
    shown, or made active again. Other edits tell nobody twice."""
    def visible(i: Intent | None) -> bool:
        return i is not None and i.visibility == "shown" and \
            intent_live(i.status, i.data.get("ends"), now)
    return visible(after) and not visible(before)


def announce(vault: Vault, now: datetime, intent: Intent, *,
             issuer: str) -> list[str]:
    """Queue one signed notice per subscribed vendor allowed to see this intent now; the
    client ids told (none for a hidden, ended, non-matching or terms-refused intent)."""
    if intent.visibility != "shown" or not intent_live(intent.status, intent.data.get("ends"),
                                                       now):
        return []
    told = []
    for subscription in vault.agreements.subscriptions.all():
        if not matches(subscription, intent):
            continue
        client = vault.agreements.clients.find(subscription.client_id)
        url = client.metadata.get("custos_notification_uri") if client else None
        if client is None or not url:  # disabled, or no address to tell
            continue
        search = Search(vault, judge.vendor_of(client.client_id, client.metadata), now)
        if search.permits(intent.person_id) is None:
            continue  # the owner's terms do not let this vendor see intents
        handle = search.handle(intent.id)
        notice = {"iss": issuer, "aud": client.client_id, "iat": int(now.timestamp()),
                  "type": "intent_matched", "intent": handle,
                  "category": intent.data.get("category"),
                  "href": f"{issuer}/api/v1/intents/{handle}"}
        signed = sign(vault, notice, now, NOTICE_TYPE)
        vault.agreements.outbox.add(client.client_id, url, signed, now)
        told.append(client.client_id)
    return told


def closed(before: Intent, after: Intent) -> bool:
    """Whether this change closed an active intent: found it (fulfilled), or withdrawn."""
    return before.status == "active" and after.status in ("fulfilled", "withdrawn")


def announce_closed(vault: Vault, now: datetime, intent: Intent, *,
                    issuer: str) -> list[str]:
    """Tell every vendor that answered the intent with an offer that it is closed (one signed
    notice each, under its own handle, through the outbox); the client ids told."""
    answered = sorted({o.client_id for o in vault.agreements.offers.for_person(intent.person_id)
                       if o.intent_id == intent.id})
    told = []
    for client_id in answered:
        client = vault.agreements.clients.find(client_id)
        url = client.metadata.get("custos_notification_uri") if client else None
        if not url:
            continue
        handle = vault.pseudonyms.intent_handle(intent.id, client_id, now)
        notice = {"iss": issuer, "aud": client_id, "iat": int(now.timestamp()),
                  "type": "intent_closed", "intent": handle, "status": intent.status}
        vault.agreements.outbox.add(client_id, url, sign(vault, notice, now, NOTICE_TYPE), now)
        told.append(client_id)
    return told


def changed(vault: Vault, now: datetime, before: Intent | None, after: Intent, *,
            issuer: str) -> list[str]:
    """After any door adds or changes an intent (inside its transaction): tell subscribers of
    an intent they may now see, or the vendors that answered one of its closing."""
    if newly_visible(before, after, now):
        return announce(vault, now, after, issuer=issuer)
    if before is not None and closed(before, after):
        return announce_closed(vault, now, after, issuer=issuer)
    return []
