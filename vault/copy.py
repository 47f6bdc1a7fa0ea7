"""Copy a whole store into an empty one: SQLite to PostgreSQL, and back again.

Rows travel as stored. A sealed value stays bound to its owner, table, row and column, none of
which change, so nothing is decrypted on the way and the master key ring is not touched. The
tables are read from the migrations, so a table added by a new migration is copied too.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import migrations
from .db import Backend, Tx, open_backend, redact
from .errors import NotFound, VaultError
from .inventory import count, label, tables

if TYPE_CHECKING:
    from .core import Vault

BATCH = 500
SAMPLE = 25  # persons whose values are opened on both sides after the copy



class CopyRefused(VaultError):
    """The target cannot take the copy (not empty, or not a store URL); nothing was written."""


class CopyMismatch(VaultError):
    """The copy finished but does not match the source; do not switch to it."""


@dataclass(frozen=True, kw_only=True)
class CopyReport:
    """What was copied where, and what the check afterwards found."""

    source: str
    target: str
    rows: dict[str, int]  # table label -> rows copied (and counted again on the target)
    migrations: list[str]
    persons: int
    sampled: int  # persons whose values were opened on the target and compared
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def sqlite_folder(url: str) -> Path:
    """The folder of `sqlite:///relative/folder` or `sqlite:////absolute/folder`."""
    folder = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    if folder.strip("/") == "":
        raise CopyRefused("name the folder for the SQLite files: sqlite:////absolute/folder")
    return Path(folder)


def open_target(url: str) -> Backend:
    """`postgresql://...` or `sqlite:////folder` (a new CUSTOS_HOME for custos.db and keys.db)."""
    if url.startswith("sqlite"):
        return open_backend(sqlite_folder(url), None)
    if url.startswith(("postgresql://", "postgres://")):
        return open_backend(None, url)
    raise CopyRefused("the target must be postgresql://... or sqlite:////path/to/folder")


def copy_store(
    vault: Vault,
    url: str,
    progress: Callable[[int, int], None] | None = None,
    *,
    batch: int = BATCH,
    sample: int = SAMPLE,
) -> CopyReport:
    """Copy every table of `vault` into the empty store at `url`, then check the copy."""
    started = datetime.now(UTC)
    target = open_target(url)
    try:
        names = tables()
        _refuse_unless_empty(target, names, url)
        migrations.apply_migrations(target)  # the same schema, made by the same code
        with vault.db.read() as src:  # one snapshot: every table as of the same moment
            totals = {t: count(vault.db, t) for t in names}
            applied = migrations.applied_migrations(vault.db)
            done = 0
            for table in names:
                try:
                    done = _copy_table(
                        src, target, table, batch, done, sum(totals.values()), progress
                    )
                except Exception as exc:
                    raise CopyMismatch(
                        f"the copy stopped at table {label(table)} ({type(exc).__name__}: "
                        f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}); "
                        f"{redact(url)} now holds part of the data: empty it before trying again"
                    ) from exc
        persons, sampled = _verify(vault, target, totals, sample, url)
    finally:
        target.close()
    return CopyReport(
        source=vault.db.location(),
        target=redact(url),
        rows={label(t): n for t, n in totals.items()},
        migrations=sorted(applied),
        persons=persons,
        sampled=sampled,
        seconds=(datetime.now(UTC) - started).total_seconds(),
    )


def _refuse_unless_empty(target: Backend, names: list[str], url: str) -> None:
    """A store with any rows (beyond the migration logs) is refused: the copy never merges."""
    existing = target.tables_present()
    logs = {migrations.DATA_LOG, migrations.KEYS_LOG}
    full: list[str] = []
    with target.read():
        for table in names:
            if table not in logs and target.sql(table) in existing:
                rows = count(target, table)
                if rows:
                    full.append(f"{label(table)} ({rows})")
    if full:
        shown = ", ".join(full[:5]) + (", ..." if len(full) > 5 else "")
        raise CopyRefused(
            f"the target {redact(url)} is not empty: it holds rows in {shown}. "
            "Copy only into an empty database (or a new schema or folder)."
        )


def _batches(src: Tx, table: str, size: int) -> Iterator[Sequence[Any]]:
    """A table's rows in batches, as the source backend reads them best."""
    return src.backend.batches(src, f"SELECT * FROM {table}", size)


def _copy_table(
    src: Tx,
    target: Backend,
    table: str,
    size: int,
    done: int,
    total: int,
    progress: Callable[[int, int], None] | None,
) -> int:
    """One table in one target transaction; the migration logs replace the target's own."""
    src.cursor.execute(src.backend.sql(f"SELECT * FROM {table} WHERE 1 = 0"))
    columns = [d[0] for d in src.cursor.description]
    src.cursor.fetchall()
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    with target.write() as tx:
        tx.run(f"DELETE FROM {table}")  # only ever the migration log: the rest is empty
        for rows in _batches(src, table, size):
            tx.many(insert, rows)
            done += len(rows)
            if progress:
                progress(done, total)
    return done


def _verify(
    vault: Vault, target: Backend, totals: dict[str, int], sample: int, url: str
) -> tuple[int, int]:
    """Counts per table, every audit chain, and a sample of values opened on both sides."""
    from .core import Vault as VaultClass

    with target.read():
        counted = {t: count(target, t) for t in totals}
    wrong = [
        f"{label(t)}: {totals[t]} copied, {counted[t]} found"
        for t in totals
        if counted[t] != totals[t]
    ]
    if wrong:
        raise CopyMismatch(f"the copy in {redact(url)} differs: " + "; ".join(wrong))
    copy = VaultClass(target, vault.ring, [])
    copy.keys.check_ring(datetime.now(UTC))  # the copied key check values match the ring
    problems = copy.verify_log()
    if problems:
        first = problems[0]
        raise CopyMismatch(
            f"{len(problems)} audit chain problem(s) in the copy, first: person "
            f"{first.person_id} entry {first.seq}: {first.message}"
        )
    ids = vault.person_ids()
    chosen = random.sample(ids, min(sample, len(ids)))
    opened = 0
    for pid in chosen:
        try:
            person = vault.get_person(pid)
        except NotFound:  # shredded: nothing to open on either side
            continue
        same = (
            copy.get_person(pid) == person
            and copy.list_fields(pid) == vault.list_fields(pid)
            and copy.list_intents(pid) == vault.list_intents(pid)
            and copy.list_events(pid) == vault.list_events(pid)
            and getattr(copy.find_person_by_email(person.email), "id", None) == pid
        )
        if not same:
            raise CopyMismatch(f"person {pid} reads differently in the copy {redact(url)}")
        opened += 1
    return len(ids), opened
