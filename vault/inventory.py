"""What a store holds: its tables (read from the migrations), their rows, and where it lives.

The table list is derived from the migrations' own statements, so a table added by a new
migration is counted by `custos store info` and copied by `custos store copy` without a list
kept by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import migrations
from .db import Backend

if TYPE_CHECKING:
    from .core import Vault

_CREATE = re.compile(r"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\{k\})?(\w+)", re.I)
_DROP = re.compile(r"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\{k\})?(\w+)", re.I)
_RENAME = re.compile(r"^\s*ALTER\s+TABLE\s+(\{k\})?(\w+)\s+RENAME\s+TO\s+(\w+)", re.I)


@dataclass(frozen=True, kw_only=True)
class StoreInfo:
    """The backend in words, the migrations applied, rows per table, the active master key."""

    backend: str
    migrations: list[str]
    rows: dict[str, int]  # table label -> rows
    master_key: int
    key_versions: dict[int, int]  # master key version -> wrapped keys using it


def tables() -> list[str]:
    """Every table of both stores in creation order (so references come first), `{k}` marked."""
    names = [migrations.DATA_LOG, migrations.KEYS_LOG]
    for migration in migrations.MIGRATIONS:
        for statement, prefix in [(s, "") for s in migration.data] + [
            (s, "{k}") for s in migration.keys
        ]:
            if not isinstance(statement, str):
                continue  # a per-dialect statement updates rows; tables are made portably
            if match := _CREATE.match(statement):
                names.append(prefix + match.group(2))
            elif match := _DROP.match(statement):
                names = [n for n in names if n != prefix + match.group(2)]
            elif match := _RENAME.match(statement):
                old, new = prefix + match.group(2), prefix + match.group(3)
                names = [new if n == old else n for n in names]
    return names


def label(table: str) -> str:
    """A table's name as shown to the operator (key-store tables as on PostgreSQL)."""
    return table.replace("{k}", "keystore_")


def count(db: Backend, table: str) -> int:
    """Rows in one table (joins the caller's transaction, if any)."""
    with db.read() as tx:
        row = tx.one(f"SELECT COUNT(*) FROM {table}")
    return int(row[0]) if row else 0


def table_counts(db: Backend) -> dict[str, int]:
    """Rows per table, in one snapshot."""
    with db.read():
        return {label(t): count(db, t) for t in tables()}


def store_info(vault: Vault) -> StoreInfo:
    """Everything `custos store info` shows, without opening any sealed value."""
    return StoreInfo(
        backend=vault.describe(),
        migrations=migrations.applied_migrations(vault.db),
        rows=table_counts(vault.db),
        master_key=vault.ring.active,
        key_versions=vault.key_versions(),
    )
