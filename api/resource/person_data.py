"""The person's agent API for her own data and intents (issue 14), under `mandate:data` and
`mandate:intents`: read, add, change and delete, validated by the very schemas of the pages
(api/web/forms.py), so the agent can store nothing the person could not type herself.
Unknown members are refused, not ignored (a JSON client has no CSRF token or buttons to send).
Every change is logged with the agent as its actor.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import RAISE

from ..clock import now
from ..oauth.server import issuer
from ..services import mandates, person_data
from ..store import get_vault
from ..web.forms import FieldSchema, IntentSchema
from .auth import caller
from .schemas import load

bp = Blueprint("resource_person_data", __name__)


def _field_json(item) -> dict:
    return {"id": item.id, "category": item.category, "name": item.name, "kind": item.kind,
            "value": item.value, "created_at": item.created_at.isoformat(),
            "updated_at": item.updated_at.isoformat()}


@bp.get("/api/v1/person/data")
def list_data():
    pid = caller(mandate=mandates.DATA).person_id
    return jsonify([_field_json(f) for f in get_vault().list_fields(pid)])


@bp.post("/api/v1/person/data")
def add_data():
    """Add one value: `category`, `name`, `value` (text, read by the category's kind)."""
    who = caller(mandate=mandates.DATA)
    data = load(FieldSchema(unknown=RAISE), request.get_json(silent=True))
    item = person_data.add_field(get_vault(), who.person_id, data, actor=who.actor, now=now())
    return jsonify(_field_json(item)), 201


@bp.put("/api/v1/person/data/<field_id>")
def change_data(field_id: str):
    who = caller(mandate=mandates.DATA)
    vault = get_vault()
    vault.get_field(who.person_id, field_id)  # 404 for someone else's, first
    data = load(FieldSchema(unknown=RAISE), request.get_json(silent=True))
    item = person_data.change_field(vault, who.person_id, field_id, data, actor=who.actor,
                                    now=now())
    return jsonify(_field_json(item))


@bp.delete("/api/v1/person/data/<field_id>")
def delete_data(field_id: str):
    who = caller(mandate=mandates.DATA)
    person_data.delete_field(get_vault(), who.person_id, field_id, actor=who.actor, now=now())
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
    intent = person_data.add_intent(get_vault(), who.person_id, data, actor=who.actor,
                                    now=now(), issuer=issuer())
    return jsonify(intent.as_dict()), 201


@bp.put("/api/v1/person/intents/<intent_id>")
def change_intent(intent_id: str):
    """Replace an intent (its status too: active, fulfilled or withdrawn)."""
    who = caller(mandate=mandates.INTENTS)
    vault = get_vault()
    vault.get_intent(who.person_id, intent_id)  # 404 for someone else's, first
    data = load(IntentSchema(unknown=RAISE), request.get_json(silent=True))
    intent = person_data.change_intent(vault, who.person_id, intent_id, data, actor=who.actor,
                                       now=now(), issuer=issuer())
    return jsonify(intent.as_dict())
