"""Authlib grants with Custos's rules: PKCE S256 for everyone, single-use codes, rotation.

What Authlib does by default and what changes here (read from authlib 1.9's source):
- `CodeChallenge` accepts a request with no challenge and defaults the method to `plain`;
  here a challenge is required and only S256 is accepted (RFC 9700 section 2.1.1).
- `AuthorizationCodeGrant` deletes the code after saving the token; here the code is claimed
  with one conditional UPDATE first, so of two concurrent redemptions one wins, and a spent code
  that comes back revokes every token issued from it (RFC 6749 section 4.1.2).
- `RefreshTokenGrant` keeps the refresh token unless told otherwise; here it rotates on every
  use and a rotated token that comes back revokes its whole family (RFC 9700 section 4.14.2).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, grants
from authlib.oauth2.rfc7636 import CodeChallenge

from vault.agreement_events import TokenReuseDetected
from vault.tokens import CodeReplayed

from ..clock import now
from ..store import get_vault
from .details import coarse_scope
from .models import OAuthCode, OAuthToken, Person
from .registration import AUTH_METHODS

CODE_TTL = timedelta(minutes=5)  # RFC 6749 section 4.1.2: at most 10 minutes
ACCESS_TTL = timedelta(minutes=10)
REFRESH_TTL = timedelta(days=30)


class S256Challenge(CodeChallenge):
    """PKCE (RFC 7636) required for every client, S256 only."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    CODE_CHALLENGE_METHODS = {"S256": CodeChallenge.CODE_CHALLENGE_METHODS["S256"]}

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("code_challenge is required (PKCE with S256).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


def _reuse(family_id: str, client_id: str, person_id: str | None, grant_id: str | None,
           kind: str, code_hash: str | None = None) -> None:
    """A spent credential came back: revoke its family (a code: flag it too) and tell the
    person (RFC 6749 section 4.1.2, RFC 9700 section 4.14.2)."""
    vault = get_vault()
    tokens = vault.agreements.tokens
    revoked = tokens.code_replayed(code_hash, family_id, now()) if code_hash \
        else tokens.revoke_family(family_id, now())
    if person_id:
        vault.record(person_id, TokenReuseDetected(client_id=client_id, grant_id=grant_id,
                                                   credential=kind, revoked=revoked), now())


def _live_grant(grant_id: str | None):
    grant = get_vault().agreements.grants.get(grant_id) if grant_id else None
    if grant is None or not grant.live(now()):
        raise InvalidGrantError("The agreement behind this credential has ended.")
    return grant


class CodeGrant(grants.AuthorizationCodeGrant):
    """Authorization code grant (RFC 6749 section 4.1) bound to a Custos agreement."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code, request):
        get_vault().agreements.tokens.save_code(
            code, client_id=request.client.client_id, person_id=request.user.id,
            grant_id=request.custos_grant.id, redirect_uri=request.payload.redirect_uri,
            challenge=request.payload.data["code_challenge"], challenge_method="S256",
            scope=coarse_scope(request.scope), family_id=str(uuid.uuid4()),
            expires_at=now() + CODE_TTL)

    def query_authorization_code(self, code, client):
        record = get_vault().agreements.tokens.find_code(code)
        if record is None or record.client_id != client.client_id:
            return None
        if record.used_at is not None:
            _reuse(record.family_id, client.client_id, record.person_id, record.grant_id, "code",
                   record.code_hash)
            return None
        if now() >= record.expires_at:
            return None
        return OAuthCode(record, code)

    def delete_authorization_code(self, authorization_code):
        """Nothing to delete: the code was spent atomically in create_token_response."""

    def authenticate_user(self, authorization_code):
        return Person(authorization_code.record.person_id)

    def create_token_response(self):
        code = self.request.authorization_code
        record = code.record
        if not get_vault().agreements.tokens.claim_code(code.raw, now()):
            _reuse(record.family_id, record.client_id, record.person_id, record.grant_id, "code",
                   record.code_hash)
            raise InvalidGrantError("Invalid 'code' in request.")
        self.request.custos_grant = _live_grant(record.grant_id)
        self.request.family_id = record.family_id
        self.request.custos_code_hash = record.code_hash  # save_token re-checks for a replay
        try:
            return super().create_token_response()
        except CodeReplayed:
            raise InvalidGrantError("Invalid 'code' in request.") from None


class RefreshGrant(grants.RefreshTokenGrant):
    """Refresh (RFC 6749 section 6) with rotation and family revocation on reuse."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        record = get_vault().agreements.tokens.find(refresh_token)
        if record is None or record.kind != "refresh":
            return None
        if record.used_at is not None:
            _reuse(record.family_id, record.client_id, record.person_id, record.grant_id,
                   "refresh_token")
            return None
        if not record.active(now()):
            return None
        self.request.custos_raw_refresh = refresh_token
        return OAuthToken(record)

    def authenticate_user(self, refresh_token):
        return refresh_token.get_user()

    def create_token_response(self):
        record = self.request.refresh_token.record
        if not get_vault().agreements.tokens.claim_refresh(self.request.custos_raw_refresh, now()):
            _reuse(record.family_id, record.client_id, record.person_id, record.grant_id,
                   "refresh_token")
            raise InvalidGrantError("The refresh token is no longer valid.")
        self.request.custos_grant = _live_grant(record.grant_id)
        self.request.family_id = record.family_id
        return super().create_token_response()

    def revoke_old_credential(self, refresh_token):
        """Already spent by the claim above."""


class VendorCredentials(grants.ClientCredentialsGrant):
    """Client credentials (RFC 6749 section 4.4) for vendor calls that name no person."""

    TOKEN_ENDPOINT_AUTH_METHODS = [m for m in AUTH_METHODS if m != "none"]  # confidential only


def save_token(token: dict, request) -> None:
    """Store hashes only; add the granted authorization_details (RFC 9396 section 7)."""
    grant = getattr(request, "custos_grant", None)
    at = now()
    refresh_until = min(at + REFRESH_TTL, grant.expires_at) if grant else None
    get_vault().agreements.tokens.save(
        access=token["access_token"], refresh=token.get("refresh_token"),
        client_id=request.client.client_id, person_id=grant.person_id if grant else None,
        grant_id=grant.id if grant else None,
        family_id=getattr(request, "family_id", None) or str(uuid.uuid4()),
        scope=coarse_scope(token.get("scope")), now=at,
        access_ttl=timedelta(seconds=token["expires_in"]), refresh_expires=refresh_until,
        code_hash=getattr(request, "custos_code_hash", None))
    if grant is not None and grant.categories:
        from .details import DataAccess

        detail = DataAccess(purpose=grant.purpose, categories=grant.categories,
                            retention_days=grant.retention_days,
                            third_party_sharing=grant.third_party_sharing,
                            recipients=grant.recipients).as_detail()
        detail["expires_at"] = grant.expires_at.isoformat()
        token["authorization_details"] = [detail]
