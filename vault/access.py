"""A bearer token with everything a vendor's call needs, in one joined lookup.

The token, its client, its agreement (opened with the person's data key, unwrapped once for
the transaction), the status of the agreement's two-sided record, the person's newest terms
version and the head of their log come back in one statement instead of seven. In a write
transaction the person is locked before anything is judged: on SQLite `BEGIN IMMEDIATE` already
holds the only write lock; on PostgreSQL the person's row is locked `FOR UPDATE` first, so the
lookup's snapshot holds every change made under that lock (an ended agreement, new terms, the
vendor's acceptance) and the token row is share-locked, so a revocation of the token waits for
this read to commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .clients import Client
from .clients import _row as _client
from .db import Tx
from .grants import Grant
from .grants import _open as _grant
from .keystore import KeyStore
from .tokens import Token, _token, token_hash


@dataclass(frozen=True, kw_only=True)
class Access:
    """What a bearer token stands for; `client` is None when unknown or disabled."""

    token: Token
    client: Client | None
    grant: Grant | None
    terms_version: int | None  # the person's newest terms (0: never saved), None without one
    #: the status of the agreement's two-sided record (None: it proffered nothing, or no grant)
    negotiation: str | None = None


_LOOKUP = (
    "SELECT t.token_hash, t.kind, t.client_id, t.person_id, t.grant_id, t.family_id, t.scope, "
    "t.issued_at, t.expires_at, t.used_at, t.revoked_at, t.jkt, "
    "c.client_id, c.secret_hash, c.metadata, c.created_at, c.disabled_at, "
    "g.id, g.person_id, g.client_id, g.status, g.created_at, g.expires_at, g.ended_at, "
    "g.last_used_at, g.body, k.master_version, k.wrapped, p.log_seq, p.log_head, "
    "(SELECT MAX(version) FROM person_terms WHERE person_id = t.person_id), n.status "
    "FROM tokens t "
    "LEFT JOIN oauth_clients c ON c.client_id = t.client_id "
    "LEFT JOIN grants g ON g.id = t.grant_id "
    "LEFT JOIN {k}data_keys k ON k.person_id = g.person_id "
    "LEFT JOIN persons p ON p.id = t.person_id "
    "LEFT JOIN negotiations n ON n.grant_id = g.id "
    "WHERE t.token_hash = ?"
)
_LOCK_FIRST = ("SELECT id FROM persons WHERE id = "
               "(SELECT person_id FROM tokens WHERE token_hash = ?) FOR UPDATE")


def resolve(tx: Tx, keys: KeyStore, raw: str,
            ahead: Callable[[Tx, str], None] | None = None) -> Access | None:
    """The token `raw` stands for, or None when no such token was ever issued. `ahead(tx,
    token hash)` may send a query of its own in the same round trip, after the lock
    (`Fields.send_ahead`)."""
    digest = token_hash(raw)
    locking = tx.writable and tx.backend.row_locks
    if locking:  # sent ahead: the lookup below runs after it, in the same round trip
        tx.send(_LOCK_FIRST, (digest,))
        if ahead is not None:
            ahead(tx, digest)
    row = tx.one(_LOOKUP + (" FOR SHARE OF t" if locking else ""), (digest,))
    if row is None:
        return None
    token = _token(row[:12])
    client = _client(row[12:17]) if row[12] is not None else None
    if client is not None and client.disabled:
        client = None
    grant = None
    if row[17] is not None:
        person_id, version, wrapped = row[18], row[26], row[27]
        if wrapped is not None:  # none: shredded, and `sealer` (data_key) raises Shredded
            keys.unwrap_data_key(tx, person_id, version, wrapped)
        grant = _grant(keys.sealer(tx, person_id), row[17:26])
    person = token.person_id
    if tx.writable and row[28] is not None and person is not None and grant is not None \
            and person == grant.person_id:
        tx.memo["head", person] = (row[28], row[29])  # locked: see the docstring
    terms = int(row[30] or 0) if token.person_id is not None else None
    return Access(token=token, client=client, grant=grant, terms_version=terms,
                  negotiation=row[31])
