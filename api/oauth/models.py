"""Adapters that show the vault's records to Authlib through its model mixins.

Authlib asks questions of a client (which redirect URIs, which auth method, which grant types)
and of codes and tokens; the answers live here so the vault stays free of OAuth vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin

from vault.clients import Client
from vault.errors import NotFound as Missing
from vault.grants import Grant
from vault.tokens import Code, Token

from ..clock import now
from ..store import get_vault
from .scopes import granted_scope
from .uris import redirect_matches, uri_problem

GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")


@dataclass(frozen=True)
class Person:
    """The resource owner as Authlib sees it: just an id."""

    id: str

    def get_user_id(self) -> str:
        return self.id


class OAuthClient(ClientMixin):
    """A registered vendor: exact redirect URIs, declared auth method and grant types."""

    def __init__(self, record: Client) -> None:
        self.record = record
        self.client_id = record.client_id
        self.metadata = record.metadata

    @property
    def name(self) -> str:
        return self.metadata.get("client_name") or self.client_id

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        """Never a default: the request must name its redirect URI (RFC 9700 section 2.1)."""
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        """Everything asked is judged later by the person's terms, not trimmed here."""
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact string comparison (RFC 9700 section 4.1.3), no prefix or pattern matching;
        a loopback IP redirect matches on any port (RFC 8252 section 7.3). A URI that fails
        today's registration checks (a row stored before them) matches nothing."""
        if uri_problem(redirect_uri, redirect=True):
            return False
        return any(redirect_matches(registered, redirect_uri)
                   for registered in self.metadata.get("redirect_uris", []))

    def check_client_secret(self, client_secret: str) -> bool:
        return self.record.check_secret(client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """A client authenticates the one way it registered, at every endpoint."""
        return method == self.metadata.get("token_endpoint_auth_method", "client_secret_basic")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "client_credentials" and self.record.public:
            return False
        return grant_type in self.metadata.get("grant_types", GRANT_TYPES[:2])


class OAuthCode(AuthorizationCodeMixin):
    """A stored authorization code with its PKCE challenge."""

    def __init__(self, record: Code, raw: str) -> None:
        self.record = record
        self.raw = raw
        self.code_challenge = record.challenge
        self.code_challenge_method = record.challenge_method

    def get_redirect_uri(self) -> str:
        return self.record.redirect_uri

    def get_scope(self) -> str:
        return _granted(self.record)


def grant_of(record: Code | Token) -> Grant | None:
    """The agreement behind a code or token; None for client credentials or one now gone."""
    if not record.grant_id:
        return None
    try:
        return get_vault().agreements.grants.get(record.grant_id)
    except Missing:
        return None


def _granted(record: Code | Token) -> str:
    """The full scope of a code or token: its stored `person`/`vendor` part plus the data part
    of its agreement, read from the sealed grant (never stored beside the person's id)."""
    return granted_scope(grant_of(record), record.scope)


class OAuthToken(TokenMixin):
    """A stored token as the revocation and introspection endpoints need it."""

    def __init__(self, record: Token) -> None:
        self.record = record

    def check_client(self, client: OAuthClient) -> bool:
        return self.record.client_id == client.client_id

    def get_scope(self) -> str:
        return _granted(self.record)

    def get_expires_in(self) -> int:
        return max(0, int((self.record.expires_at - now()).total_seconds()))

    def is_expired(self) -> bool:
        return now() >= self.record.expires_at

    def is_revoked(self) -> bool:
        return self.record.revoked_at is not None or self.record.used_at is not None

    def get_user(self) -> Person | None:
        return Person(self.record.person_id) if self.record.person_id else None

    def get_client(self) -> None:
        return None
