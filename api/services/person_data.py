"""Her agent changes the person's own data and intents (issue 14), logged with the agent as
actor; a change vendors would see (a value in a category a live agreement covers, an intent
shown to vendors' searches) is an alert for the person (`agent_changed_access`).

The request edge (api/resource/person_data.py) validates the bodies with the pages' schemas;
this module takes the vault, the time and the acting agent explicitly, like every service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from policies import vocab
from vault import Vault
from vault.fields import Field
from vault.intents import Intent
from vault.mandate_events import AgentChangedAccess

from . import intentcast, mandates


def _alert_if_shared(vault: Vault, pid: str, actor: str, category: str, action: str,
                     now: datetime) -> None:
    """Vendors whose live agreements cover `category` now read what the agent wrote: tell
    the person (Home, log), as for any agent action that changes what vendors may get."""
    client_id = mandates.agent_of(actor)
    vendors = sorted({g.client_id for g in vault.agreements.grants.for_person(pid)
                      if g.live(now) and any(vocab.narrower_or_equal(category, c)
                                             for c in g.categories)})
    if vendors and client_id:
        vault.record(pid, AgentChangedAccess(client_id=client_id, action=action,
                                             vendors=vendors, categories=[category]), now)


def _alert_if_shown(vault: Vault, pid: str, actor: str, before: str | None, intent: Intent,
                    now: datetime) -> None:
    """An intent the agent shows (or keeps shown after a change) reaches vendors' searches."""
    client_id = mandates.agent_of(actor)
    if intent.visibility == "shown" and intent.status == "active" and client_id:
        vault.record(pid, AgentChangedAccess(
            client_id=client_id,
            action="intent_shown" if before != "shown" else "intent_changed"), now)


def add_field(vault: Vault, pid: str, data: dict[str, Any], *, actor: str,
              now: datetime) -> Field:
    with vault.transaction("write", actor=actor):
        item = vault.add_field(pid, now=now, **data)
        _alert_if_shared(vault, pid, actor, item.category, "data_added", now)
    return item


def change_field(vault: Vault, pid: str, field_id: str, data: dict[str, Any], *, actor: str,
                 now: datetime) -> Field:
    with vault.transaction("write", actor=actor):
        before = vault.get_field(pid, field_id)
        item = vault.update_field(pid, field_id, now=now, **data)
        for category in dict.fromkeys((before.category, item.category)):
            _alert_if_shared(vault, pid, actor, category, "data_changed", now)
    return item


def delete_field(vault: Vault, pid: str, field_id: str, *, actor: str, now: datetime) -> None:
    with vault.transaction("write", actor=actor):
        gone = vault.get_field(pid, field_id)
        vault.delete_field(pid, field_id, now)
        _alert_if_shared(vault, pid, actor, gone.category, "data_deleted", now)


def add_intent(vault: Vault, pid: str, data: dict[str, Any], *, actor: str,
               now: datetime, issuer: str) -> Intent:
    """The intent, its alert, and the notices to subscribed vendors, in one transaction."""
    with vault.transaction("write", actor=actor):
        intent = vault.add_intent(pid, data, now)
        _alert_if_shown(vault, pid, actor, None, intent, now)
        intentcast.changed(vault, now, None, intent, issuer=issuer)
    return intent


def change_intent(vault: Vault, pid: str, intent_id: str, data: dict[str, Any], *, actor: str,
                  now: datetime, issuer: str) -> Intent:
    """The change, its alert, and the notices (newly shown, or closed: `intentcast.changed`)."""
    with vault.transaction("write", actor=actor):
        before = vault.get_intent(pid, intent_id)
        intent = vault.update_intent(pid, intent_id, data, now)
        _alert_if_shown(vault, pid, actor, before.visibility, intent, now)
        intentcast.changed(vault, now, before, intent, issuer=issuer)
    return intent
