"""The scale-out store: PostgreSQL through psycopg 3, one connection per thread.

Key-store tables are prefixed `keystore_` so `pg_dump --exclude-table='keystore_*'`
makes a data backup without the data keys. Writers of one person are serialised with
`SELECT ... FOR UPDATE` on the person's row, which keeps the audit chain linear.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer
from psycopg.generators import execute, fetch_many, send

from ..errors import VaultError
from . import Backend, Tx, redact

_MIGRATION_LOCK = 0x637573746F73  # "custos": one advisory lock id for migrations
_OPEN = (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR)
_FAILED = (pq.ExecStatus.FATAL_ERROR, pq.ExecStatus.PIPELINE_ABORTED)
_PREPARE_AT = 2  # a statement seen twice on a connection is prepared there (one-offs never)
_PREPARED_MAX = 256  # then the rest run unprepared: no eviction, no DEALLOCATE of one name
_SEEN_MAX = 1024  # statements seen once, remembered until this many (then forgotten at once)
_FORGETS_PLANS = re.compile(rb"^(?:DROP|ALTER|ROLLBACK|DISCARD ALL)\b").match


class _Session:
    """What `_Statements` keeps of one connection across its transactions."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.adapt = Transformer(conn)  # params dumped and rows loaded by psycopg's C code
        self.prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        self.seen: dict[tuple[bytes, tuple[int, ...]], int] = {}
        self.named = 0
        #: a DROP, ALTER or ROLLBACK went by: a prepared plan may name what is gone or
        #: changed, so (as psycopg does) every statement is prepared afresh, after a
        #: DEALLOCATE ALL sent ahead of the next transaction
        self.stale = False

    def forget_prepared(self) -> None:
        self.prepared.clear()
        self.seen.clear()
        self.stale = True


class Answer:
    """The answer to a statement sent ahead (`_Statements.ask`), once collected."""

    __slots__ = ("result",)

    def __init__(self) -> None:
        self.result: pq.abc.PGresult | None = None


