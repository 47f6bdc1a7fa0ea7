"""Sign-up, sign-in and sign-out, with server-side sessions that can be ended everywhere."""

from __future__ import annotations

import functools
import hashlib
import hmac
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from marshmallow import ValidationError

from vault import events
from vault.errors import EmailTaken

from ..clock import now
from ..i18n import N_
from ..security import limiter, rate
from ..services import mandates
from ..services.mail_links import send_verification
from ..store import get_mail, get_vault
from .forms import SignInSchema, SignUpSchema

bp = Blueprint("accounts", __name__)
SESSION_COOKIE = "custos_session"
SIGNIN_FAILED = N_("The email or the password is wrong.")


signin_limit = rate("signin_rate_limit")  # per client address; also the password change


def _account_and_address() -> str:
    """Rate-limit key of one account from one address: a stranger elsewhere cannot lock the
    owner out. Keyed (HMAC), so the counters' store holds no email address."""
    email = (request.form.get("email") or "").strip().lower()
    key = current_app.config["SECRET_KEY"].encode()
    pair = f"{email}\n{request.remote_addr}".encode()
    return "signin:" + hmac.new(key, pair, hashlib.sha256).hexdigest()


def _failed(response) -> bool:
    """Only failed sign-ins count against an account (a 302 is a success)."""
    return response.status_code == 400


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another host.

    Browsers read `\\` as `/`, drop tabs and newlines, and go to another site for `//host`
    with any number of slashes (WHATWG URL); a proxy may decode `%2F` and `%5C`. So the target,
    decoded until it no longer changes, must start with exactly one slash and hold no backslash
    and no control character.
    """
    target = target or ""
    decoded, step = target, unquote(target)
    while step != decoded:
        decoded, step = step, unquote(step)
    parts = urlsplit(target)
    if (target.startswith("/") and not decoded.startswith("//") and "\\" not in decoded
            and decoded.isprintable() and not parts.scheme and not parts.netloc):
        return target
    return url_for("pages.home")


def login_required(view):
    """Send visitors who are not signed in to the sign-in page; for those who are, whatever the
    page writes to her log says she did it (actor `person`, issue 13)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("person_id") is None:
            return redirect(url_for("accounts.signin", next=request.full_path.rstrip("?")))
        with get_vault().acting(mandates.PERSON):
            return view(*args, **kwargs)

    return wrapped


def _load_person() -> None:
    g.person_id = None
    token = request.cookies.get(SESSION_COOKIE)
    if token and not request.path.startswith("/static/"):  # no session lookup for CSS
        g.person_id = get_vault().session_person(token, now())


def start_session(response, person_id: str):
    """Sign in: a new server-side session, and a new CSRF token (one seen before is void)."""
    session.pop("csrf_token", None)  # Flask-WTF keeps the raw token in the signed cookie
    g.pop("csrf_token", None)
    settings = current_app.config["CUSTOS_SETTINGS"]
    lifetime = timedelta(hours=settings.session_hours)
    event = events.SignedIn(ip=request.remote_addr,
                            user_agent=(request.user_agent.string or "")[:200] or None)
    token = get_vault().create_session(person_id, now(), lifetime, event)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(lifetime.total_seconds()),
                        httponly=True, secure=settings.secure_cookies, samesite="Lax")
    return response


def _hasher() -> PasswordHasher:
    return current_app.extensions["custos.hasher"]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Argon2id check; with no account it verifies a dummy hash, so both cost the same time."""
    try:
        checked = _hasher().verify(password_hash or current_app.extensions["custos.dummy_hash"],
                                   password)
    except (VerificationError, InvalidHashError):
        return False
    return checked and password_hash is not None


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def signup():
    form, errors = request.form if request.method == "POST" else request.args, {}
    if request.method == "POST":
        try:
            data = SignUpSchema().load(form.to_dict())
        except ValidationError as exc:
            errors = exc.normalized_messages()
        else:
            try:
                person_id = get_vault().create_person(data["email"],
                                                      hash_password(data["password"]), now())
            except EmailTaken:
                errors = {"email": [gettext("An account with this email already exists. Sign in "
                                           "instead.")]}
            else:
                mailed = send_verification(get_vault(), get_mail(), person_id, now())
                flash(gettext("Welcome to Custos. Your vault is ready and encrypted.")
                      + (" " + gettext("We sent you an email: open its link to confirm your "
                                       "address.") if mailed else ""))
                return start_session(redirect(safe_next(form.get("next"))), person_id)
    status = 400 if errors else 200
    return render_template("signup.html", form=form, errors=errors), status


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])  # per address, every attempt
@limiter.limit(rate("signin_account_rate_limit"), methods=["POST"], key_func=_account_and_address,
               deduct_when=_failed)
def signin():
    form, errors = request.form if request.method == "POST" else request.args, {}
    if request.method == "POST":
        try:
            data = SignInSchema().load(form.to_dict())
        except ValidationError as exc:
            errors = exc.normalized_messages()
        else:
            vault = get_vault()
            person = vault.find_person_by_email(data["email"])
            if verify_password(person.password_hash if person else None, data["password"]):
                if _hasher().check_needs_rehash(person.password_hash):
                    vault.set_password_hash(person.id, hash_password(data["password"]), now())
                return start_session(redirect(safe_next(form.get("next"))), person.id)
            errors = {"form": [gettext(SIGNIN_FAILED)]}
    status = 400 if errors else 200
    return render_template("signin.html", form=form, errors=errors), status


@bp.post("/signout")
@login_required
def signout():
    vault = get_vault()
    vault.end_session(request.cookies.get(SESSION_COOKIE, ""), now())
    response = redirect(url_for("accounts.signin"))
    response.delete_cookie(SESSION_COOKIE)
    return response


@bp.post("/signout-everywhere")
@login_required
def signout_everywhere():
    """End every session of this person, on every device, at once."""
    vault = get_vault()
    vault.end_all_sessions(g.person_id, now())
    response = redirect(url_for("accounts.signin"))
    response.delete_cookie(SESSION_COOKIE)
    return response


def init_app(app: Flask) -> None:
    profile = getattr(profiles, app.config["CUSTOS_SETTINGS"].argon2_profile)
    hasher = PasswordHasher.from_parameters(profile)  # Argon2id (RFC 9106)
    app.extensions["custos.hasher"] = hasher
    app.extensions["custos.dummy_hash"] = hasher.hash("custos-timing-equaliser")
    app.before_request(_load_person)
    app.register_blueprint(bp)
