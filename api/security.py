"""Defences every response gets: CSRF on forms, rate limits, and strict browser headers."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(get_remote_address, headers_enabled=True)

# No inline script or style, nothing from other sites, never framed (clickjacking).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


HSTS_SECONDS = 365 * 24 * 3600


def rate(name: str) -> Callable[[], str]:
    """A limit read from the app's Settings at each request (docs/configuration.md)."""
    return lambda: getattr(current_app.config["CUSTOS_SETTINGS"], name)


def init_app(app: Flask) -> None:
    settings = app.config["CUSTOS_SETTINGS"]
    app.config["RATELIMIT_STORAGE_URI"] = settings.ratelimit_storage_url
    app.config.setdefault("RATELIMIT_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(_headers)


# Headers for every response, added in one pass over what the view already set (a view's
# own value wins, as with `setdefault`, at a fraction of its cost: one scan, not seven).
# same-origin Referrer-Policy: no URL ever leaves for another site, and Flask-WTF's HTTPS
# Referer check on forms still gets the header it needs.
_ALWAYS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def always(path: str, secure: bool) -> list[tuple[str, str]]:
    """The headers every response to `path` gets; pages that show personal data are never
    cached. Flask-free, so the fast read (api/resource/fastread.py) sends the same."""
    wanted = list(_ALWAYS)
    if not path.startswith("/static/"):
        wanted.append(("Cache-Control", "no-store"))
    if secure:  # RFC 6797 section 7.2: never over plain HTTP
        wanted.append(("Strict-Transport-Security", f"max-age={HSTS_SECONDS}"))
    return wanted


def _headers(response: Response) -> Response:
    """`always`, where the view did not set its own."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    headers.extend([(name, value) for name, value in always(request.path, request.is_secure)
                    if name.lower() not in present])
    return response
