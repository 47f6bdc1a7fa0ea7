"""The versioned master key ring: a small JSON file, mode 0600, outside the database.

Format (`custos-master-key-ring/1`):
`{"format": ..., "active": 2, "keys": {"1": {"key": "<base64>", "created": "<iso>"}, ...}}`.
The ring never leaves this machine's disk; the store keeps only key check values.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import crypto
from .errors import KeyRingError

FORMAT = "custos-master-key-ring/1"
ENV_FILE = "CUSTOS_MASTER_KEY_FILE"
_CHECK_INPUT = b"custos key check value v1"


def ring_path(home: Path, override: str | os.PathLike[str] | None = None) -> Path:
    """Where the ring lives: an explicit path, then $CUSTOS_MASTER_KEY_FILE, then home."""
    chosen = override or os.environ.get(ENV_FILE)
    return Path(chosen) if chosen else Path(home) / "master.key"


@dataclass
class MasterKeyRing:
    """Master key versions by number; `active` wraps every new data key."""

    path: Path
    active: int
    keys: dict[int, bytes] = field(repr=False)
    created: dict[int, str] = field(default_factory=dict)
    stamp: int = 0  # the file's mtime when read, to notice another process's rotation

    def refresh(self) -> None:
        """Re-read the file if another process rotated or retired since we loaded it."""
        try:
            changed = self.path.stat().st_mtime_ns != self.stamp
        except FileNotFoundError:
            return
        if changed:
            fresh = load_ring(self.path)
            self.active, self.keys, self.created = fresh.active, fresh.keys, fresh.created
            self.stamp = fresh.stamp

    def key(self, version: int) -> bytes:
        """The key of one version, re-reading the file once in case another process rotated."""
        if version not in self.keys:
            self.refresh()
        if version not in self.keys:
            raise KeyRingError(f"master key version {version} is not in {self.path}")
        return self.keys[version]

    def check_value(self, version: int) -> str:
        """A key check value: proves the right key without revealing it."""
        return crypto.mac(self.key(version), _CHECK_INPUT).hex()

    def add_version(self, now: datetime) -> int:
        """Create a new active version and persist the ring atomically."""
        version = max(self.keys, default=0) + 1
        self.keys[version] = crypto.new_key()
        self.created[version] = now.isoformat()
        self.active = version
        self.save()
        return version

    def drop_version(self, version: int) -> None:
        """Forget a retired version's key material for good."""
        if version == self.active:
            raise KeyRingError(f"master key version {version} is active and cannot be retired")
        self.keys.pop(version, None)
        self.created.pop(version, None)
        self.save()

    def save(self) -> None:
        """Write to a 0600 temp file, fsync, then rename, so a crash never leaves half a ring."""
        doc = {
            "format": FORMAT,
            "active": self.active,
            "keys": {
                str(v): {"key": base64.b64encode(k).decode(), "created": self.created.get(v, "")}
                for v, k in sorted(self.keys.items())
            },
        }
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, json.dumps(doc, indent=2).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)
        self.stamp = self.path.stat().st_mtime_ns


def load_ring(path: Path) -> MasterKeyRing:
    """Read and validate the ring; refuses a file that others could read."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise KeyRingError(f"master key file {path} does not exist") from None
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyRingError(
            f"master key file {path} is readable by group or others "
            f"(mode {stat.S_IMODE(st.st_mode):04o}); run: chmod 600 {path}"
        )
    try:
        doc = json.loads(path.read_text())
        if doc.get("format") != FORMAT:
            raise ValueError("format")
        keys = {int(v): base64.b64decode(e["key"], validate=True) for v, e in doc["keys"].items()}
        created = {int(v): str(e.get("created", "")) for v, e in doc["keys"].items()}
        active = int(doc["active"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KeyRingError(f"master key file {path} is not a valid Custos key ring") from None
    if active not in keys or any(len(k) != crypto.KEY_BYTES for k in keys.values()):
        raise KeyRingError(f"master key file {path} is not a valid Custos key ring")
    ring = MasterKeyRing(path=path, active=active, keys=keys, created=created)
    ring.stamp = st.st_mtime_ns
    return ring


def load_or_create_ring(path: Path, now: datetime | None = None) -> tuple[MasterKeyRing, bool]:
    """Load the ring, or create version 1 with mode 0600 on first start; says which."""
    if path.exists():
        return load_ring(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    when = (now or datetime.now(UTC)).isoformat()
    ring = MasterKeyRing(path=path, active=1, keys={1: crypto.new_key()}, created={1: when})
    try:  # O_EXCL: two processes starting at once must not both create a ring
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return load_ring(path), False
    ring.save()
    return ring, True


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable: fsync the directory entry too."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
