"""The Custos web application: where a request meets the vault and the policy engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package itself imports no Flask: api/services stays free of it
    from flask import Flask

    from .config import Settings


def create_app(settings: Settings | None = None, *, testing: bool = False) -> Flask:
    """Build the app; each subsystem registers itself with its own ``init_app``."""
    from flask import Flask

    from . import clock, errors, i18n, oauth, resource, security, store, untrusted
    from .web import accounts, pages

    if settings is None:
        from .config import from_env

        settings = from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=testing,
        CUSTOS_SETTINGS=settings,
        SESSION_COOKIE_NAME="custos_csrf",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    clock.init_app(app)
    i18n.init_app(app)
    store.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    untrusted.init_app(app)
    accounts.init_app(app)
    pages.init_app(app)
    oauth.init_app(app)
    resource.init_app(app)
    return app
