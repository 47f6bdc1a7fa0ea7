"""The JSON resource API under /api/v1: vendors, the person and their butler (docs/api.md)."""

from __future__ import annotations

from flask import Flask, jsonify, request

from ..errors import CustosError
from ..security import csrf, limiter
from . import (
    agreements,
    data,
    duties,
    fastread,
    intents,
    offers,
    openapi,
    person,
    person_data,
    ratelimit,
    records,
    replies,
    vendor,
)
from .auth import check_proof, offer_nonce, settle_proof, www_authenticate

BLUEPRINTS = (data.bp, person.bp, person_data.bp, vendor.bp, agreements.bp, duties.bp, records.bp,
              replies.bp, intents.bp, offers.bp, openapi.bp)


def _error(exc: CustosError):
    """The app's JSON error shape plus what the subclass carries (reasons), and RFC 6750."""
    response = jsonify(exc.to_dict())
    response.status_code = exc.status_code
    return www_authenticate(response, exc)


# Set up once, at import: blueprints are registered on many apps (one per test).
for _bp in BLUEPRINTS:
    csrf.exempt(_bp)
    _bp.before_request(ratelimit.check)  # in process, not Flask-Limiter (ratelimit.py)
    _bp.register_error_handler(CustosError, _error)
    _bp.before_request(check_proof)  # RFC 9449: the proof (and its jti) before the route's work
    _bp.teardown_request(settle_proof)  # the jti of a route that rolled back
    _bp.after_request(offer_nonce)


_NAMES = frozenset(bp.name for bp in BLUEPRINTS)


def _skipping_api(hook):
    """Flask-Limiter's app-wide hook, not run for /api/v1: even with no limit there it cost
    ~0.15 ms a call (working out the endpoint's limits and exemptions)."""

    def run(*args):
        if request.blueprint in _NAMES:
            return args[0] if args else None  # after_request hands the response back
        return hook(*args)

    return run


def init_app(app: Flask) -> None:
    ratelimit.init_app(app)
    for hooks in (app.before_request_funcs.get(None, []), app.after_request_funcs.get(None, [])):
        for i, hook in enumerate(hooks):
            if getattr(hook, "__self__", None) is limiter or getattr(
                    hook, "args", ()) == (limiter,):  # the bound method, or a partial
                hooks[i] = _skipping_api(hook)
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    fastread.init_app(app)
