"""Vault benchmarks: the crypto wrapper's overhead, and a person's full read as the store grows.

Run: `python benchmarks/vault_bench.py [--quick]`. Prints a table. PostgreSQL is taken from
$CUSTOS_BENCH_POSTGRES_URL (default: the local test server) in a throwaway schema.

The store is grown with filler persons inserted directly with executemany: their sealed
columns are random bytes of the same length as real ciphertexts (never read, so nothing
is lost by not encrypting them) and each has FILLER_FIELDS fields. The persons that are
read were made with real keys and 50 really sealed fields, so every read does full work.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault import Vault, crypto

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STAMP = NOW.isoformat(timespec="microseconds")  # as the vault writes timestamps
PG_URL = os.environ.get("CUSTOS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
FIELDS_PER_PERSON = 50
MEASURED_PERSONS = 50


def throughput(fn: Callable[[], object], n: int) -> float:
    """Operations per second of `fn`, best of three runs."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, time.perf_counter() - start)
    return n / best


def bench_crypto(n: int) -> list[tuple[str, str]]:
    """Seal/open of 64-byte values: raw AESGCM (object reused) vs the wrapper, both ways.

    `Sealer` is what the vault uses inside one operation (one context per person read);
    the one-shot functions build the AES-GCM context for every value.
    """
    key, value = crypto.new_key(), os.urandom(64)
    aad = crypto.slot_aad("person", "fields", "row", "value")
    raw, sealer = AESGCM(key), crypto.Sealer(key)
    blob = crypto.seal(key, value, aad)
    nonce, body = blob[1:13], blob[13:]
    cases = {
        "seal": (
            lambda: raw.encrypt(os.urandom(12), value, aad),
            lambda: sealer.seal(value, aad),
            lambda: crypto.seal(key, value, aad),
        ),
        "open": (
            lambda: raw.decrypt(nonce, body, aad),
            lambda: sealer.unseal(blob, aad),
            lambda: crypto.unseal(key, blob, aad),
        ),
    }
    rows = []
    for name, (theirs, ours, one_shot) in cases.items():
        r, s, o = throughput(theirs, n), throughput(ours, n), throughput(one_shot, n)
        rows.append(
            (
                f"{name} 64 B: raw / Sealer / one-shot",
                f"{r:,.0f} / {s:,.0f} / {o:,.0f} ops/s "
                f"(overhead x{r / s:.2f} Sealer, x{r / o:.2f} one-shot)",
            )
        )
    return rows


def add_measured(vault: Vault, count: int) -> list[str]:
    """Persons with real keys and 50 sealed fields each, bulk-inserted in one transaction."""
    ids = []
    stamp = STAMP
    for _ in range(count):
        pid = str(uuid.uuid4())
        key = vault.keys.create_data_key(pid, NOW)
        email = f"{pid}@bench.example"
        rows = []
        for k in range(FIELDS_PER_PERSON):
            fid = str(uuid.uuid4())
            vals = {
                "category": "contact",
                "name": f"field{k}",
                "kind": "text",
                "value": f"value {k}",
            }
            body = crypto.seal_json(key, vals, pid, "fields", fid, "body")  # as vault/fields.py
            rows.append((fid, pid, b"", b"", b"", b"", stamp, stamp, body))
        with vault.transaction("write") as tx:
            tx.run(
                "INSERT INTO persons (id, email_index, email, password_hash, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    pid,
                    vault.keys.email_index(email, NOW),
                    crypto.seal_json(key, email, pid, "persons", pid, "email"),
                    "h",
                    stamp,
                    stamp,
                ),
            )
            tx.many(FIELD_INSERT, rows)
        ids.append(pid)
    return ids


