"""The pages behind the emailed links (reset, verify, unsubscribe) and the email parts of
Settings (the address, the notifications). Every rule lives in api/services/mail*.py."""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from marshmallow import ValidationError

from vault.errors import EmailTaken, NotFound

from ..clock import now
from ..i18n import N_
from ..security import csrf, limiter, rate
from ..services import mail_links
from ..services.mail import KINDS, choices, set_choices
from ..store import get_mail, get_vault
from .accounts import SESSION_COOKIE, hash_password, login_required, verify_password
from .forms import EmailChangeSchema, NewPasswordSchema, ResetRequestSchema

bp = Blueprint("mail", __name__)
log = logging.getLogger("custos.mail")
DEAD_LINK = N_("This link does not work any more: it was used, it expired, or it is not "
              "complete.")


def settings_context(person_id: str) -> dict:
    """What the Settings page shows about email."""
    vault = get_vault()
    return {"mail_on": get_mail() is not None, "kinds": KINDS,
            "choices": choices(vault, person_id), "email": vault.get_person(person_id).email,
            "verified": mail_links.is_verified(vault, person_id)}


def _reset_address() -> str:
    """Rate-limit key of the address asked for, from anywhere: nobody can flood one inbox. It
    refuses alike whether or not a vault uses the address, and is keyed (HMAC), so the
    counters' store holds no address."""
    email = (request.form.get("email") or "").strip().lower()
    if not email:  # nothing is sent: strangers' empty forms must not share one counter
        return f"reset-blank:{request.remote_addr}"
    key = current_app.config["SECRET_KEY"].encode()
    return "reset:" + hmac.new(key, email.encode("utf-8", "surrogatepass"),
                               hashlib.sha256).hexdigest()


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(rate("reset_rate_limit"), methods=["POST"])  # per client address
@limiter.limit(rate("reset_rate_limit"), methods=["POST"], key_func=_reset_address)
def reset_request():
    """Ask for a reset link: the same answer whether or not the address has a vault."""
    form, errors, later = request.form, {}, None
    if request.method == "POST" and get_mail() is not None:
        try:
            data = ResetRequestSchema().load(form.to_dict())
        except ValidationError as exc:
            errors = exc.normalized_messages()
        else:
            vault, mail, email, at = get_vault(), get_mail(), data["email"], now()
            later = lambda: _send_reset(vault, mail, email, at)  # noqa: E731
    response = make_response(render_template(
        "reset_request.html", form=form, errors=errors, sent=later is not None,
        mail_on=get_mail() is not None), 400 if errors else 200)
    if later is not None:  # after the answer is out: a known address answers no slower
        response.call_on_close(later)
    return response


def _send_reset(vault, mail, email: str, at) -> None:
    """Outside the request (its context is gone): failures are logged by type only."""
    try:
        mail_links.send_reset(vault, mail, email, at)
    except Exception as exc:  # noqa: BLE001 - nobody is left to answer; never the address
        log.error("reset link not queued: %s", type(exc).__name__)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password; the link is spent, every session ends, a notice is sent."""
    vault, errors = get_vault(), {}
    if not mail_links.link_alive(vault, token, "reset", now()):
        return render_template("link_dead.html", message=gettext(DEAD_LINK)), 404
    if request.method == "POST":
        try:
            data = NewPasswordSchema().load(request.form.to_dict())
        except ValidationError as exc:
            errors = exc.normalized_messages()
        else:
            if mail_links.reset_password(vault, get_mail(), token, hash_password(data["password"]),
                                         now()) is None:  # spent meanwhile
                return render_template("link_dead.html", message=gettext(DEAD_LINK)), 404
            flash(gettext("Your password is changed and every device is signed out. Sign in "
                          "with the new password."))
            response = redirect(url_for("accounts.signin"))
            response.delete_cookie(SESSION_COOKIE)
            return response
    return render_template("reset.html", errors=errors), 400 if errors else 200


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str):
    """Confirm the address by a button, so a mail scanner opening the link confirms nothing."""
    vault = get_vault()
    if not mail_links.link_alive(vault, token, "verify", now()):
        return render_template("link_dead.html", message=gettext(DEAD_LINK)), 404
    if request.method == "POST":
        if mail_links.verify(vault, token, now()) is None:
            return render_template("link_dead.html", message=gettext(DEAD_LINK)), 404
        flash(gettext("Thank you: your email address is confirmed."))
        return redirect(url_for("pages.home"))
    return render_template("verify.html")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 section 3.2: the mail client's one-click POST carries no cookie
def unsubscribe(token: str):
    """Stop one kind of email without signing in; the link's MAC is its authority."""
    vault = get_vault()
    found = mail_links.read_unsubscribe(vault, token, now())
    if found is None:
        return render_template("link_dead.html", message=gettext(DEAD_LINK)), 404
    person_id, kind = found
    label = KINDS[kind].label if kind in KINDS else N_("The daily summary")
    if request.method == "POST":
        try:
            mail_links.unsubscribe(vault, person_id, kind, now())
        except NotFound:  # the vault was deleted meanwhile
            return render_template("link_dead.html", message=gettext(DEAD_LINK)), 404
        return render_template("unsubscribe.html", label=label, done=True)
    return render_template("unsubscribe.html", label=label, done=False)


@bp.post("/settings/notifications")
@login_required
def notifications():
    wanted = {key: request.form.get(key) == "1" for key in KINDS}
    wanted["digest"] = request.form.get("digest") == "1"
    set_choices(get_vault(), g.person_id, wanted, now())
    flash(gettext("Your email choices are saved."))
    return redirect(url_for("settings.index") + "#notifications")


@bp.post("/settings/email")
@login_required
@limiter.limit(rate("signin_rate_limit"))
def change_email():
    """A new address: the old one is told, the new one gets a link to confirm it."""
    from .settings import render_settings

    form = {"em_email": request.form.get("em_email", "")}
    try:
        data = EmailChangeSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return render_settings(exc.normalized_messages(), form, 400)
    vault, mail = get_vault(), get_mail()
    person = vault.get_person(g.person_id)
    if not verify_password(person.password_hash, data["password"]):
        return render_settings({"em_password": ["The password is wrong."]}, form, 400)
    if data["email"] == person.email.lower():
        return render_settings({"em_email": ["This is already your address."]}, form, 400)
    try:
        mail_links.change_email(vault, mail, g.person_id, data["email"], now(),
                                old=person.email)
    except EmailTaken:
        return render_settings({"em_email": ["Another vault uses this address."]}, form, 400)
    mail_links.send_verification(vault, mail, g.person_id, now())
    flash(gettext("Your email address is changed.")
          + (" " + gettext("We sent a link to confirm it.") if mail else ""))
    return redirect(url_for("settings.index"))


@bp.post("/settings/verify")
@login_required
@limiter.limit(rate("reset_rate_limit"))
def resend_verification():
    if mail_links.send_verification(get_vault(), get_mail(), g.person_id, now()):
        flash(gettext("We sent a new link to your address."))
    return redirect(url_for("settings.index"))
