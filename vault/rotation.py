"""Master key rotation: re-wrap every data key and server key, never re-encrypt data.

Like `MultiFernet.rotate`, but resumable: each batch commits on its own and only rows
not yet at the active version are touched, so an interrupted run is finished by running
it again. A version is retired only once no row uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from . import crypto
from .errors import KeyRingError, RotationInProgress
from .keystore import KeyStore, data_key_aad, server_key_aad

Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True)
class RotationReport:
    """What a rotation did: which version is now active and how many keys it re-wrapped."""

    old_version: int
    new_version: int
    old_versions: list[int]
    rewrapped: int
    total: int
    resumed: bool


def _pending(keys: KeyStore, version: int) -> int:
    with keys.db.read() as tx:
        return sum(
            tx.row(f"SELECT COUNT(*) FROM {t} WHERE master_version <> ?", (version,))[0]
            for t in ("{k}data_keys", "{k}server_keys")
        )


def rotate(
    keys: KeyStore,
    progress: Progress | None = None,
    now: datetime | None = None,
    batch_size: int = 500,
) -> RotationReport:
    """Start a new master key version (or finish an interrupted rotation) and re-wrap keys."""
    ring = keys.ring
    previous = ring.active
    resumed = _pending(keys, ring.active) > 0
    if not resumed:
        ring.add_version(now or datetime.now(UTC))  # the ring file is saved before any row moves
        with keys.db.write() as tx:
            keys.store_check_value(tx, ring.active)
    version, new_kek = ring.active, ring.key(ring.active)
    old_versions = sorted(v for v in keys.versions_in_use() if v != version)
    total = _pending(keys, version)
    done = 0
    if progress:
        progress(done, total)
    with keys.db.write() as tx:
        rows = tx.all(
            "SELECT name, master_version, wrapped FROM {k}server_keys WHERE master_version <> ?",
            (version,),
        )
        for name, old, wrapped in rows:
            raw = crypto.unwrap_key(ring.key(old), wrapped, server_key_aad(name, old))
            tx.run(
                "UPDATE {k}server_keys SET master_version = ?, wrapped = ? "
                "WHERE name = ? AND master_version = ?",
                (version, crypto.wrap_key(new_kek, raw, server_key_aad(name, version)), name, old),
            )
        done += len(rows)
    while True:
        with keys.db.write() as tx:
            rows = tx.all(
                "SELECT person_id, master_version, wrapped FROM {k}data_keys "
                "WHERE master_version <> ? ORDER BY person_id LIMIT ?",
                (version, batch_size),
            )
            updates = []
            for person_id, old, wrapped in rows:
                raw = crypto.unwrap_key(ring.key(old), wrapped, data_key_aad(person_id, old))
                rewrapped = crypto.wrap_key(new_kek, raw, data_key_aad(person_id, version))
                updates.append((version, rewrapped, person_id, old))
            tx.many(
                "UPDATE {k}data_keys SET master_version = ?, wrapped = ? "
                "WHERE person_id = ? AND master_version = ?",
                updates,
            )
        if not rows:
            break
        done += len(rows)
        if progress:
            progress(min(done, total), total)
    return RotationReport(
        old_version=max(old_versions, default=previous if previous != version else version - 1),
        new_version=version,
        old_versions=old_versions,
        rewrapped=done,
        total=total,
        resumed=resumed,
    )


def retire(keys: KeyStore, version: int) -> None:
    """Forget an old master key version, refusing while any wrapped key still needs it."""
    ring = keys.ring
    if version not in ring.keys:
        raise KeyRingError(f"master key version {version} is not in {ring.path}")
    if version == ring.active:
        raise KeyRingError(f"master key version {version} is active and cannot be retired")
    in_use = keys.versions_in_use().get(version, 0)
    if in_use:
        raise RotationInProgress(
            f"{in_use} keys are still wrapped with master key version {version}; "
            "run the rotation again to finish it, then retire"
        )
    keys.forget_version(version)
    ring.drop_version(version)
