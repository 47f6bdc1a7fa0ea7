"""Issue 15 follow-up: a read racing a revocation on PostgreSQL, under real concurrency.

The authorized read (what `/api/v1/data` runs) is one write transaction: on PostgreSQL the
person's row is locked `FOR UPDATE` first, then one joined lookup reads the token, agreement and
terms and share-locks the token row (`FOR SHARE OF t`), then the fields are read (from the
query sent ahead with the lookup when the token read the same before), the attempt logged and
the COMMIT waited for (in psycopg's pipeline mode). A revocation either ends the
agreement under the same person lock, or revokes the token by its hash (an UPDATE of the token
row, which the share lock makes wait). So a read either commits before the revocation, or it
sees it and is refused: it never returns data after the revocation committed.

Each interleaving is forced (one side holds its transaction open until the other is seen
waiting for its lock in `pg_blocking_pids`), then readers and a revoker run freely in threads.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from tests.vault.conftest import Store, _admin_connection, postgres_url, with_search_path
from vault.agreement_events import AccessAttempted
from vault.tokens import token_hash

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CATEGORIES = ["contact.email", "identity.name"]
RAW = "race-token"


@pytest.fixture
def pg(tmp_path):
    """A vault on PostgreSQL in a schema of its own, plus an admin connection to watch locks."""
    import uuid

    admin = _admin_connection()
    schema = f"custos_race_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    store = Store("postgres", tmp_path / "home", with_search_path(postgres_url(), schema))
    try:
        yield store, admin
    finally:
        store.vault.close()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def _setup(vault, now, raw=RAW):
    person = vault.create_person("ann@example.org", "x", now)
    for i, category in enumerate(CATEGORIES * 3):
        vault.add_field(person, category=category, name=f"f{i}", kind="text",
                        value=f"value {i}", now=now)
    client, _ = vault.agreements.clients.register(
        {"client_name": "V", "redirect_uris": ["https://v.example/cb"]}, now, confidential=True)
    grant = vault.agreements.grants.create(
        person, client.client_id, {"purpose": "ServiceProvision", "categories": CATEGORIES,
                                   "terms_version": 0, "decided_by": "person"},
        expires_at=now + timedelta(days=1), now=now)
    vault.agreements.tokens.save(access=raw, refresh=None, client_id=client.client_id,
                                 person_id=person, grant_id=grant.id, family_id="family",
                                 scope="", now=now, access_ttl=timedelta(hours=1))
    return person, grant


def read(vault, raw, now, *, pause=None, categories=None):
    """The endpoint's read in the vault: lock and look up (the fields this token read last
    time sent ahead with it), judge, read, log, count, commit. Returns the fields released
    (of `categories`, the agreement's by default), or None when refused. `pause(tx)` runs
    after the lookup."""
    with vault.transaction("write") as tx:
        access = vault.agreements.access(tx, raw, vault.send_fields_ahead)
        token, grant = access.token, access.grant
        if pause is not None:
            pause(tx)
        allowed = (token.kind == "access" and token.active(now) and access.client is not None
                   and grant is not None and grant.live(now))
        fields = vault.list_fields_in(grant.person_id, categories or grant.categories) \
            if allowed else None
        vault.record(token.person_id, AccessAttempted(
            client_id=token.client_id, grant_id=token.grant_id,
            purpose=grant.purpose if grant else None, categories=list(CATEGORIES),
            released=list(CATEGORIES) if allowed else [],
            outcome="allowed" if allowed else "refused"), now)
        if allowed:
            vault.agreements.access_counts.add(tx, grant.person_id, grant.client_id, now)
    return fields  # only now, after the COMMIT, does the caller see data


def _pid(vault) -> int:
    """The PostgreSQL backend pid of this thread's connection."""
    with vault.transaction("read") as tx:
        return tx.row("SELECT pg_backend_pid()")[0]


def _until_blocked(admin, pid: int) -> None:
    """Wait until backend `pid` waits for a lock another transaction holds (polled)."""
    deadline = time.monotonic() + 30
    while not admin.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", (pid,)).fetchone()[0]:
        assert time.monotonic() < deadline, f"backend {pid} never waited for a lock"
        time.sleep(0.002)


class Side(threading.Thread):
    """One side of an interleaving in its own thread (so on its own connection)."""

    def __init__(self, vault, work):
        super().__init__(daemon=True)
        self.vault, self.work = vault, work
        self.result, self.error, self.pid = None, None, None
        self.started_work = threading.Event()

    def run(self):
        try:
            self.pid = _pid(self.vault)
            self.started_work.set()
            self.result = self.work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            self.error = exc
            self.started_work.set()


def _allowed_entries(vault, person):
    return [e for e in vault.list_events(person, kinds=["access_attempted"])
            if e.payload["outcome"] == "allowed"]


@pytest.mark.parametrize("revocation", ["token", "agreement"])
def test_a_read_waiting_for_an_uncommitted_revocation_is_refused(pg, now, revocation):
    """The revocation has written but not committed; a read starts and waits for it; once it
    commits, the read sees it and is refused (no data after the revocation committed)."""
    store, admin = pg
    vault = store.vault
    person, grant = _setup(vault, now)
    assert read(vault, RAW, now)  # reads work before
    hold, holding = threading.Event(), threading.Event()

    def revoke():
        with vault.transaction("write"):  # the revocation joins this transaction
            if revocation == "token":
                assert vault.agreements.tokens.revoke(token_hash(RAW), now) == 1
            else:
                assert vault.agreements.grants.end(grant.id, "revoked", now) is not None
            holding.set()
            assert hold.wait(30)
        return True  # committed

    revoker = Side(vault, revoke)
    revoker.start()
    assert holding.wait(30)
    reader = Side(vault, lambda: read(vault, RAW, now))
    reader.start()
    assert reader.started_work.wait(30)
    _until_blocked(admin, reader.pid)  # the read waits for the revocation's locks
    hold.set()
    revoker.join(30)
    reader.join(30)
    assert revoker.error is None and reader.error is None, (revoker.error, reader.error)
    assert reader.result is None  # refused: it saw the committed revocation
    assert read(vault, RAW, now) is None
    assert len(_allowed_entries(vault, person)) == 1
    assert vault.verify_log() == []


@pytest.mark.parametrize("revocation", ["token", "agreement"])
def test_a_revocation_waits_for_a_read_in_flight(pg, now, revocation):
    """A read has looked the token up and holds its locks; the revocation waits for it to
    commit, so the data it returns were released before the revocation, never after."""
    store, admin = pg
    vault = store.vault
    person, grant = _setup(vault, now)
    hold, holding = threading.Event(), threading.Event()
    order: list[str] = []

    def pause(tx):
        holding.set()
        assert hold.wait(30)

    def reading():
        fields = read(vault, RAW, now, pause=pause)
        order.append("read committed")
        return fields

    def revoke():
        if revocation == "token":
            vault.agreements.tokens.revoke(token_hash(RAW), now)
        else:
            vault.agreements.grants.end(grant.id, "revoked", now)
        order.append("revocation committed")
        return True

    reader = Side(vault, reading)
    reader.start()
    assert holding.wait(30)
    revoker = Side(vault, revoke)
    revoker.start()
    assert revoker.started_work.wait(30)
    _until_blocked(admin, revoker.pid)  # the revocation waits for the read's locks
    hold.set()
    reader.join(30)
    revoker.join(30)
    assert reader.error is None and revoker.error is None, (reader.error, revoker.error)
    assert len(reader.result) == 6
    assert order == ["read committed", "revocation committed"]
    assert read(vault, RAW, now) is None
    if revocation == "agreement":  # in the person's chain, the read comes before the end
        kinds = [e.kind for e in vault.list_events(person)]
        assert kinds[-3:] == ["access_attempted", "grant_changed", "access_attempted"]
    assert vault.verify_log() == []


@pytest.mark.parametrize("revocation", ["token", "agreement"])
def test_readers_racing_a_revocation_in_threads(pg, now, revocation):
    """Free-running: 4 readers loop on their own connections; the revocation comes once each
    has read. No read that began after the revocation returned gets data; every read that got
    data is in the log, before the end of the agreement; the chain verifies."""
    store, _ = pg
    vault = store.vault
    person, grant = _setup(vault, now)
    results: list[tuple[bool, bool]] = []  # (began after the revocation returned, got data)
    changed, stop, revoked = threading.Condition(), threading.Event(), threading.Event()
    errors: list[BaseException] = []
    readers_n = 4

    def reader():
        try:
            while not stop.is_set():
                after = revoked.is_set()  # read before the read starts
                got = read(vault, RAW, now) is not None
                with changed:
                    results.append((after, got))
                    changed.notify_all()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            with changed:
                changed.notify_all()

    def count(after, got=None):
        return sum(1 for a, g in results if a is after and got in (None, g))

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(readers_n)]
    for t in threads:
        t.start()
    try:
        with changed:  # the timeouts only bound a failure
            assert changed.wait_for(lambda: errors or count(False, True) >= 5 * readers_n,
                                    timeout=60)
        if revocation == "token":
            assert vault.agreements.tokens.revoke(token_hash(RAW), now) == 1
        else:
            assert vault.agreements.grants.end(grant.id, "revoked", now) is not None
        revoked.set()
        with changed:
            assert changed.wait_for(lambda: errors or count(True) >= 3 * readers_n, timeout=60)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert errors == []
    assert count(True, True) == 0  # nothing released once the revocation had returned
    allowed = _allowed_entries(vault, person)
    assert len(allowed) == sum(1 for _, got in results if got)  # every answer is logged
    if revocation == "agreement":
        events = vault.list_events(person)
        ended = next(e.seq for e in events if e.kind == "grant_changed"
                     and e.payload.get("change") == "revoked")
        assert all(e.seq < ended for e in allowed)
    assert vault.verify_log() == []


def test_two_first_users_of_a_server_key_get_the_same_key(pg, now):
    """The pairwise-subject key is made by its first reader. Two reads of a new store at once
    (two app processes here: each its own cache): the second waits for the first's row and
    keeps that key, instead of failing the whole read on the primary key (was a 500)."""
    store, admin = pg
    first, second = store.vault, store.open()
    hold, holding = threading.Event(), threading.Event()

    def make():
        with first.transaction("write"):
            key = first.keys.server_key("race key", now)
            holding.set()
            assert hold.wait(30)
        return key

    maker = Side(first, make)
    maker.start()
    assert holding.wait(30)

    def also():
        with second.transaction("write"):
            return second.keys.server_key("race key", now)

    other = Side(second, also)
    other.start()
    assert other.started_work.wait(30)
    _until_blocked(admin, other.pid)  # waits for the first one's uncommitted row
    hold.set()
    maker.join(30)
    other.join(30)
    second.close()
    assert maker.error is None and other.error is None, (maker.error, other.error)
    assert maker.result == other.result