class _Statements:
    """One transaction's statements sent on libpq directly, standing in for a psycopg cursor
    (`execute`, `fetchone`, `fetchall`, `rowcount`, `executemany`) and pipeline (`sync`).

    Why not psycopg's cursor: in pipeline mode it waits on the socket and flushes once per
    statement and keeps per-statement bookkeeping in Python: an authorized read's statements
    replayed alone cost 0.20 ms of app CPU that way and 0.07 ms here; the whole read in
    process went from 0.58 to 0.42 ms (PostgreSQL's own CPU from 0.35 to 0.30 ms). Values
    are still dumped and loaded by psycopg's adapters (its C code), and errors are psycopg's.

    Pipelined (a write transaction): a statement goes out when executed; the app waits only
    when it needs an answer (a row, a row count, `sync`, the COMMIT), and then collects every
    answer owed so far in order, raising the first error among them. Not pipelined (a read
    transaction): each statement is answered before `execute` returns, so the connection is
    free between statements (server-side cursors in `batches`)."""

    def __init__(self, session: _Session, *, pipelined: bool) -> None:
        self.session = session
        self.connection = session.conn
        self._pg = session.conn.pgconn
        self._adapt = session.adapt
        self.pipelined = pipelined
        #: answers owed, in order: None for a statement, the key of a statement being prepared,
        #: an `Answer` for a statement whose rows are kept (`ask`)
        self._owed: deque[tuple[bytes, tuple[int, ...]] | Answer | None] = deque()
        self._last: pq.abc.PGresult | None = None  # the answer to the last statement

    def begin(self, sql: str) -> None:
        if self.pipelined:
            self._pg.enter_pipeline_mode()
        if self.session.stale:
            self.session.stale = False
            self.session.prepared.clear()
            self._send(b"DEALLOCATE ALL")
        self.execute(sql, ())  # prepared too, like every statement run often

    def commit(self) -> None:
        """COMMIT, answered (with everything still owed) before this returns."""
        self.execute("COMMIT", ())
        if self.pipelined:
            self._pg.pipeline_sync()
            self._collect(sync=True)
            self._pg.exit_pipeline_mode()

    def close(self) -> None:
        """After an error: collect whatever is still owed, so the connection can roll back."""
        if self.connection.closed or self._pg.pipeline_status == pq.PipelineStatus.OFF:
            return
        self._pg.pipeline_sync()
        try:
            self._collect(sync=True)
        except psycopg.DatabaseError:  # raised already, or a consequence of what was
            if self.connection.closed:
                raise
        self._pg.exit_pipeline_mode()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        if params is None:  # as psycopg: no parameters, no placeholders to convert
            self._send(sql.encode())
            return
        query = _numbered(sql)
        adapt = self._adapt
        values = adapt.dump_sequence(params, _auto(len(params)))
        types = adapt.types or ()
        key = (query, types)
        session = self.session
        name = session.prepared.get(key)
        if name is None and len(session.prepared) < _PREPARED_MAX:
            if len(session.seen) >= _SEEN_MAX:
                session.seen.clear()
            seen = session.seen[key] = session.seen.get(key, 0) + 1
            if seen >= _PREPARE_AT:
                del session.seen[key]
                session.named += 1
                name = session.prepared[key] = b"custos_%d" % session.named
                self._pg.send_prepare(name, query, types)
                self._owed.append(key)
                if not self.pipelined:
                    self._collect()
        if name is None:
            self._pg.send_query_params(query, values, types, adapt.formats)
        else:
            self._pg.send_query_prepared(name, values, adapt.formats)
        self._owed.append(None)
        self._last = None
        if not self.pipelined:
            self._collect()

    def ask(self, sql: str, params: Sequence[Any]) -> Answer:
        """Send a query (pipelined) whose rows `rows` takes later, however many statements
        go out in between."""
        answer = Answer()
        self.execute(sql, params)
        self._owed[-1] = answer  # the statement's own place (after its PREPARE, if any)
        return answer

    def rows(self, answer: Answer) -> list[tuple[Any, ...]]:
        if answer.result is None:
            self._collect()  # raises the first error owed, this statement's included
        result = answer.result
        assert result is not None
        self._adapt.set_pgresult(result)
        return self._adapt.load_rows(0, result.ntuples, tuple)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            self.execute(sql, row)

    def sync(self) -> None:
        """Wait for the answers to every statement sent so far; raise the first error."""
        if self._owed:
            self._collect()

    def fetchone(self) -> tuple[Any, ...] | None:
        result = self._answer()
        if result.ntuples == 0:
            return None
        self._adapt.set_pgresult(result)
        return self._adapt.load_row(0, tuple)

    def fetchall(self) -> list[tuple[Any, ...]]:
        result = self._answer()
        self._adapt.set_pgresult(result)
        return self._adapt.load_rows(0, result.ntuples, tuple)

    @property
    def rowcount(self) -> int:
        result = self._answer()
        if result.status == pq.ExecStatus.TUPLES_OK:
            return result.ntuples
        count = result.command_tuples
        return count if count is not None else -1

    @property
    def description(self) -> list[tuple[str]]:
        """The columns of the last answer, by name only (as much as vault/copy.py reads)."""
        result = self._answer()
        return [(result.fname(i).decode(self._adapt.encoding),)  # type: ignore[union-attr]
                for i in range(result.nfields)]

    def _send(self, sql: bytes) -> None:
        self._pg.send_query_params(sql, None)
        self._owed.append(None)
        self._last = None
        if not self.pipelined:
            self._collect()

    def _answer(self) -> pq.abc.PGresult:
        if self._last is None:
            self._collect()
        if self._last is None:
            raise psycopg.ProgrammingError("no statement has been executed")
        return self._last

    def _collect(self, sync: bool = False) -> None:
        """Every answer owed (and with `sync`, the pipeline's sync point after them): the
        first error among them is raised once all are in, so the connection stays usable."""
        conn, pg, session = self.connection, self._pg, self.session
        if self.pipelined:
            if not sync:
                pg.send_flush_request()
            conn.wait(send(pg))
        error: psycopg.Error | None = None
        while self._owed:
            owed = self._owed.popleft()
            results = conn.wait(fetch_many(pg) if self.pipelined else execute(pg))
            result = results[-1]
            if result.status in _FAILED:
                if isinstance(owed, tuple):  # the statement was not prepared after all
                    session.prepared.pop(owed, None)
                if error is None:
                    error = (psycopg.errors.error_from_result(result, self._adapt.encoding)
                             if result.status == pq.ExecStatus.FATAL_ERROR
                             else psycopg.errors.PipelineAborted("pipeline aborted"))
                continue
            if not isinstance(owed, tuple):  # a statement's answer (kept for `rows`: Answer)
                self._last = result
                if owed is not None:
                    owed.result = result
                status = result.command_status
                if status and _FORGETS_PLANS(status):
                    session.forget_prepared()
        if sync:
            (result,) = conn.wait(fetch_many(pg))
            assert result.status == pq.ExecStatus.PIPELINE_SYNC, result.status
        if error is not None:
            raise error


