"""Settings: sessions, export of everything, and deleting the account (crypto-shredding)."""

from __future__ import annotations

import json
from datetime import datetime

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from .accounts import SESSION_COOKIE, login_required, verify_password
from .clock import now
from .oauth.agreements import end_agreement
from .store import get_vault

bp = Blueprint("settings", __name__, url_prefix="/settings")
DELETE_PHRASE = "delete my vault"


def _agents() -> list[dict]:
    """Clients the person authorised to act for them (the butler), still live."""
    from .connection_pages import describe_grant

    return [describe_grant(gr) for gr in get_vault().agreements.grants.for_person(g.person_id)
            if gr.extra.get("person") and gr.live(now())]


def _live_sessions() -> list[dict]:
    at = now()
    return [s for s in get_vault().list_sessions(g.person_id)
            if s["ended_at"] is None and datetime.fromisoformat(s["expires_at"]) > at]


def _render(errors: dict, form: dict, status: int = 200):
    return render_template("settings.html", errors=errors, form=form, phrase=DELETE_PHRASE,
                           agents=_agents(), sessions=_live_sessions()), status


@bp.get("")
@login_required
def index():
    return _render({}, {})


@bp.post("/export")
@login_required
def export():
    """Everything the person has, decrypted, as one JSON document (docs/export.md)."""
    document = get_vault().export_person(g.person_id, now())
    name = f"custos-export-{now():%Y%m%d}.json"
    return Response(json.dumps(document, indent=2, ensure_ascii=False),
                    mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/delete")
@login_required
def delete():
    """End every agreement (vendors are notified), destroy the data key, then the rows."""
    vault = get_vault()
    person = vault.get_person(g.person_id)
    errors = {}
    if request.form.get("phrase", "").strip().lower() != DELETE_PHRASE:
        errors["phrase"] = [f"Type “{DELETE_PHRASE}” to confirm."]
    if not verify_password(person.password_hash, request.form.get("password", "")):
        errors["password"] = ["The password is wrong."]
    if errors:
        return _render(errors, {"phrase": request.form.get("phrase", "")}, 400)
    for grant in vault.agreements.grants.for_person(g.person_id):
        if grant.status == "active":  # each vendor is told, with the duty to delete
            end_agreement(grant.id, "account_closed")
    vault.delete_person(g.person_id)
    response = redirect(url_for("pages.home", deleted=1))
    response.delete_cookie(SESSION_COOKIE)
    return response
