"""Settings: sessions, the password (email: mail_pages.py), export of everything, and
deleting the account (crypto-shredding)."""

from __future__ import annotations

import json
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..clock import now
from ..i18n import LANGUAGES
from ..oauth.server import issuer
from ..security import limiter
from ..services.agreements import end_agreement
from ..services.mail_links import notice
from ..services.ownership import grants_of
from ..store import get_mail, get_settings, get_vault
from .accounts import (
    SESSION_COOKIE,
    hash_password,
    login_required,
    signin_limit,
    start_session,
    verify_password,
)
from .forms import PasswordChangeSchema

bp = Blueprint("settings", __name__, url_prefix="/settings")
DELETE_PHRASE = "delete my vault"


def _agents() -> list[dict]:
    """Clients the person authorised to act for them (the butler), still live."""
    from .connections import agents

    return agents()


def _live_sessions() -> list[dict]:
    at = now()
    return [s for s in get_vault().list_sessions(g.person_id)
            if s["ended_at"] is None and datetime.fromisoformat(s["expires_at"]) > at]


def render_settings(errors: dict, form: dict, status: int = 200):
    from .mail_pages import settings_context

    return render_template("settings.html", errors=errors, form=form, phrase=DELETE_PHRASE,
                           agents=_agents(), sessions=_live_sessions(),
                           **settings_context(g.person_id)), status


@bp.get("")
@login_required
def index():
    return render_settings({}, {})


@bp.post("/language")
@login_required
def language():
    """The language of the pages in this browser; "" follows the browser's own setting."""
    chosen = request.form.get("lang", "")
    if chosen and chosen not in LANGUAGES:
        return render_settings({"lang": [_("Choose one of the listed languages.")]},
                       {"lang": chosen}, 400)
    if chosen:
        session["lang"] = chosen
    else:
        session.pop("lang", None)
    flash(_("Language saved."))
    return redirect(url_for("settings.index"))


@bp.post("/password")
@login_required
@limiter.limit(signin_limit)
def change_password():
    """A new password ends every session, this one too, then signs this browser in again."""
    try:
        data = PasswordChangeSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return render_settings(exc.normalized_messages(), {}, 400)
    vault = get_vault()
    if not verify_password(vault.get_person(g.person_id).password_hash, data["current"]):
        return render_settings({"pw_current": [_("The password is wrong.")]}, {}, 400)
    with vault.transaction("write"):
        vault.set_password_hash(g.person_id, hash_password(data["password"]), now())
        vault.end_all_sessions(g.person_id, now())
        notice(vault, get_mail(), g.person_id, "password", now())
    flash(_("Your password is changed. Every other device is signed out."))
    return start_session(redirect(url_for("settings.index")), g.person_id)


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
        errors["phrase"] = [_("Type “%(phrase)s” to confirm.", phrase=DELETE_PHRASE)]
    if not verify_password(person.password_hash, request.form.get("password", "")):
        errors["password"] = [_("The password is wrong.")]
    if errors:
        return render_settings(errors, {"phrase": request.form.get("phrase", "")}, 400)
    for grant in grants_of(vault, g.person_id):
        if grant.status == "active":  # each vendor is told, with the duty to delete
            end_agreement(vault, grant.id, "account_closed", now=now(), issuer=issuer(),
                          ack_days=get_settings().duty_ack_days)
    vault.delete_person(g.person_id)
    response = redirect(url_for("pages.home", deleted=1))
    response.delete_cookie(SESSION_COOKIE)
    return response