FIELD_INSERT = ("INSERT INTO fields (id, person_id, category, name, kind, value, created_at, "
                "updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def add_filler(vault: Vault, count: int, fields_each: int, batch: int = 5000) -> None:
    """Grow the store fast: rows shaped like real ones, random bytes where ciphertext goes."""
    stamp = STAMP
    rnd = os.urandom
    for start in range(0, count, batch):
        n = min(batch, count - start)
        ids = [str(uuid.uuid4()) for _ in range(n)]
        persons = [(p, rnd(32).hex(), rnd(60), "h", stamp, stamp) for p in ids]
        keys = [(p, vault.ring.active, rnd(61), stamp) for p in ids]
        fields = [
            (str(uuid.uuid4()), p, b"", b"", b"", b"", stamp, stamp, rnd(110))
            for p in ids
            for _ in range(fields_each)
        ]
        with vault.transaction("write") as tx:
            tx.many("INSERT INTO {k}data_keys VALUES (?, ?, ?, ?)", keys)
            tx.many(
                "INSERT INTO persons (id, email_index, email, password_hash, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                persons,
            )
            tx.many(FIELD_INSERT, fields)


def time_reads(vault: Vault, ids: list[str], reads: int) -> tuple[float, float]:
    """Median and p99 (ms) of list_fields for the measured persons."""
    samples = []
    for k in range(reads):
        pid = ids[k % len(ids)]
        start = time.perf_counter()
        got = vault.list_fields(pid)
        samples.append((time.perf_counter() - start) * 1000)
        assert len(got) == FIELDS_PER_PERSON
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def bench_reads(
    vault: Vault, backend: str, sizes: list[int], filler_fields: int, reads: int
) -> list[tuple]:
    """Grow the store through each size and time a full read at each."""
    ids = add_measured(vault, MEASURED_PERSONS)
    have, out = MEASURED_PERSONS, []
    for size in sizes:
        start = time.perf_counter()
        add_filler(vault, size - have, filler_fields)
        load_s = time.perf_counter() - start
        have = size
        if backend == "postgres":
            with vault.transaction("write") as tx:
                tx.run("ANALYZE")
        time_reads(vault, ids, 50)  # warm up
        median, p99 = time_reads(vault, ids, reads)
        out.append((backend, size, median, p99, load_s))
    return out


def postgres_vault(home: Path) -> tuple[Vault, Callable[[], None]] | None:
    """A vault in a throwaway schema, or None when no server answers."""
    import psycopg

    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return None
    schema = f"custos_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    vault = Vault.open(home, f"{PG_URL}{sep}options=-csearch_path%3D{schema}", now=NOW)

    def cleanup() -> None:
        vault.close()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()

    return vault, cleanup


def main() -> None:
    """Run everything and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    sizes = [1_000, 10_000] if args.quick else [1_000, 100_000]
    filler_fields = 5 if args.quick else 10
    reads = 200 if args.quick else 1000
    print("Custos vault benchmark" + (" (--quick)" if args.quick else ""))
    for label, value in bench_crypto(20_000 if args.quick else 200_000):
        print(f"  {label:<36} {value}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        vault = Vault.open(Path(tmp) / "sqlite", now=NOW)
        results += bench_reads(vault, "sqlite", sizes, filler_fields, reads)
        vault.close()
        pg = postgres_vault(Path(tmp) / "pg")
        if pg is None:
            print(f"  PostgreSQL at {PG_URL} unreachable: skipped")
        else:
            vault, cleanup = pg
            try:
                results += bench_reads(vault, "postgres", sizes, filler_fields, reads)
            finally:
                cleanup()
    print(
        f"\n  Full read of one person ({FIELDS_PER_PERSON} fields, one sealed value each), "
        f"{reads} reads; filler persons have {filler_fields} fields"
    )
    print(f"  {'backend':<10} {'persons':>9} {'median ms':>10} {'p99 ms':>8} {'load s':>8}")
    for backend, size, median, p99, load_s in results:
        print(f"  {backend:<10} {size:>9,} {median:>10.3f} {p99:>8.3f} {load_s:>8.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"\n  Peak resident memory of this benchmark process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
