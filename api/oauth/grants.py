"""Authlib grants with Custos's rules: PKCE S256 for everyone, single-use codes, rotation.

What Authlib does by default and what changes here (read from authlib 1.9's source):
- `CodeChallenge` accepts a request with no challenge and defaults the method to `plain`;
  here a challenge is required and only S256 is accepted (RFC 9700 section 2.1.1).
- `AuthorizationCodeGrant` deletes the code after saving the token; here the code is claimed
  with one conditional UPDATE first, so of two concurrent redemptions one wins, and a spent code
  that comes back revokes every token issued from it (RFC 6749 section 4.1.2).
- `RefreshTokenGrant` keeps the refresh token unless told otherwise; here it rotates on every
  use and a rotated token that comes back revokes its whole family (RFC 9700 section 4.14.2).
- DPoP (RFC 9449): a token request with a valid proof gets tokens bound to the proof's key
  (`token_type: DPoP`); a code asked for with `dpop_jkt` and a bound refresh token are redeemed
  only with a proof by that key; a client registered with `dpop_bound_access_tokens` must send
  a proof every time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, grants
from authlib.oauth2.rfc7636 import CodeChallenge

from vault.agreement_events import TokenReuseDetected
from vault.grants import Grant
from vault.tokens import CodeReplayed

from ..clock import now
from ..store import get_vault
from . import proofs
from .models import OAuthCode, OAuthToken, Person
from .scopes import carried, granted_details, granted_scope, stored_scope

CODE_TTL = timedelta(minutes=5)  # RFC 6749 section 4.1.2: at most 10 minutes
ACCESS_TTL = timedelta(minutes=10)
REFRESH_TTL = timedelta(days=30)
SECRET_METHODS = ["client_secret_basic", "client_secret_post"]
AUTH_METHODS = [*SECRET_METHODS, "none"]  # "none": a public client names itself (6749 3.2.1)


@dataclass
class HookData:
    """What Custos carries on one Authlib request from a grant's hook to `save_token`."""

    grant: Grant | None = None  # the agreement the code or token is bound to
    family_id: str | None = None  # the token family (one per code): revoked together on reuse
    code_hash: str | None = None  # the code being redeemed: save_token re-checks for a replay
    raw_refresh: str | None = None  # the refresh token being rotated, claimed once


def hook_data(request) -> HookData:
    """The request's HookData, made on first use (Authlib's request has no place of its own)."""
    found = getattr(request, "custos", None)
    if found is None:
        found = request.custos = HookData()
    return found


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


def _proof_for(client, bound: str | None = None):
    """The request's DPoP proof where one is needed (RFC 9449 sections 5, 5.3 and 10)."""
    proof = proofs.proof()
    if proof is None and client.metadata.get("dpop_bound_access_tokens"):
        # RFC 9449 section 5.3: the server MUST reject its token requests without a proof
        raise proofs.InvalidDpopProof("This client registered dpop_bound_access_tokens: "
                                      "send a DPoP proof.")
    if bound is not None and (proof is None or proof.jkt != bound):
        raise proofs.InvalidDpopProof("This credential is bound to a DPoP key: send a proof "
                                      "signed with that key.")
    return proof


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
            grant_id=hook_data(request).grant.id, redirect_uri=request.payload.redirect_uri,
            challenge=request.payload.data["code_challenge"], challenge_method="S256",
            scope=stored_scope(request.scope), family_id=str(uuid.uuid4()),
            expires_at=now() + CODE_TTL, dpop_jkt=request.payload.data.get("dpop_jkt") or None)

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
        _proof_for(self.request.client, record.dpop_jkt)  # RFC 9449 section 10: MUST match
        if not get_vault().agreements.tokens.claim_code(code.raw, now()):
            _reuse(record.family_id, record.client_id, record.person_id, record.grant_id, "code",
                   record.code_hash)
            raise InvalidGrantError("Invalid 'code' in request.")
        hooked = hook_data(self.request)
        hooked.grant = _live_grant(record.grant_id)
        hooked.family_id = record.family_id
        hooked.code_hash = record.code_hash  # save_token re-checks for a replay
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
        # RFC 9449 section 5: a bound refresh token needs a proof by its key (checked before
        # the claim, so a thief without the key cannot spend, and so revoke, the family)
        _proof_for(self.request.client, record.jkt)
        hook_data(self.request).raw_refresh = refresh_token
        return OAuthToken(record)

    def authenticate_user(self, refresh_token):
        return refresh_token.get_user()

    def create_token_response(self):
        record = self.request.refresh_token.record
        hooked = hook_data(self.request)
        if not get_vault().agreements.tokens.claim_refresh(hooked.raw_refresh, now()):
            _reuse(record.family_id, record.client_id, record.person_id, record.grant_id,
                   "refresh_token")
            raise InvalidGrantError("The refresh token is no longer valid.")
        hooked.grant = _live_grant(record.grant_id)
        hooked.family_id = record.family_id
        return super().create_token_response()

    def revoke_old_credential(self, refresh_token):
        """Already spent by the claim above."""


class VendorCredentials(grants.ClientCredentialsGrant):
    """Client credentials (RFC 6749 section 4.4) for vendor calls that name no person."""

    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_METHODS  # confidential clients only

    def create_token_response(self):
        _proof_for(self.request.client)
        return super().create_token_response()


def save_token(token: dict, request) -> None:
    """Store hashes only, and answer with the scope and `authorization_details` as issued
    (RFC 6749 section 3.3, RFC 9396 section 7). A refresh may narrow the access token's
    scope; the new refresh token keeps the old one's (RFC 6749 section 6: it MUST be
    identical)."""
    hooked = hook_data(request)
    grant = hooked.grant
    at = now()
    refresh_until = min(at + REFRESH_TTL, grant.expires_at) if grant else None
    scope = stored_scope(token.get("scope"), grant)
    spent = request.refresh_token  # the refresh token being rotated, if this is a refresh
    proof = proofs.proof()  # each grant has already required it where needed
    jkt = proof.jkt if proof else None
    get_vault().agreements.tokens.save(
        access=token["access_token"], refresh=token.get("refresh_token"),
        client_id=request.client.client_id, person_id=grant.person_id if grant else None,
        grant_id=grant.id if grant else None,
        family_id=hooked.family_id or str(uuid.uuid4()),
        scope=scope, refresh_scope=spent.record.scope if spent else scope, now=at,
        access_ttl=timedelta(seconds=token["expires_in"]), refresh_expires=refresh_until,
        code_hash=hooked.code_hash, jkt=jkt,
        # RFC 9449 section 5: a public client's refresh token MUST be bound to the key; a
        # confidential client's is bound to its authentication instead
        refresh_jkt=jkt if request.client.record.public else None)
    if jkt:
        token["token_type"] = "DPoP"  # RFC 9449 section 5: MUST be included
    if grant is not None:
        token["scope"] = granted_scope(grant, scope)
        if details := granted_details(carried(grant, scope)):
            token["authorization_details"] = details
