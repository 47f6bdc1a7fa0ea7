"""The JSON resource API under /api/v1: vendors, the person and their butler (docs/api.md)."""

from __future__ import annotations

from flask import Flask, jsonify

from ..errors import CustosError
from ..security import csrf, limiter, rate
from . import agreements, data, duties, intents, offers, openapi, person, vendor
from .auth import www_authenticate

BLUEPRINTS = (data.bp, person.bp, vendor.bp, agreements.bp, duties.bp, intents.bp,
              offers.bp, openapi.bp)


def _error(exc: CustosError):
    """The app's JSON error shape plus what the subclass carries (reasons), and RFC 6750."""
    response = jsonify(exc.to_dict())
    response.status_code = exc.status_code
    return www_authenticate(response, exc)


# Set up once, at import: blueprints are registered on many apps (one per test).
for _bp in BLUEPRINTS:
    csrf.exempt(_bp)
    limiter.limit(rate("api_rate_limit"))(_bp)
    _bp.register_error_handler(CustosError, _error)


def init_app(app: Flask) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
