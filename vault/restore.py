"""Bring a `custos backup` back into an empty home, then prove it reads before anyone uses it.

A data backup holds no keys (docs/security.md), so a restore needs three things: the data
backup, a copy of the key store (`custos backup --keys`) taken at the same time or later, and
the master key ring. Checks after the copy: SQLite integrity of both files, the ring's key check
values, every data key unwraps, every audit chain verifies, every sealed value of every person
opens and the sign-in lookup finds each person. Any failure removes what the restore wrote.
A person whose key is not in the key store was deleted after the backup (crypto-shredded) or
created after the key-store copy: their rows can never be read, so they are removed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .core import Vault
from .db.sqlite import DATA_FILE, KEYS_FILE, TURNS_FILE, SQLiteBackend
from .errors import CryptoError, NotFound, Shredded, VaultError
from .keys import load_ring, ring_path

ALLOWED_IN_HOME = {"master.key", "session.secret"}  # neither holds data


class RestoreRefused(VaultError):
    """The backup cannot be restored here; the message says why and what to do."""


@dataclass(frozen=True, kw_only=True)
class RestoreReport:
    """What was restored and what was checked, for the operator to read."""

    home: Path
    persons: int = 0
    logs: int = 0
    values: int = 0  # sealed values opened: fields, intents, terms versions, log entries
    removed: list[str] = field(default_factory=list)  # persons whose key was not there
    integrity: list[str] = field(default_factory=list)
    master_versions: list[int] = field(default_factory=list)


def restore(
    backup: Path, keys: Path, home: Path, now: datetime, *, master_key: Path | None = None
) -> RestoreReport:
    """Copy the backup and key store into the empty `home`, open, verify; undo on failure."""
    home = Path(home)
    present = sorted(p.name for p in home.iterdir()) if home.exists() else []
    if set(present) - ALLOWED_IN_HOME:
        raise RestoreRefused(f"{home} is not empty ({', '.join(present[:5])}); restore only "
                             "into a new, empty CUSTOS_HOME")
    _check_sqlite(backup, "the backup", needs="persons", must_not="data_keys")
    _check_sqlite(keys, "the key store copy", needs="data_keys")
    ring = ring_path(home)
    written = [home / DATA_FILE, home / KEYS_FILE]
    if master_key is not None:
        if ring.exists():
            raise RestoreRefused(f"a master key ring is already at {ring}; leave out "
                                 "--master-key to use it")
        load_ring(Path(master_key))  # refuses a ring others can read, or not a ring
        written.append(ring)
    elif not ring.exists():
        raise RestoreRefused("the backup holds no keys: give the master key ring with "
                             f"--master-key (it is read from {ring} otherwise)")
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        sources = [p for p in (backup, keys, master_key) if p is not None]
        for source, target in zip(sources, written, strict=False):
            _copy_private(Path(source), target)
        return _verify(home, now)
    except BaseException:
        for path in written:
            for extra in ("", "-wal", "-shm", ".tmp"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        (home / TURNS_FILE).unlink(missing_ok=True)  # made by the check's first write
        raise


def _check_sqlite(path: Path, what: str, *, needs: str, must_not: str | None = None) -> None:
    """A readable Custos SQLite file whose pages are intact, before anything is copied."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise RestoreRefused(f"cannot read {what} {path}: {exc.strerror}") from None
    if header != b"SQLite format 3\x00":
        raise RestoreRefused(f"{what} {path} is not an SQLite database (damaged, or not a "
                             "Custos backup)")
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        check = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise RestoreRefused(f"{what} {path} is damaged: {exc}") from None
    finally:
        conn.close()
    if check != ["ok"]:
        raise RestoreRefused(f"{what} {path} is damaged: {check[0][:200]}")
    if needs not in names or (must_not and must_not in names):
        raise RestoreRefused(f"{what} {path} is not a Custos "
                             f"{'key store' if needs == 'data_keys' else 'data backup'}")


def _copy_private(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out)
        out.flush()
        os.fsync(out.fileno())


def _verify(home: Path, now: datetime) -> RestoreReport:
    vault = Vault.open(home, now=now)  # key check values: a wrong ring stops here
    try:
        assert isinstance(vault.db, SQLiteBackend)  # restore() refuses PostgreSQL before this
        integrity = vault.db.integrity_check()
        if integrity != ["ok", "ok"]:
            raise RestoreRefused(f"the restored store is damaged: {integrity}")
        ids = vault.person_ids()
        readable, removed = [], []
        for pid in ids:
            with vault.db.read() as tx:
                try:
                    vault.keys.data_key(tx, pid)
                    readable.append(pid)
                except Shredded:
                    removed.append(pid)
        if ids and not readable:
            raise RestoreRefused(f"none of the {len(ids)} persons in the backup has a key in "
                                 "the key store: is it the key store of this vault?")
        problems = vault.verify_log()
        if problems:
            first = problems[0]
            raise RestoreRefused(f"the backup's audit log is not intact ({len(problems)} "
                                 f"problem(s); person {first.person_id} entry {first.seq}: "
                                 f"{first.message}): it was changed after it was written")
        values = sum(_open_everything(vault, pid) for pid in readable)
        for pid in removed:
            vault.delete_person(pid)
        return RestoreReport(home=home, persons=len(readable), logs=len(readable),
                             values=values, removed=removed, integrity=integrity,
                             master_versions=sorted(vault.ring.keys))
    finally:
        vault.close()


def _open_everything(vault: Vault, pid: str) -> int:
    """Open every sealed value of one person; a changed byte anywhere refuses the backup."""
    try:
        person = vault.get_person(pid)
        opened: list[list] = [vault.list_fields(pid), vault.list_intents(pid),
                              vault.list_events(pid), vault.agreements.grants.for_person(pid)]
        terms = [vault.agreements.terms.get(pid, v) for v, _ in
                 vault.agreements.terms.versions(pid)]
        found = vault.find_person_by_email(person.email)
    except (CryptoError, NotFound):
        raise RestoreRefused(f"a sealed value of person {pid} does not open: the backup was "
                             "changed, or the key store does not belong to it") from None
    if found is None or found.id != pid:
        raise RestoreRefused("the sign-in lookup does not find the restored persons: the key "
                             "store does not belong to this backup")
    return 1 + sum(len(o) for o in opened) + len(terms)
