"""The OAuth 2 authorization server: Authlib with Custos's grants, consent and records.

Read docs/oauth.md for the flows and docs/api.md for the resource API they protect.
"""

from __future__ import annotations

from authlib.oauth2.rfc9207 import IssuerParameter
from flask import Flask

from ..security import csrf
from . import authorize, routes
from .registration import add_vendor
from .server import create_server, issuer

__all__ = ["add_vendor", "init_app"]


class _Issuer(IssuerParameter):
    """RFC 9207 section 2: `iss` on every authorization response."""

    def get_issuer(self) -> str:
        return issuer()


def init_app(app: Flask) -> None:
    server = create_server(app)
    server.register_extension(_Issuer())
    app.extensions["custos.oauth"] = server
    csrf.exempt(routes.bp)
    app.register_blueprint(routes.bp)
    app.register_blueprint(authorize.bp)
