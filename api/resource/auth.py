"""Bearer tokens for the resource API (RFC 6750): checked against the vault on every call.

Errors follow RFC 6750 section 3: a request with no credentials (or another scheme than
Bearer) gets 401 and a bare `WWW-Authenticate: Bearer realm="custos"`, without an error code
(section 3.1: SHOULD NOT); an unknown, expired or revoked token (or one whose agreement ended)
gets 401 with `error="invalid_token"`; a token that does not carry what the endpoint needs
gets 403 with `insufficient_scope`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from vault import Tx
from vault.clients import Client
from vault.grants import Grant
from vault.tokens import Token

from ..clock import now
from ..errors import CustosError
from ..oauth.scopes import carried
from ..services import mandates
from ..store import get_vault


class InvalidToken(CustosError):
    status_code, error = 401, "invalid_token"
    description = "The access token is unknown, expired or revoked."


class NoCredentials(InvalidToken):
    """No Bearer token at all: the client may not know this needs one (RFC 6750 section 3.1)."""

    error = "missing_authorization"
    description = "Send the access token as 'Authorization: Bearer <token>'."


class InsufficientScope(CustosError):
    status_code, error = 403, "insufficient_scope"
    description = "The access token does not allow this."


@dataclass(frozen=True, kw_only=True)
class Caller:
    """Who is calling: the token, its client and, for person-bound tokens, the agreement as
    this token carries it (its categories, and the mandates the token still has)."""

    token: Token
    client: Client
    grant: Grant | None

    @property
    def person_id(self) -> str | None:
        return self.token.person_id

    def has_scope(self, scope: str) -> bool:
        return scope in self.token.scope.split()

    @property
    def actor(self) -> str:
        """The agent acting for the person, as the log, agreement and receipt name it."""
        return mandates.agent(self.client.client_id)


def bearer() -> str:
    """The raw token from the Authorization header (RFC 6750 section 2.1 only)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        raise NoCredentials()
    if not value.strip():
        raise InvalidToken("The Bearer token is empty.")
    return value.strip()


def caller(tx: Tx | None = None, *, scope: str | None = None,
           mandate: str | None = None) -> Caller:
    """Check the bearer token (inside `tx` when given, so the check and the work are atomic);
    with `mandate`, the token must carry that mandate of an agreement made for an agent."""
    vault = get_vault()
    at = now()
    agreements = vault.agreements

    def check(t: Tx) -> Caller:
        token = agreements.tokens.load(t, bearer())
        if token is None or token.kind != "access" or not token.active(at):
            raise InvalidToken()
        client = agreements.clients.find(token.client_id)
        if client is None:
            raise InvalidToken()
        grant = agreements.grants.load(t, token.grant_id) if token.grant_id else None
        if token.grant_id and (grant is None or not grant.live(at)):
            raise InvalidToken("The agreement behind this token has ended.")
        if grant is not None:
            grant = carried(grant, token.scope)  # a refresh may have narrowed this token
        found = Caller(token=token, client=client, grant=grant)
        if mandate and mandate not in mandates.of(grant):
            raise InsufficientScope(f"This needs the person's mandate "
                                    f"'{mandates.scope(mandate)}'.")
        if scope and not found.has_scope(scope):
            raise InsufficientScope(f"This needs the '{scope}' scope.")
        return found

    if tx is not None:
        return check(tx)
    with vault.transaction("read") as t:
        return check(t)


def www_authenticate(response, error: CustosError):
    """Add the RFC 6750 section 3 challenge to a 401 or 403 from this module."""
    if isinstance(error, NoCredentials):
        response.headers["WWW-Authenticate"] = 'Bearer realm="custos"'
    elif isinstance(error, InvalidToken | InsufficientScope):
        response.headers["WWW-Authenticate"] = (
            f'Bearer realm="custos", error="{error.error}", '
            f'error_description="{error.description}"')
    return response
