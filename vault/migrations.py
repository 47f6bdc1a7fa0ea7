"""Named, numbered schema migrations, applied on open and recorded, the same on both backends.

Each migration has a data part (tables in the data store) and a key-store part (tables that
hold wrapped keys), each recorded in its own store so either file can be checked alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import access_counts, agreements_schema, dpop, links, mail, messages, subscriptions
from .db import Backend, iso


@dataclass(frozen=True)
class Migration:
    """One step of the schema, identified by a stable name such as `0001_initial`; a
    statement is portable SQL, or a dict of SQL by dialect where the two must differ."""

    name: str
    data: Sequence[str | dict[str, str]] = field(default_factory=list)
    keys: Sequence[str | dict[str, str]] = field(default_factory=list)


MIGRATIONS: list[Migration] = [
    Migration(
        name="0001_initial",
        data=[
            """CREATE TABLE persons (
                id TEXT PRIMARY KEY,
                email_index TEXT NOT NULL UNIQUE,
                email {blob} NOT NULL,
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                log_seq INTEGER NOT NULL DEFAULT 0,
                log_head TEXT NOT NULL DEFAULT ''
            )""",
            """CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                ended_at TEXT
            )""",
            "CREATE INDEX sessions_person ON sessions(person_id)",
            """CREATE TABLE fields (
                id TEXT PRIMARY KEY,
                person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
                category {blob} NOT NULL,
                name {blob} NOT NULL,
                kind {blob} NOT NULL,
                value {blob} NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX fields_person ON fields(person_id)",
            """CREATE TABLE intents (
                id TEXT PRIMARY KEY,
                person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
                status TEXT NOT NULL,
                visibility TEXT NOT NULL,
                body {blob} NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX intents_person ON intents(person_id)",
            "CREATE INDEX intents_visible ON intents(visibility, status)",
            """CREATE TABLE events (
                person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                payload {blob} NOT NULL,
                prev_mac TEXT NOT NULL,
                mac TEXT NOT NULL,
                PRIMARY KEY (person_id, seq)
            )""",
        ],
        keys=[
            """CREATE TABLE {k}data_keys (
                person_id TEXT PRIMARY KEY,
                master_version INTEGER NOT NULL,
                wrapped {blob} NOT NULL,
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE {k}server_keys (
                name TEXT PRIMARY KEY,
                master_version INTEGER NOT NULL,
                wrapped {blob} NOT NULL
            )""",
            """CREATE TABLE {k}key_checks (
                version INTEGER PRIMARY KEY,
                check_value TEXT NOT NULL
            )""",
        ],
    ),
    Migration(name="0002_agreements", data=agreements_schema.DATA),
    Migration(name="0003_access_counts", data=access_counts.SCHEMA),
    Migration(name="0004_code_replay", data=[
        "ALTER TABLE auth_codes ADD COLUMN replayed_at TEXT",
        "ALTER TABLE auth_codes ADD COLUMN issued_at TEXT",
    ]),
    # A field sealed as one value (category, name, kind, value together): a quarter of the
    # decryptions per read. Rows written before keep their four slots and still read.
    Migration(name="0005_field_body", data=["ALTER TABLE fields ADD COLUMN body {blob}"]),
    # A vendor's name beside its metadata, so the person's pages list vendors without reading
    # every vendor's metadata: the covering index answers the name query alone (SQLite would
    # otherwise walk each row's overflow pages past `metadata` to reach the new last column).
    # Reading a JSON member is spelled differently on each backend.
    Migration(name="0006_client_name", data=[
        "ALTER TABLE oauth_clients ADD COLUMN client_name TEXT",
        "CREATE INDEX oauth_clients_names ON oauth_clients(client_id, client_name)",
        {"sqlite": "UPDATE oauth_clients SET client_name = "
                   "json_extract(metadata, '$.client_name')",
         "postgres": "UPDATE oauth_clients SET client_name = "
                     "CAST(metadata AS JSON) ->> 'client_name'"},
    ]),
    # Two-sided agreements (issue 12): the proffered record, the vendor's answer and both
    # signatures per agreement; the notices a vendor must answer, and its answers.
    Migration(name="0010_negotiations", data=[
        """CREATE TABLE negotiations (
            grant_id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
            client_id TEXT NOT NULL,
            status TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            body {blob} NOT NULL
        )""",
        "CREATE INDEX negotiations_person ON negotiations(person_id)",
        "CREATE INDEX negotiations_client ON negotiations(client_id, status)",
    ]),
    Migration(name="0011_duties", data=[
        """CREATE TABLE duties (
            id TEXT PRIMARY KEY,
            grant_id TEXT NOT NULL,
            person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
            client_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            acknowledged_at TEXT,
            body {blob} NOT NULL
        )""",
        "CREATE INDEX duties_person ON duties(person_id, acknowledged_at, due_at)",
    ]),
    # DPoP (RFC 9449): the key thumbprint a code (section 10) or a token (section 6) is bound
    # to, and the proofs already seen (section 11.1), in the store every process shares.
    Migration(name="0030_dpop", data=[
        "ALTER TABLE auth_codes ADD COLUMN dpop_jkt TEXT",
        "ALTER TABLE tokens ADD COLUMN jkt TEXT",
        *dpop.SCHEMA,
    ]),
    # Vendors' subscriptions to new intents (issue 14, intentcast webhooks).
    Migration(name="0040_intent_subscriptions", data=subscriptions.SCHEMA),
    # The reply channel of an offer: messages sealed with the person's key (issue 14).
    Migration(name="0041_offer_messages", data=messages.SCHEMA),
    # Email to the person (issue 14): queued mail, her choices, digest items (all sealed),
    # and the single-use links (hashed) with the address's verified time.
    Migration(name="0050_mail", data=mail.SCHEMA),
    Migration(name="0051_mail_links", data=links.SCHEMA),
    # A keyed tag of each field's category (HMAC under a key derived from the person's data
    # key, never the category itself), so a read opens only the fields its categories need.
    # Rows written before have no tag: they are opened as before and tagged on that read.
    Migration(name="0060_field_tag", data=[
        "ALTER TABLE fields ADD COLUMN tag TEXT",
        "CREATE INDEX fields_person_tag ON fields(person_id, tag)",
    ]),
    # When the person was told by email that a vendor's answer is overdue (issue 12/14's
    # `ack_overdue`): at most once per notice, so a second jobs run tells nobody again.
    Migration(name="0070_duty_told", data=[
        "ALTER TABLE duties ADD COLUMN told_at TEXT",
        "CREATE INDEX duties_untold ON duties(due_at, acknowledged_at, told_at)",
    ]),
]

DATA_LOG = "schema_migrations"
KEYS_LOG = "{k}schema_migrations"


def apply_migrations(db: Backend, now: datetime | None = None) -> list[str]:
    """Bring both stores up to date in one transaction; returns the names newly applied."""
    stamp = iso(now or datetime.now(UTC))
    applied: list[str] = []
    with db.write() as tx:
        db.migration_lock(tx)
        for log in (DATA_LOG, KEYS_LOG):
            tx.run(
                f"CREATE TABLE IF NOT EXISTS {log} "
                "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        done_data = {r[0] for r in tx.all(f"SELECT name FROM {DATA_LOG}")}
        done_keys = {r[0] for r in tx.all(f"SELECT name FROM {KEYS_LOG}")}
        for migration in MIGRATIONS:
            for log, done, statements in (
                (DATA_LOG, done_data, migration.data),
                (KEYS_LOG, done_keys, migration.keys),
            ):
                if migration.name in done:
                    continue
                for statement in statements:
                    tx.run(statement if isinstance(statement, str) else statement[db.dialect])
                tx.run(
                    f"INSERT INTO {log} (name, applied_at) VALUES (?, ?)", (migration.name, stamp)
                )
                if migration.name not in applied:
                    applied.append(migration.name)
    return applied


def applied_migrations(db: Backend) -> list[str]:
    """Names of the migrations recorded in the data store, in order."""
    with db.read() as tx:
        return [r[0] for r in tx.all(f"SELECT name FROM {DATA_LOG} ORDER BY name")]
