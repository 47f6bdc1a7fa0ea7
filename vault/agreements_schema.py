"""Tables of migration 0002: vendors (OAuth clients), terms, agreements, tokens and records.

Anything that speaks of a person (terms, what an agreement covers, receipts, requests, offers)
is a sealed `body` column bound to its owner and row; plain columns hold only what queries need
(ids, status, times). Tokens and codes are stored as SHA-256 only, never as issued.
"""

from __future__ import annotations

DATA: list[str] = [
    """CREATE TABLE oauth_clients (
        client_id TEXT PRIMARY KEY,
        secret_hash TEXT,
        metadata TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled_at TEXT
    )""",
    """CREATE TABLE person_terms (
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        body {blob} NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (person_id, version)
    )""",
    """CREATE TABLE grants (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at TEXT,
        last_used_at TEXT,
        body {blob} NOT NULL
    )""",
    "CREATE INDEX grants_person ON grants(person_id, status)",
    "CREATE INDEX grants_client ON grants(client_id, status)",
    """CREATE TABLE auth_codes (
        code_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        grant_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        challenge TEXT NOT NULL,
        challenge_method TEXT NOT NULL,
        scope TEXT NOT NULL,
        family_id TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    )""",
    """CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        client_id TEXT NOT NULL,
        person_id TEXT REFERENCES persons(id) ON DELETE CASCADE,
        grant_id TEXT,
        family_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        revoked_at TEXT
    )""",
    "CREATE INDEX tokens_family ON tokens(family_id)",
    "CREATE INDEX tokens_grant ON tokens(grant_id)",
    """CREATE TABLE access_requests (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        decided_at TEXT,
        grant_id TEXT,
        body {blob} NOT NULL
    )""",
    "CREATE INDEX access_requests_person ON access_requests(person_id, status)",
    "CREATE INDEX access_requests_client ON access_requests(client_id)",
    """CREATE TABLE receipts (
        id TEXT PRIMARY KEY,
        grant_id TEXT NOT NULL UNIQUE,
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        body {blob} NOT NULL
    )""",
    """CREATE TABLE offers (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        intent_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        body {blob} NOT NULL
    )""",
    "CREATE INDEX offers_person ON offers(person_id, status)",
    """CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        url TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at TEXT NOT NULL,
        delivered_at TEXT,
        last_error TEXT
    )""",
    "CREATE INDEX outbox_due ON outbox(delivered_at, next_at)",
    """CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        public_jwk TEXT NOT NULL,
        private_jwk {blob} NOT NULL,
        created_at TEXT NOT NULL,
        retired_at TEXT
    )""",
]
