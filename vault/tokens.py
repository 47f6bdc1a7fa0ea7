"""Authorization codes and tokens, stored as SHA-256 only, with single use done atomically.

A code and everything issued from it share a `family_id`; so do a refresh token and its
successors. Reuse of a spent code or a rotated refresh token revokes the whole family
(RFC 6749 section 4.1.2, RFC 9700 section 4.14.2). "Claim" is one conditional UPDATE, so of
two concurrent redemptions exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from . import crypto
from .db import Backend, Tx, from_iso, iso
from .errors import VaultError


class CodeReplayed(VaultError):
    """Tokens were to be saved for a code that has come back meanwhile: nothing is saved."""


def token_hash(raw: str) -> str:
    """How a code or token is stored and looked up: never the raw value."""
    return crypto.sha256_hex(raw.encode())


@dataclass(frozen=True, kw_only=True)
class Code:
    """An authorization code as stored: bound to client, redirect URI, PKCE challenge, grant."""

    code_hash: str
    client_id: str
    person_id: str
    grant_id: str
    redirect_uri: str
    challenge: str
    challenge_method: str
    scope: str
    family_id: str
    expires_at: datetime
    used_at: datetime | None
    dpop_jkt: str | None = None  # RFC 9449 section 10: the key that must redeem it


@dataclass(frozen=True, kw_only=True)
class Token:
    """An access or refresh token as stored; `person_id` is None for client credentials."""

    token_hash: str
    kind: str
    client_id: str
    person_id: str | None
    grant_id: str | None
    family_id: str
    scope: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    jkt: str | None = None  # RFC 9449 section 6.1: bound to this key's thumbprint

    def active(self, now: datetime) -> bool:
        """Not revoked, not rotated (refresh), not expired."""
        return self.revoked_at is None and self.used_at is None and now < self.expires_at


def _dt(text: str | None) -> datetime | None:
    return from_iso(text) if text else None


_CODE = (
    "SELECT code_hash, client_id, person_id, grant_id, redirect_uri, challenge, "
    "challenge_method, scope, family_id, expires_at, used_at, dpop_jkt FROM auth_codes"
)
_TOKEN = (
    "SELECT token_hash, kind, client_id, person_id, grant_id, family_id, scope, issued_at, "
    "expires_at, used_at, revoked_at, jkt FROM tokens"
)


def _token(row: tuple) -> Token:
    h, kind, cid, pid, gid, fam, scope, issued, expires, used, revoked, jkt = row
    return Token(
        token_hash=h,
        kind=kind,
        client_id=cid,
        person_id=pid,
        grant_id=gid,
        family_id=fam,
        scope=scope,
        issued_at=from_iso(issued),
        expires_at=from_iso(expires),
        used_at=_dt(used),
        revoked_at=_dt(revoked),
        jkt=jkt,
    )


class Tokens:
    """Save, find, claim and revoke codes and tokens."""

    def __init__(self, db: Backend) -> None:
        self.db = db

    def save_code(
        self,
        code: str,
        *,
        client_id: str,
        person_id: str,
        grant_id: str,
        redirect_uri: str,
        challenge: str,
        challenge_method: str,
        scope: str,
        family_id: str,
        expires_at: datetime,
        dpop_jkt: str | None = None,
    ) -> None:
        """Store a fresh code (hash only)."""
        with self.db.write() as tx:
            tx.run(
                "INSERT INTO auth_codes (code_hash, client_id, person_id, grant_id, "
                "redirect_uri, challenge, challenge_method, scope, family_id, expires_at, "
                "dpop_jkt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (token_hash(code), client_id, person_id, grant_id, redirect_uri, challenge,
                 challenge_method, scope, family_id, iso(expires_at), dpop_jkt),
            )

    def find_code(self, code: str) -> Code | None:
        """The stored code, spent or not (the caller decides what reuse means)."""
        with self.db.read() as tx:
            row = tx.one(_CODE + " WHERE code_hash = ?", (token_hash(code),))
        if row is None:
            return None
        *head, expires, used, dpop_jkt = row
        return Code(
            **dict(zip(Code.__dataclass_fields__, head, strict=False)),
            expires_at=from_iso(expires),
            used_at=_dt(used),
            dpop_jkt=dpop_jkt,
        )

    def claim_code(self, code: str, now: datetime) -> bool:
        """Mark the code spent; True for exactly one caller, and only before it expires."""
        with self.db.write() as tx:
            return (
                tx.run(
                    "UPDATE auth_codes SET used_at = ? WHERE code_hash = ? AND "
                    "used_at IS NULL AND expires_at > ?",
                    (iso(now), token_hash(code), iso(now)),
                )
                == 1
            )

    def code_replayed(self, code_hash: str, family_id: str, now: datetime) -> int:
        """A spent code came back: flag it and revoke what it issued (RFC 6749 section 4.1.2).

        A redemption's token save checks the flag under the same row lock, so its tokens are
        either saved before this revocation (and revoked by it) or refused.
        """
        with self.db.write() as tx:
            tx.run("UPDATE auth_codes SET replayed_at = ? WHERE code_hash = ? AND "
                   "replayed_at IS NULL", (iso(now), code_hash))
            return tx.run("UPDATE tokens SET revoked_at = ? WHERE family_id = ? AND "
                          "revoked_at IS NULL", (iso(now), family_id))

    def save(
        self,
        *,
        access: str,
        refresh: str | None,
        client_id: str,
        person_id: str | None,
        grant_id: str | None,
        family_id: str,
        scope: str,
        now: datetime,
        access_ttl: timedelta,
        refresh_expires: datetime | None = None,
        refresh_scope: str | None = None,
        code_hash: str | None = None,
        jkt: str | None = None,
        refresh_jkt: str | None = None,
    ) -> None:
        """Store an access token and its refresh token, if any, in one transaction; tokens
        from a code name it, and a code flagged as replayed raises CodeReplayed (saves nothing).
        The refresh token's scope may differ (a refresh narrows only the access token), and so
        may its DPoP key (RFC 9449 section 5: bound for public clients only).
        """
        rows = [(token_hash(access), "access", now + access_ttl, scope, jkt)]
        if refresh:
            rows.append((token_hash(refresh), "refresh", refresh_expires or now + access_ttl,
                         scope if refresh_scope is None else refresh_scope, refresh_jkt))
        with self.db.write() as tx:
            if code_hash is not None and tx.run(
                "UPDATE auth_codes SET issued_at = ? WHERE code_hash = ? AND "
                "replayed_at IS NULL", (iso(now), code_hash)) != 1:
                raise CodeReplayed("this code was replayed; no token is issued from it")
            for digest, kind, expires, stored, key in rows:
                tx.run(
                    "INSERT INTO tokens (token_hash, kind, client_id, person_id, grant_id, "
                    "family_id, scope, issued_at, expires_at, jkt) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        digest,
                        kind,
                        client_id,
                        person_id,
                        grant_id,
                        family_id,
                        stored,
                        iso(now),
                        iso(expires),
                        key,
                    ),
                )

    def load(self, tx: Tx, raw: str) -> Token | None:
        """A token inside the caller's transaction (the resource read runs in one)."""
        row = tx.one(_TOKEN + " WHERE token_hash = ?", (token_hash(raw),))
        return _token(row) if row else None

    def find(self, raw: str) -> Token | None:
        """A stored token of any state, or None."""
        with self.db.read() as tx:
            return self.load(tx, raw)

    def claim_refresh(self, raw: str, now: datetime) -> bool:
        """Rotate: mark a live refresh token used; True for exactly one caller."""
        with self.db.write() as tx:
            return (
                tx.run(
                    "UPDATE tokens SET used_at = ? WHERE token_hash = ? AND kind = 'refresh' "
                    "AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
                    (iso(now), token_hash(raw), iso(now)),
                )
                == 1
            )

    def revoke(self, digest: str, now: datetime) -> int:
        """Revoke one token by its hash."""
        with self.db.write() as tx:
            return tx.run(
                "UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                (iso(now), digest),
            )

    def revoke_family(self, family_id: str, now: datetime) -> int:
        """Revoke every token descended from one code or refresh chain."""
        with self.db.write() as tx:
            return tx.run(
                "UPDATE tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
                (iso(now), family_id),
            )
