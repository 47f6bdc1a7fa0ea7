"""The person's tamper-evident log: append-only, hash-chained with an HMAC per entry.

Entry MAC = HMAC(K, prev_mac || seq || at || kind || sealed payload), K = HKDF(data key,
"custos audit chain"). The chain head (last seq and MAC) is kept on the person's row, so
dropping the newest entries is detected too. Without the data key nobody can forge a MAC.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from . import crypto
from .db import Tx, from_iso, iso
from .events import Event, LoggedEvent, event_from_payload
from .keystore import KeyStore

GENESIS = bytes(32)
Problem = Literal["edited", "removed", "reordered", "truncated"]


@dataclass(frozen=True, kw_only=True)
class ChainProblem:
    """One break in a person's log, with the entry it concerns and a sentence for people."""

    person_id: str
    seq: int
    problem: Problem
    message: str


def chain_key(data_key: bytes) -> bytes:
    """The MAC key of a person's chain, independent of the sealing key."""
    return crypto.derive(data_key, b"custos audit chain v1")


def entry_mac(key: bytes, prev: bytes, seq: int, at: str, kind: str, payload: bytes) -> bytes:
    """MAC over length-prefixed fields, so no two different entries share an input."""
    parts = [at.encode(), kind.encode(), bytes(payload)]
    body = prev + struct.pack(">Q", seq) + b"".join(struct.pack(">I", len(p)) + p for p in parts)
    return crypto.mac(key, body)


def _aad(person_id: str, seq: int) -> bytes:
    return crypto.slot_aad(person_id, "events", str(seq), "payload")


def append(tx: Tx, person_id: str, data_key: bytes, event: Event, now: datetime) -> int:
    """Append one event in the caller's transaction (person row already locked: the lock
    read the chain head, so it is not read again)."""
    row = tx.memo.get(("head", person_id)) or tx.one(
        "SELECT log_seq, log_head FROM persons WHERE id = ?", (person_id,))
    if row is None:
        raise ValueError(f"no person {person_id}")
    seq = row[0] + 1
    prev = bytes.fromhex(row[1]) if row[1] else GENESIS
    at = iso(now)
    payload = event.payload()
    if tx.actor and "actor" not in payload:  # who acted, when the caller said (Tx.actor)
        payload["actor"] = tx.actor
    sealer = KeyStore.sealer_of(tx, person_id, data_key)
    sealed = sealer.seal(json.dumps(payload).encode(), _aad(person_id, seq))
    mac = entry_mac(chain_key(data_key), prev, seq, at, event.kind, sealed).hex()
    entry = (person_id, seq, at, event.kind, sealed, prev.hex(), mac)
    head = (seq, mac, person_id)
    statements = tx.backend.append_sql
    if len(statements) == 1:  # PostgreSQL: entry and head in one statement
        tx.send(statements[0], entry + head)
    else:
        tx.send(statements[0], entry)
        tx.send(statements[1], head)
    if ("head", person_id) in tx.memo:
        tx.memo["head", person_id] = (seq, mac)
    return seq


def read_events(
    tx: Tx,
    person_id: str,
    data_key: bytes,
    *,
    kinds: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[LoggedEvent]:
    """Decrypt a person's entries in order, filtered by kind and time [since, until)."""
    sql = "SELECT seq, at, kind, payload FROM events WHERE person_id = ?"
    params: list[object] = [person_id]
    if kinds:
        sql += " AND kind IN (" + ", ".join("?" for _ in kinds) + ")"
        params += list(kinds)
    if since is not None:
        sql += " AND at >= ?"
        params.append(iso(since))
    if until is not None:
        sql += " AND at < ?"
        params.append(iso(until))
    out = []
    sealer = crypto.Sealer(data_key)
    for seq, at, kind, payload in tx.all(sql + " ORDER BY seq", params):
        data = json.loads(crypto.unseal(sealer, payload, _aad(person_id, seq)))
        out.append(
            LoggedEvent(
                person_id=person_id,
                seq=seq,
                at=from_iso(at),
                kind=kind,
                event=event_from_payload(kind, data),
                payload=data,
            )
        )
    return out


def verify_chain(tx: Tx, person_id: str, data_key: bytes) -> list[ChainProblem]:
    """Check every entry's MAC, the links between entries and the head on the person row."""
    key = chain_key(data_key)
    head = tx.one("SELECT log_seq, log_head FROM persons WHERE id = ?", (person_id,))
    if head is None:
        return []
    head_seq, head_mac = head
    rows = tx.all(
        "SELECT seq, at, kind, payload, prev_mac, mac FROM events WHERE person_id = ? ORDER BY seq",
        (person_id,),
    )
    problems: list[ChainProblem] = []

    def report(seq: int, problem: Problem, message: str) -> None:
        problems.append(
            ChainProblem(person_id=person_id, seq=seq, problem=problem, message=message)
        )

    span = range(1, max([head_seq, *(r[0] for r in rows)]) + 1)
    original: dict[int, tuple[str, str]] = {}  # original seq -> (prev_mac, mac) of intact entries
    for seq, at, kind, payload, prev_hex, mac_hex in rows:
        prev, mac = _unhex(prev_hex), _unhex(mac_hex)
        if crypto.same(entry_mac(key, prev, seq, at, kind, payload), mac):
            original[seq] = (prev_hex, mac_hex)
            continue
        moved_from = next(
            (
                s
                for s in span
                if s != seq and crypto.same(entry_mac(key, prev, s, at, kind, payload), mac)
            ),
            None,
        )
        if moved_from is None:
            report(seq, "edited", f"Entry {seq} was changed after it was written.")
        else:
            original.setdefault(moved_from, (prev_hex, mac_hex))
            report(seq, "reordered", f"Entry {seq} was written as entry {moved_from} and moved.")
    positions = {r[0]: r[5] for r in rows}
    last_stored = max(positions, default=0)
    for s in range(1, last_stored):
        if s not in original and s not in positions:
            report(s, "removed", f"Entry {s} was removed from the log.")
    for s in sorted(original):
        if s - 1 in original and original[s][0] != original[s - 1][1]:
            report(s, "edited", f"Entry {s} does not follow entry {s - 1}; the chain was altered.")
    if head_seq > last_stored or (
        head_seq and not crypto.same(positions.get(head_seq, "").encode(), head_mac.encode())
    ):
        report(
            last_stored + 1,
            "truncated",
            f"The log ends at entry {last_stored} but {head_seq} entries were written; "
            f"the newest entries were removed.",
        )
    return sorted(problems, key=lambda p: (p.seq, p.problem))


def _unhex(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        return b""
