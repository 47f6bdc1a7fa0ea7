"""The least a read can do and keep Custos's two guarantees: the yardstick of issue 15.

Issue 15 measured "a hand-written Flask read that keeps both of Custos's guarantees" at 60-66 %
of the bare endpoint, and so called the rest of Custos's gap overhead. This is such a read,
served beside the other two by `api_bench.py --minimal`, so that the ratio it reaches on the
machine at hand says what the guarantees alone cost there:

1. every read is judged against the person's current terms: the token (stored hashed), its
   agreement (live, its categories) and the terms' current version are found in one joined
   lookup inside the write transaction; the compiled terms come from a cache by (person,
   version), as in Custos;
2. every read is durably logged in the person's hash chain: an entry whose HMAC covers the
   previous one, the chain head on the person's row, and one `BEGIN IMMEDIATE` ... `COMMIT`
   with `synchronous=FULL` per read before the answer. Writers queue on one lock first, as in
   Custos (SQLite's busy handler would sleep).

It does nothing else Custos does: no encryption of fields or log entries, no pairwise subject,
no read counts, no rate limit, no security headers, no group commit (one fsync per read, as the
issue's read had). SQLite only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import struct
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

CHAIN_KEY = b"k" * 32  # one key for every person: the benchmark's, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def setup(path: Path, tokens: list[str], categories: list[str]) -> None:
    """One person per token, 10 plain fields each, a live agreement for every category, and
    terms (version 1) that deny none of them."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript("""
        CREATE TABLE persons (id INTEGER PRIMARY KEY, terms_version INTEGER, log_seq INTEGER,
                              log_head TEXT);
        CREATE TABLE terms (person INTEGER, version INTEGER, body TEXT,
                            PRIMARY KEY (person, version));
        CREATE TABLE grants (id INTEGER PRIMARY KEY, person INTEGER, categories TEXT,
                             expires_at TEXT, ended_at TEXT);
        CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, grant_id INTEGER, expires_at TEXT);
        CREATE TABLE fields (person INTEGER, category TEXT, name TEXT, kind TEXT, value TEXT);
        CREATE INDEX fields_person ON fields (person, category);
        CREATE TABLE log (person INTEGER, seq INTEGER, at TEXT, payload TEXT, prev TEXT,
                          mac TEXT, PRIMARY KEY (person, seq));
    """)
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    for n, token in enumerate(tokens):
        db.execute("INSERT INTO persons VALUES (?, 1, 0, ?)", (n, "00" * 32))
        db.execute("INSERT INTO terms VALUES (?, 1, ?)", (n, json.dumps({"deny": []})))
        db.execute("INSERT INTO grants VALUES (?, ?, ?, ?, NULL)",
                   (n, n, json.dumps(categories), later))
        db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (_hash(token), n, later))
        db.executemany("INSERT INTO fields VALUES (?, ?, ?, 'text', ?)",
                       [(n, c, f"field {i}", f"value {i}") for i, c in enumerate(categories)])
    db.commit()
    db.close()


class Refused(Exception):
    """The token, or its agreement, does not hold (unknown, expired or ended)."""


def app(path: Path):
    """The Flask app: `GET /minimal` with `Authorization: Bearer`."""
    from flask import Flask, jsonify, request

    web = Flask("minimal")
    local = threading.local()
    writer = threading.Lock()
    compiled: dict[tuple[int, int], frozenset[str]] = {}  # (person, version): denied categories

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path, isolation_level=None)
            local.db.execute("PRAGMA synchronous=FULL")
        return local.db

    def read(db: sqlite3.Connection, token: str, now: datetime) -> dict:
        row = db.execute(
            "SELECT g.person, g.id, g.categories, g.expires_at, g.ended_at, t.expires_at, "
            "p.terms_version, p.log_seq, p.log_head FROM tokens t JOIN grants g ON g.id = "
            "t.grant_id JOIN persons p ON p.id = g.person WHERE t.token_hash = ?",
            (_hash(token),)).fetchone()
        at = now.isoformat()
        if row is None or row[5] <= at or row[3] <= at or row[4] is not None:
            raise Refused()
        person, grant, categories, _, _, _, version, seq, head = row
        denied = compiled.get((person, version))
        if denied is None:
            body, = db.execute("SELECT body FROM terms WHERE person = ? AND version = ?",
                               (person, version)).fetchone()
            denied = compiled[person, version] = frozenset(json.loads(body)["deny"])
        released = [c for c in json.loads(categories) if c not in denied]
        marks = ", ".join("?" * len(released))
        fields = db.execute(f"SELECT category, name, kind, value FROM fields WHERE person = ? "
                            f"AND category IN ({marks})", (person, *released)).fetchall()
        payload = json.dumps({"grant": grant, "released": released})
        body = (bytes.fromhex(head) + struct.pack(">Q", seq + 1) + at.encode()
                + payload.encode())
        mac = hmac.new(CHAIN_KEY, body, hashlib.sha256).hexdigest()
        db.execute("INSERT INTO log VALUES (?, ?, ?, ?, ?, ?)",
                   (person, seq + 1, at, payload, head, mac))
        db.execute("UPDATE persons SET log_seq = ?, log_head = ? WHERE id = ?",
                   (seq + 1, mac, person))
        return {"sub": str(person), "agreement": str(grant), "purpose": "ServiceProvision",
                "fields": [dict(zip(("category", "name", "kind", "value"), f, strict=True))
                           for f in fields], "withheld": []}

    @web.get("/minimal")
    def minimal():
        token = request.headers.get("Authorization", "").partition(" ")[2]
        db = connection()
        with writer:
            db.execute("BEGIN IMMEDIATE")
            try:
                answer = read(db, token, datetime.now(UTC))
            except Refused:
                db.execute("ROLLBACK")
                return jsonify({"error": "invalid_token"}), 401
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")  # synchronous=FULL: durable before the answer
        return jsonify(answer)

    return web
