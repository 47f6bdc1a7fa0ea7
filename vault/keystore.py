"""The key store: wrapped per-person data keys, wrapped server keys and key check values.

It lives apart from the data (SQLite: `keys.db`; PostgreSQL: `keystore_*` tables), so a
data backup never holds a data key and destroying one shreds that person everywhere.
"""

from __future__ import annotations

import threading
from datetime import datetime

from . import crypto
from .db import Backend, Tx, iso
from .errors import KeyRingError, Shredded, WrongMasterKey
from .keys import MasterKeyRing

EMAIL_INDEX_KEY = "email_index"


def data_key_aad(person_id: str, version: int) -> bytes:
    """Binds a wrapped data key to its person and master key version."""
    return f"datakey|{person_id}|{version}".encode()


def server_key_aad(name: str, version: int) -> bytes:
    """Binds a wrapped server key to its name and master key version."""
    return f"serverkey|{name}|{version}".encode()


class KeyStore:
    """Creates, unwraps and destroys keys; the master ring never touches the data tables."""

    def __init__(self, db: Backend, ring: MasterKeyRing) -> None:
        self.db = db
        self.ring = ring
        self._server_cache: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def check_ring(self, now: datetime) -> None:
        """Stop start-up on a wrong master key: compare each version's key check value."""
        with self.db.write() as tx:
            stored: dict[int, str] = dict(tx.all("SELECT version, check_value FROM {k}key_checks"))
            used = {r[0] for r in tx.all("SELECT DISTINCT master_version FROM {k}data_keys")}
            used |= {r[0] for r in tx.all("SELECT DISTINCT master_version FROM {k}server_keys")}
            for version in sorted(used | set(stored)):
                if version not in self.ring.keys:
                    raise WrongMasterKey(
                        f"the store uses master key version {version}, which is not in "
                        f"{self.ring.path}: wrong or outdated master key file"
                    )
            for version, value in stored.items():
                if not crypto.same(value.encode(), self.ring.check_value(version).encode()):
                    raise WrongMasterKey(
                        f"master key file {self.ring.path} does not match this store "
                        f"(key check failed for version {version}): wrong master key"
                    )
            for version in self.ring.keys:
                if version not in stored:
                    self.store_check_value(tx, version)
        self.server_key(EMAIL_INDEX_KEY, now)

    def store_check_value(self, tx: Tx, version: int) -> None:
        """Record a version's key check value (first start, or a new rotation)."""
        tx.run(
            "INSERT INTO {k}key_checks (version, check_value) VALUES (?, ?) "
            "ON CONFLICT (version) DO NOTHING",
            (version, self.ring.check_value(version)),
        )

    def create_data_key(self, person_id: str, now: datetime) -> bytes:
        """Make and store a person's data key, committed before their first row exists."""
        key = crypto.new_key()
        self.ring.refresh()  # never wrap with a version another process has just retired
        version = self.ring.active
        wrapped = crypto.wrap_key(self.ring.key(version), key, data_key_aad(person_id, version))
        with self.db.write() as tx:
            tx.run(
                "INSERT INTO {k}data_keys (person_id, master_version, wrapped, created_at) "
                "VALUES (?, ?, ?, ?)",
                (person_id, version, wrapped, iso(now)),
            )
        return key

    def data_key(self, tx: Tx, person_id: str) -> bytes:
        """Unwrap a person's data key, once per transaction; a shredded person raises
        `Shredded`."""
        known = tx.memo.get(("data_key", person_id))
        if known is not None:
            return known
        row = tx.one(
            "SELECT master_version, wrapped FROM {k}data_keys WHERE person_id = ?", (person_id,)
        )
        if row is None:
            raise Shredded(person_id)
        return self.unwrap_data_key(tx, person_id, row[0], row[1])

    def unwrap_data_key(self, tx: Tx, person_id: str, version: int, wrapped: bytes) -> bytes:
        """Unwrap a data key read by the caller (a joined lookup) and keep it for `tx`."""
        key = crypto.unwrap_key(self.ring.key(version), wrapped, data_key_aad(person_id, version))
        tx.memo["data_key", person_id] = key
        return key

    def sealer(self, tx: Tx, person_id: str) -> crypto.Sealer:
        """The person's data key ready to seal and open, once per transaction."""
        return self.sealer_of(tx, person_id, self.data_key(tx, person_id))

    @staticmethod
    def sealer_of(tx: Tx, person_id: str, data_key: bytes) -> crypto.Sealer:
        """A person's data key (unwrapped by the caller) ready to seal and open: one AES-GCM
        context per transaction, not per value (a vendor's read opens the agreement and the
        fields and seals the log entry with it)."""
        known = tx.memo.get(("sealer", person_id))
        if known is None or known[0] != data_key:
            known = tx.memo["sealer", person_id] = (data_key, crypto.Sealer(data_key))
        return known[1]

    def destroy_data_key(self, person_id: str) -> bool:
        """Crypto-shred: delete the wrapped key in its own committed transaction."""
        with self.db.write() as tx:
            tx.memo.pop(("data_key", person_id), None)
            tx.memo.pop(("sealer", person_id), None)
            return tx.run("DELETE FROM {k}data_keys WHERE person_id = ?", (person_id,)) > 0

    def server_key(self, name: str, now: datetime) -> bytes:
        """A stable server-wide key (e.g. the email index key), created on first use.

        Reading one joins any transaction; creating one needs a write (a read transaction
        refuses it), so each key is made once, at start-up or by its first writer.
        """
        with self._lock:
            if name in self._server_cache:
                return self._server_cache[name]
        with self.db.read() as tx:
            row = tx.one("SELECT master_version, wrapped FROM {k}server_keys WHERE name = ?",
                         (name,))
        if row is None:
            with self.db.write() as tx:
                row = tx.one("SELECT master_version, wrapped FROM {k}server_keys WHERE name = ?",
                             (name,))
                if row is None:  # nobody made it meanwhile (that we can see yet)
                    version = self.ring.active
                    wrapped = crypto.wrap_key(
                        self.ring.key(version), crypto.new_key(), server_key_aad(name, version)
                    )
                    # Two first users at once (PostgreSQL: neither sees the other's row
                    # before it commits): the second waits for the first and keeps its key,
                    # instead of failing its whole transaction on the primary key.
                    tx.run(
                        "INSERT INTO {k}server_keys (name, master_version, wrapped) "
                        "VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
                        (name, version, wrapped),
                    )
                    row = tx.row("SELECT master_version, wrapped FROM {k}server_keys "
                                 "WHERE name = ?", (name,))
        version, wrapped = row
        key = crypto.unwrap_key(self.ring.key(version), wrapped, server_key_aad(name, version))

        def remember() -> None:
            with self._lock:
                self._server_cache[name] = key

        outer = self.db.current()
        if outer is not None:  # inside a caller's transaction: remembered once that commits
            outer.after_commit.append(remember)
        else:
            remember()
        return key

    def email_index(self, email: str, now: datetime) -> str:
        """A keyed, case-insensitive lookup value for an email, useless without the key."""
        normal = email.strip().lower().encode()
        return crypto.mac(self.server_key(EMAIL_INDEX_KEY, now), b"email|" + normal).hex()

    def versions_in_use(self) -> dict[int, int]:
        """How many wrapped keys each master key version still protects."""
        counts: dict[int, int] = {}
        with self.db.read() as tx:
            for table in ("{k}data_keys", "{k}server_keys"):
                for version, n in tx.all(
                    f"SELECT master_version, COUNT(*) FROM {table} GROUP BY master_version"
                ):
                    counts[version] = counts.get(version, 0) + n
        return counts

    def forget_version(self, version: int) -> None:
        """Drop a retired version's check value (its key material goes from the ring)."""
        if version == self.ring.active:
            raise KeyRingError(f"master key version {version} is active and cannot be retired")
        with self.db.write() as tx:
            tx.run("DELETE FROM {k}key_checks WHERE version = ?", (version,))