@lru_cache(maxsize=512)
def _numbered(sql: str) -> bytes:
    """`%s` placeholders numbered as libpq's `$1, $2…` and `%%` as `%`, as psycopg does."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1) == "%":
            return "%"
        count += 1
        return f"${count}"

    return re.sub(r"%(s|%)", number, sql).encode()


@lru_cache(maxsize=64)
def _auto(n: int) -> list[PyFormat]:
    return [PyFormat.AUTO] * n


class PostgresBackend(Backend):
    """Autocommit connections with explicit transactions, per thread."""

    dialect = "postgres"
    placeholder = "%s"
    key_prefix = "keystore_"
    blob_type = "BYTEA"
    skip_locked = " FOR UPDATE SKIP LOCKED"
    lock_person_sql = "SELECT log_seq, log_head FROM persons WHERE id = ? FOR UPDATE"
    append_sql = (
        "WITH entry AS (INSERT INTO events (person_id, seq, at, kind, payload, prev_mac, mac) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)) "
        "UPDATE persons SET log_seq = ?, log_head = ? WHERE id = ?",
    )
    row_locks = True
    integrity_errors = (psycopg.errors.IntegrityError,)
    errors = (psycopg.errors.ReadOnlySqlTransaction,)

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def _connect(self) -> psycopg.Connection[Any]:
        try:  # psycopg prepares nothing itself: `_Statements` does (and psycopg's
            # DEALLOCATE ALL after a ROLLBACK would drop those too)
            return psycopg.connect(self.url, autocommit=True, prepare_threshold=None)
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise VaultError(f"cannot connect to PostgreSQL: {first}") from None

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Tx]:
        """BEGIN … COMMIT on this thread's connection, COMMIT waited for before returning.

        A write runs in pipeline mode: BEGIN goes out with the first statement, a `Tx.send`
        with the next one that waits for an answer, and the COMMIT with the last sends,
        answered before this returns (an error raises here). A read (`BEGIN ISOLATION LEVEL
        REPEATABLE READ, READ ONLY`) waits for each statement. Whatever fails, a transaction
        left open or aborted is rolled back."""
        conn: psycopg.Connection[Any] = self.connection()
        session = getattr(self._local, "session", None)
        if session is None or session.conn is not conn:
            session = self._local.session = _Session(conn)
        statements = _Statements(session, pipelined=write)
        try:
            statements.begin("BEGIN" if write
                             else "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield Tx(self, statements, writable=write,
                     pipeline=statements if write else None)
            statements.commit()
        finally:
            try:
                statements.close()
            except psycopg.Error:  # a connection in a state nobody can tell: not reused
                conn.close()
            if conn.closed:
                self._forget(conn)  # the next transaction on this thread reconnects
            elif conn.pgconn.transaction_status in _OPEN:  # only on an error (raised above)
                session.forget_prepared()
                try:
                    conn.execute("ROLLBACK")
                except psycopg.Error:
                    conn.close()
                    self._forget(conn)

    def _forget(self, conn: psycopg.Connection[Any]) -> None:
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None

    def is_read_only_error(self, exc: BaseException) -> bool:
        return isinstance(exc, psycopg.errors.ReadOnlySqlTransaction)

    def tables_present(self) -> set[str]:
        with self.read() as tx:
            rows = tx.all(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        return {r[0] for r in rows}

    def batches(self, tx: Tx, sql: str, size: int) -> Iterator[Sequence[Any]]:
        """Through a server-side cursor, so memory stays flat however big the table (in a
        read transaction: a write's pipeline keeps the connection busy, so there at once)."""
        if tx.writable:
            rows = tx.all(sql)
            for start in range(0, len(rows), size):
                yield rows[start:start + size]
            return
        with tx.cursor.connection.cursor(name="custos_copy") as cursor:
            cursor.itersize = size
            cursor.execute(self.sql(sql))
            while rows := cursor.fetchmany(size):
                yield rows

    def describe(self) -> str:
        return f"PostgreSQL, {redact(self.url)}"

    def location(self) -> str:
        return redact(self.url)

    def migration_lock(self, tx: Tx) -> None:
        """Several app processes may start together; only one migrates at a time."""
        tx.run(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")

    def dump_text(self) -> str:
        """Every row of every table as text, for tests that scan for plaintext."""
        out: list[str] = []
        with self.read() as tx:
            tables = tx.all(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
            for (name,) in tables:
                for (text,) in tx.all(f'SELECT t::text FROM "{name}" t'):
                    out.append(text)
        return "\n".join(out)
