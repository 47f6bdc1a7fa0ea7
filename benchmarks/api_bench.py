"""An authorized read of 10 fields through the real WSGI server, against a bare endpoint.

Custos: bearer token check, agreement load, the person's current terms, the policy decision,
decryption of the fields and a hash-chained log entry, in one write transaction.
Bare: a Flask route that returns the same JSON from SQLite with none of that.
Custos+DPoP: the same read with a DPoP-bound token (RFC 9449): the client signs a fresh ES256
proof per request (on the same machine), the server checks it and records its jti.
Each runs under waitress in its own process; several client threads hit each in turn.

    python benchmarks/api_bench.py [--clients 8] [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

CATEGORIES = ["contact.email", "contact.phone", "identity.name", "address.street",
              "address.city", "address.postal", "address.country", "demographics.age",
              "demographics.language", "preferences.interests"]


def _custos_app(home: Path):
    from api import create_app
    from api.config import Settings

    app = create_app(Settings(home=home, secret_key="b" * 40, secure_cookies=False,
                              api_rate_limit="100000000 per minute"))
    return app


def setup_custos(home: Path, dpop_jkt: str) -> str:
    """A person with 10 fields, a vendor and an agreement covering them; returns the token
    (and saves a second one, bound to the DPoP key `dpop_jkt`, as the token with "-dpop")."""
    from api.services.receipts import issue_receipt

    app = _custos_app(home)
    vault = app.extensions["custos.vault"]
    now = datetime.now(UTC)
    pid = vault.create_person("bench@example.org", "x", now)
    for i, cat in enumerate(CATEGORIES):
        vault.add_field(pid, category=cat, name=f"field {i}", kind="text", value=f"value {i}",
                        now=now)
    client, _ = vault.agreements.clients.register(
        {"client_name": "Bench", "redirect_uris": ["https://b.example/cb"]}, now,
        confidential=True)
    grant = vault.agreements.grants.create(pid, client.client_id, {
        "purpose": "ServiceProvision", "categories": CATEGORIES, "terms_version": 0,
        "decided_by": "person"}, expires_at=now + timedelta(days=1), now=now)
    issue_receipt(vault, grant, now=now, issuer="http://localhost")
    token = "bench-token-" + "x" * 30
    vault.agreements.tokens.save(access=token, refresh=None, client_id=client.client_id,
                                 person_id=pid, grant_id=grant.id, family_id="bench",
                                 scope="", now=now, access_ttl=timedelta(hours=2))
    vault.agreements.tokens.save(access=token + "-dpop", refresh=None,
                                 client_id=client.client_id, person_id=pid, grant_id=grant.id,
                                 family_id="bench-dpop", scope="", now=now,
                                 access_ttl=timedelta(hours=2), jkt=dpop_jkt)
    vault.close()
    return token


def setup_bare(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE fields (category TEXT, name TEXT, kind TEXT, value TEXT)")
    db.executemany("INSERT INTO fields VALUES (?, ?, ?, ?)",
                   [(c, f"field {i}", "text", f"value {i}") for i, c in enumerate(CATEGORIES)])
    db.commit()
    db.close()


def bare_app(path: Path):
    from flask import Flask, jsonify

    app = Flask("bare")
    local = threading.local()

    @app.get("/bare")
    def bare():
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path)
        rows = local.db.execute("SELECT category, name, kind, value FROM fields").fetchall()
        return jsonify({"sub": "x", "agreement": "y", "purpose": "ServiceProvision",
                        "fields": [dict(zip(("category", "name", "kind", "value"), r,
                                            strict=True)) for r in rows], "withheld": []})

    return app


def serve(kind: str, where: str, port_out) -> None:
    from waitress.server import create_server

    app = _custos_app(Path(where)) if kind in ("custos", "dpop") else bare_app(Path(where))
    srv = create_server(app, host="127.0.0.1", port=0, threads=8)
    port_out.put(srv.effective_port)
    srv.run()


def load(url: str, headers, clients: int, seconds: float) -> list[float]:
    """`headers`: a dict, or a function of the URL giving fresh ones per request (DPoP)."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    failures = []

    def worker():
        mine = []
        with requests.Session() as s:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                r = s.get(url, headers=headers(url) if callable(headers) else headers)
                mine.append(time.perf_counter() - start)
                if r.status_code != 200:
                    failures.append(r.status_code)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"{len(failures)} non-200 answers, e.g. {failures[:3]}")
    return latencies


def peak_rss_mib(pid: int) -> float:
    """The server process's peak resident memory (Linux /proc VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        home, bare_db = Path(tmp) / "custos", Path(tmp) / "bare.db"
        from clients.sdk.dpop import DPoPKey

        key = DPoPKey()
        token = setup_custos(home, key.thumbprint)
        setup_bare(bare_db)

        def dpop(url: str) -> dict:
            bound = token + "-dpop"
            return {"Authorization": f"DPoP {bound}",
                    "DPoP": key.proof("GET", url, access_token=bound)}

        rows = []
        for kind, where, path, headers in (
            ("bare", bare_db, "/bare", {}),
            ("custos", home, "/api/v1/data", {"Authorization": f"Bearer {token}"}),
            ("dpop", home, "/api/v1/data", dpop),
        ):
            ports = ctx.Queue()
            proc = ctx.Process(target=serve, args=(kind, str(where), ports), daemon=True)
            proc.start()
            url = f"http://127.0.0.1:{ports.get(timeout=30)}{path}"
            first = requests.get(url, headers=headers(url) if callable(headers) else headers)
            assert first.status_code == 200, (first.status_code, first.text[:300])
            body = first.json()
            assert len(body["fields"]) == 10, json.dumps(body)[:200]
            load(url, headers, args.clients, 1.0)  # warm up
            lat = load(url, headers, args.clients, args.seconds)
            memory = peak_rss_mib(proc.pid)
            proc.terminate()
            lat.sort()
            rows.append((kind, len(lat) / args.seconds, statistics.median(lat) * 1000,
                         lat[int(len(lat) * 0.99) - 1] * 1000, memory))
    print(f"{args.clients} concurrent clients, {args.seconds:.0f} s each, waitress 8 threads")
    print(f"{'endpoint':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'peak RSS MiB':>14}")
    for kind, rps, p50, p99, memory in rows:
        print(f"{kind:<10}{rps:>10.0f}{p50:>10.2f}{p99:>10.2f}{memory:>14.1f}")
    print(f"custos / bare throughput: {rows[1][1] / rows[0][1]:.0%} (aim: at least 60%)")
    print(f"custos with DPoP / custos with bearer: {rows[2][1] / rows[1][1]:.0%}")


if __name__ == "__main__":
    main()
