"""The Authlib authorization server of one app, with Custos's grants and endpoints.

Revocation (RFC 7009) and introspection (RFC 7662) are Authlib's endpoints with these changes
read off its defaults: a public client may revoke its own tokens (Authlib allows only
client_secret_basic), but introspection needs a client secret (RFC 7662 section 2.1: the
endpoint MUST require authorization, and a bare client_id is none); a wrong or unknown
`token_type_hint` never fails the request (RFC 7009 section 2.1: the server extends its
search); a token whose agreement ended is inactive. A parameter sent twice to any of these or
to the token endpoint is `invalid_request` (RFC 6749 section 3.2; Authlib takes the first).
"""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.base import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749.authenticate_client import authenticate_client_secret_basic
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Flask, current_app, request
from werkzeug.datastructures import MultiDict

from ..clock import now
from ..services.subject import pairwise_subject
from ..store import get_vault
from . import proofs
from .grants import (
    ACCESS_TTL,
    AUTH_METHODS,
    SECRET_METHODS,
    CodeGrant,
    RefreshGrant,
    S256Challenge,
    VendorCredentials,
    save_token,
)
from .models import OAuthClient, OAuthToken, grant_of
from .scopes import carried, granted_details, granted_scope


def query_client(client_id: str) -> OAuthClient | None:
    # a NUL never names a client (and PostgreSQL refuses it in a query: a 500, not a 401)
    found = client_id and "\x00" not in client_id
    record = get_vault().agreements.clients.find(client_id) if found else None
    return OAuthClient(record) if record else None


def configured_issuer() -> str | None:
    """CUSTOS_ISSUER (or what `custos serve` set at start): the only issuer trusted for
    security decisions, never one learned from a request."""
    return current_app.config["CUSTOS_SETTINGS"].issuer


def issuer() -> str:
    """This server's issuer identifier (RFC 8414 section 2), the same in every response; without
    a configured one (a bare `create_app`, tests) the request's host, shown but never trusted."""
    return configured_issuer() or request.host_url.rstrip("/")


def repeated_parameter(values: MultiDict) -> str | None:
    """The first parameter sent more than once (RFC 6749 sections 3.1 and 3.2 forbid it)."""
    return next((name for name in values if len(values.getlist(name)) > 1), None)


class Server(AuthorizationServer):
    """Authlib's server, refusing repeated parameters at the token-style endpoints."""

    def create_token_response(self, request=None):
        """Check the DPoP proof, if any, before the grant runs (RFC 9449 section 5); a
        response to a request with a proof carries a fresh nonce (section 8.2)."""
        if early := self._repeated():
            return early
        try:
            proofs.at_token_endpoint()
        except OAuth2Error as refused:
            return self.handle_error_response(None, refused)
        response = super().create_token_response(request)
        if proofs.sent() and proofs.NONCE_HEADER not in response.headers:
            response.headers[proofs.NONCE_HEADER] = proofs.current_nonce()
        return response

    def create_endpoint_response(self, name, request=None):
        return self._repeated() or super().create_endpoint_response(name, request)

    def _repeated(self):
        name = repeated_parameter(request.values)
        if name is None:
            return None
        return self.handle_error_response(None, InvalidRequestError(
            f"Multiple '{name[:40]}' in request."))


class _TokenLookup:
    CLIENT_AUTH_METHODS = AUTH_METHODS

    def check_params(self, request, client):
        if not request.form.get("token"):
            raise InvalidRequestError("token is required.")

    def query_token(self, token_string, token_type_hint):
        """One table holds both kinds, so the hint only orders a search that always completes."""
        record = get_vault().agreements.tokens.find(token_string)
        return OAuthToken(record) if record else None


class Revocation(_TokenLookup, RevocationEndpoint):
    """RFC 7009: revoking a refresh token also revokes the access tokens of its family."""

    def revoke_token(self, token, request):
        tokens = get_vault().agreements.tokens
        if token.record.kind == "refresh":
            tokens.revoke_family(token.record.family_id, now())
        else:
            tokens.revoke(token.record.token_hash, now())


class Introspection(_TokenLookup, IntrospectionEndpoint):
    """RFC 7662: a client may introspect its own tokens; anything else is `active: false`."""

    CLIENT_AUTH_METHODS = SECRET_METHODS  # RFC 7662 section 2.1

    def check_permission(self, token, client, request):
        return token.check_client(client)

    def introspect_token(self, token):
        """The token's claims, with its scope and `authorization_details` as it carries them
        (RFC 9396 section 9.2); inactive once its agreement has ended."""
        record = token.record
        grant = grant_of(record)
        if record.grant_id and (grant is None or not grant.live(now())):
            return {"active": False}
        kind = ("DPoP" if record.jkt else "Bearer") if record.kind == "access" \
            else "refresh_token"
        body = {"active": True, "client_id": record.client_id,
                "scope": granted_scope(grant, record.scope), "token_type": kind,
                "exp": int(record.expires_at.timestamp()),
                "iat": int(record.issued_at.timestamp()), "iss": issuer()}
        if record.jkt:  # RFC 9449 section 6.2: the key a bound token needs, as `cnf.jkt`
            body["cnf"] = {"jkt": record.jkt}
        if record.person_id:
            body["sub"] = pairwise_subject(get_vault(), record.person_id, record.client_id, now())
        if grant is not None and (details := granted_details(carried(grant, record.scope))):
            body["authorization_details"] = details
        return body


def create_server(app: Flask) -> AuthorizationServer:
    """An authorization server bound to `app`, with only the grants Custos allows."""
    seconds = int(ACCESS_TTL.total_seconds())
    app.config.setdefault("OAUTH2_REFRESH_TOKEN_GENERATOR", True)
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {
        "authorization_code": seconds, "refresh_token": seconds, "client_credentials": seconds})
    server = Server(app, query_client=query_client, save_token=save_token)
    # No implicit and no password grant (RFC 9700 sections 2.1.2 and 2.4).
    server.register_grant(CodeGrant, [S256Challenge(required=True)])
    server.register_grant(RefreshGrant)
    server.register_grant(VendorCredentials)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
    server.register_client_auth_method("client_secret_basic", _basic)
    return server


def _basic(query_client, request):
    """Authlib's client_secret_basic; a header such as `Basic ` with nothing after it is no
    credentials (invalid_client), not the ValueError Authlib raises while splitting it."""
    try:
        return authenticate_client_secret_basic(query_client, request)
    except ValueError:
        return None
