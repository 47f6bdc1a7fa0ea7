"""The DPoP replay cache (RFC 9449 section 11.1) on both backends: a (key, jti) pair is
accepted once, by one of several concurrent callers, and forgotten once it has expired."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from vault.db import iso


def test_a_proof_is_accepted_once(vault, now):
    replay = vault.agreements.dpop
    until = now + timedelta(minutes=2)
    assert replay.first_use("key-a", "jti-1", until=until, now=now)
    assert not replay.first_use("key-a", "jti-1", until=until, now=now)
    assert replay.first_use("key-b", "jti-1", until=until, now=now)  # another key's jti


def test_concurrent_uses_of_one_proof_let_exactly_one_through(vault, now):
    replay, results = vault.agreements.dpop, []
    lock = threading.Lock()

    def use():
        ok = replay.first_use("key", "same", until=now + timedelta(minutes=2), now=now)
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=use) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]


def test_expired_entries_are_deleted_and_nothing_raw_is_stored(store, now):
    replay = store.vault.agreements.dpop
    replay.first_use("key", "old", until=now + timedelta(minutes=2), now=now)
    later = now + timedelta(minutes=3)
    replay.first_use("key", "new", until=later + timedelta(minutes=2), now=later)
    rows = store.execute("SELECT proof_hash, expires_at FROM dpop_proofs")
    assert [r[1] for r in rows] == [iso(later + timedelta(minutes=2))]
    assert "new" not in rows[0][0] and len(rows[0][0]) == 64  # a SHA-256, not the jti


@pytest.mark.parametrize("commit", [True, False])
def test_first_use_joins_the_open_write_transaction(vault, now, commit):
    replay = vault.agreements.dpop
    until = now + timedelta(minutes=2)
    """A resource read records the jti in its own transaction: kept exactly when it is."""
    with pytest.raises(RuntimeError) if not commit else _nothing():
        with vault.transaction("write"):
            assert replay.first_use("key", "jti", until=until, now=now)
            if not commit:
                raise RuntimeError("the outer work fails")
    assert replay.first_use("key", "jti", until=until, now=now) is not commit


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
