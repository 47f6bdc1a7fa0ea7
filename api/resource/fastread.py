"""The vendor's bearer read, `GET /api/v1/data`, answered without Flask's per-request work.

It is the API's hot path (issue 15, docs/benchmarks.md). Flask's request and response objects,
its URL matching, its dozen before/after/teardown hooks and the session cookie cost about a
fifth of the read's CPU, and none of them does anything for this request. This WSGI middleware
answers exactly that request (GET, that path, no query string, `Authorization: Bearer`) with
the same parts as the route in data.py:
- the same rate limit count (`ratelimit.count`),
- the same token checks (`bearer_caller`: `vet_token`, `vet_agreement`),
- the same `read`, in one write transaction committed before the answer,
- the same security headers (`security.always`) and the same JSON.

Every other request goes to Flask unchanged, and so does every error: it is rendered by the
app's own error handlers and after-request hooks, so a refusal looks the same whichever way it
came. tests/oauth/test_fast_read.py compares the two ways, answer by answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask

from .. import security
from ..services.release import AccessRefused
from . import ratelimit
from .auth import bearer_caller, split_authorization
from .data import read

PATH = "/api/v1/data"
_JSON = ("Content-Type", "application/json")
_SECURE = ("https", "wss")  # as werkzeug's `request.is_secure`


def bearer(environ: dict) -> str | None:
    """The raw token when this request is the fast read's, else None (Flask answers it)."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH \
            or environ.get("QUERY_STRING"):
        return None
    scheme, value = split_authorization(environ.get("HTTP_AUTHORIZATION", ""))
    return value if scheme == "bearer" and value else None


class FastRead:
    """WSGI middleware in front of the Flask app's own `wsgi_app`."""

    def __init__(self, app: Flask, flask_wsgi: Callable) -> None:
        self.app, self.flask_wsgi = app, flask_wsgi

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        raw = bearer(environ)
        if raw is None or self.app.debug or self.app.json.compact is False:  # pretty JSON
            return self.flask_wsgi(environ, start_response)
        try:
            body = self._read(environ, raw)
        except Exception as exc:  # every error the app's own way
            return self._error(environ, start_response, exc)
        start_response("200 OK", [_JSON, ("Content-Length", str(len(body))),
                                  *security.always(PATH, environ["wsgi.url_scheme"] in _SECURE)])
        return [body]

    def _read(self, environ: dict, raw: str) -> bytes:
        app = self.app
        vault, at = app.extensions["custos.vault"], app.extensions["custos.clock"]()
        ratelimit.count(app, environ.get("REMOTE_ADDR") or "")
        with vault.transaction("write") as tx:
            result = read(vault, tx, bearer_caller(vault, tx, raw, at), at)
        if isinstance(result, AccessRefused):
            raise result  # after the commit: the refused attempt stays in the log
        return (app.json.dumps(result, separators=(",", ":")) + "\n").encode()

    def _error(self, environ: dict, start_response: Callable,
               exc: Exception) -> Iterable[bytes]:
        """What Flask answers when the route raises `exc`: the blueprint's or app's handler,
        then the after-request hooks (security headers, the RFC 6750 challenge)."""
        app = self.app
        with app.request_context(environ):
            try:
                response = app.finalize_request(app.handle_user_exception(exc))
            except Exception as unhandled:  # as Flask's wsgi_app does
                response = app.handle_exception(unhandled)
            return response(environ, start_response)


def init_app(app: Flask) -> None:
    app.wsgi_app = FastRead(app, app.wsgi_app)  # type: ignore[method-assign]
