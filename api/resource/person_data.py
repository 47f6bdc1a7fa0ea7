"""The person's agent API for her own data and intents (issue 14), under `mandate:data` and
`mandate:intents`: read, add, change and delete, validated by the very schemas of the pages
(api/web/forms.py), so the agent can store nothing the person could not type herself.
Unknown members are refused, not ignored (a JSON client has no CSRF token or buttons to send).
Every change is logged with the agent as its actor.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import RAISE

from policies import vocab
from vault.mandate_events import AgentChangedAccess

from ..clock import now
from ..services import mandates
from ..store import get_vault
from ..web.forms import FieldSchema, IntentSchema
from .auth import Caller, caller
from .schemas import load

bp = Blueprint("resource_person_data", __name__)


def _field_json(item) -> dict:
    return {"id": item.id, "category": item.category, "name": item.name, "kind": item.kind,
            "value": item.value, "created_at": item.created_at.isoformat(),
            "updated_at": item.updated_at.isoformat()}


def _write(who: Caller):
    """One write transaction whose log entries name the agent."""
    return get_vault().transaction("write", actor=who.actor)


def _alert_if_shared(who: Caller, category: str, action: str) -> None:
    """Vendors whose live agreements cover `category` now read what the agent wrote: tell
    the person (Home, log), as for any agent action that changes what vendors may get."""
    vendors = sorted({g.client_id for g in get_vault().agreements.grants.for_person(
        who.person_id) if g.live(now()) and any(
            vocab.narrower_or_equal(category, c) for c in g.categories)})
    if vendors:
        get_vault().record(who.person_id, AgentChangedAccess(
            client_id=who.client.client_id, action=action, vendors=vendors,
            categories=[category]), now())


def _alert_if_shown(who: Caller, before: str | None, intent) -> None:
    """An intent the agent shows (or keeps shown after a change) reaches vendors' searches."""
    if intent.visibility == "shown" and intent.status == "active":
        get_vault().record(who.person_id, AgentChangedAccess(
            client_id=who.client.client_id,
            action="intent_shown" if before != "shown" else "intent_changed"), now())


@bp.get("/api/v1/person/data")
def list_data():
    pid = caller(mandate=mandates.DATA).person_id
    return jsonify([_field_json(f) for f in get_vault().list_fields(pid)])


@bp.post("/api/v1/person/data")
def add_data():
    """Add one value: `category`, `name`, `value` (text, read by the category's kind)."""
    who = caller(mandate=mandates.DATA)
    data = load(FieldSchema(unknown=RAISE), request.get_json(silent=True))
    with _write(who):
        item = get_vault().add_field(who.person_id, now=now(), **data)
        _alert_if_shared(who, item.category, "data_added")
    return jsonify(_field_json(item)), 201


@bp.put("/api/v1/person/data/<field_id>")
def change_data(field_id: str):
    who = caller(mandate=mandates.DATA)
    vault = get_vault()
    before = vault.get_field(who.person_id, field_id)  # 404 for someone else's, first
    data = load(FieldSchema(unknown=RAISE), request.get_json(silent=True))
    with _write(who):
        item = vault.update_field(who.person_id, field_id, now=now(), **data)
        for category in dict.fromkeys((before.category, item.category)):
            _alert_if_shared(who, category, "data_changed")
    return jsonify(_field_json(item))


@bp.delete("/api/v1/person/data/<field_id>")
def delete_data(field_id: str):
    who = caller(mandate=mandates.DATA)
    with _write(who):
        gone = get_vault().get_field(who.person_id, field_id)
        get_vault().delete_field(who.person_id, field_id, now())
        _alert_if_shared(who, gone.category, "data_deleted")
    return "", 204


@bp.get("/api/v1/person/intents")
def list_intents():
    """The person's intents, for the butler to match offers against."""
    pid = caller(mandate=mandates.INTENTS).person_id
    return jsonify([i.as_dict() for i in get_vault().list_intents(pid)])


@bp.post("/api/v1/person/intents")
def add_intent():
    """Declare an intent, as the Intents page does (hidden unless `visibility` is shown)."""
    who = caller(mandate=mandates.INTENTS)
    data = load(IntentSchema(unknown=RAISE), request.get_json(silent=True))
    with _write(who):
        intent = get_vault().add_intent(who.person_id, data, now())
        _alert_if_shown(who, None, intent)
    return jsonify(intent.as_dict()), 201


@bp.put("/api/v1/person/intents/<intent_id>")
def change_intent(intent_id: str):
    """Replace an intent (its status too: active, fulfilled or withdrawn)."""
    who = caller(mandate=mandates.INTENTS)
    vault = get_vault()
    before = vault.get_intent(who.person_id, intent_id)  # 404 for someone else's
    data = load(IntentSchema(unknown=RAISE), request.get_json(silent=True))
    with _write(who):
        intent = vault.update_intent(who.person_id, intent_id, data, now())
        _alert_if_shown(who, before.visibility, intent)
    return jsonify(intent.as_dict())
