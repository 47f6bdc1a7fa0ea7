"""An authorized read of 10 fields through the real WSGI server, against a bare endpoint.

Custos: bearer token check, agreement, the person's current terms, the policy decision,
decryption of the fields and a hash-chained log entry, in one write transaction committed
with `synchronous=FULL` (SQLite) or a synchronous commit (PostgreSQL) before the answer.
Bare: a Flask route that finds the person by the bearer token and returns the same JSON from
SQLite with none of that. Both run under waitress (8 threads) in 1 or 2 processes sharing one
port (SO_REUSEPORT); 100 persons, each with their own token, are read in turn. Each load
configuration runs bare then Custos back to back, so the ratio is measured side by side.

Load comes from `wrk` (Debian package `wrk`; `apt-get install wrk`) with a Lua script that
rotates the tokens, and from the Python client (`requests`, one thread per connection).
CPU split: CPU seconds per second of wall time for the app processes, PostgreSQL (every
`postgres` process on the machine) and the load generator.

    python benchmarks/api_bench.py [--seconds 5] [--backends sqlite,postgres] [--procs 1,2]
        [--conns 8,16] [--load wrk,python] [--persons 100]
    python benchmarks/api_bench.py --inprocess   # per-read cost in process, and 1,000 fields
    python benchmarks/api_bench.py --profile     # cProfile of in-process reads (SQLite)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

CATEGORIES = ["contact.email", "contact.phone", "identity.name", "address.street",
              "address.city", "address.postal", "address.country", "demographics.age",
              "demographics.language", "preferences.interests"]
PG_URL = os.environ.get("CUSTOS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TICKS = os.sysconf("SC_CLK_TCK")


def _custos_app(home: Path, url: str | None):
    from api import create_app
    from api.config import Settings

    return create_app(Settings(home=home, secret_key="b" * 40, secure_cookies=False,
                               database_url=url, api_rate_limit="100000000 per minute"))


def _grant_and_token(app, pid: str, client_id: str, categories: list[str], now) -> str:
    from api.services.receipts import issue_receipt

    vault = app.extensions["custos.vault"]
    grant = vault.agreements.grants.create(pid, client_id, {
        "purpose": "ServiceProvision", "categories": categories, "terms_version": 0,
        "decided_by": "person"}, expires_at=now + timedelta(days=1), now=now)
    issue_receipt(vault, grant, now=now, issuer="http://localhost")
    token = "bench-" + uuid.uuid4().hex
    vault.agreements.tokens.save(access=token, refresh=None, client_id=client_id,
                                 person_id=pid, grant_id=grant.id, family_id=uuid.uuid4().hex,
                                 scope="", now=now, access_ttl=timedelta(hours=2))
    return token


def setup_custos(home: Path, url: str | None, persons: int) -> list[str]:
    """`persons` persons with 10 fields each, one vendor, an agreement and a token each."""
    app = _custos_app(home, url)
    vault = app.extensions["custos.vault"]
    now = datetime.now(UTC)
    client, _ = vault.agreements.clients.register(
        {"client_name": "Bench", "redirect_uris": ["https://b.example/cb"]}, now,
        confidential=True)
    tokens = []
    for n in range(persons):
        pid = vault.create_person(f"bench{n}@example.org", "x", now)
        for i, cat in enumerate(CATEGORIES):
            vault.add_field(pid, category=cat, name=f"field {i}", kind="text",
                            value=f"value {i}", now=now)
        tokens.append(_grant_and_token(app, pid, client.client_id, CATEGORIES, now))
    vault.close()
    return tokens


def setup_bare(path: Path, tokens: list[str]) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE tokens (token TEXT PRIMARY KEY, person INTEGER)")
    db.execute("CREATE TABLE fields (person INTEGER, category TEXT, name TEXT, kind TEXT, "
               "value TEXT)")
    db.execute("CREATE INDEX fields_person ON fields(person)")
    db.executemany("INSERT INTO tokens VALUES (?, ?)", [(t, n) for n, t in enumerate(tokens)])
    db.executemany("INSERT INTO fields VALUES (?, ?, ?, ?, ?)",
                   [(n, c, f"field {i}", "text", f"value {i}") for n in range(len(tokens))
                    for i, c in enumerate(CATEGORIES)])
    db.commit()
    db.close()


def bare_app(path: Path):
    from flask import Flask, jsonify, request

    app = Flask("bare")
    local = threading.local()

    @app.get("/bare")
    def bare():
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path)
        token = request.headers.get("Authorization", "").partition(" ")[2]
        rows = local.db.execute("SELECT f.category, f.name, f.kind, f.value FROM tokens t "
                                "JOIN fields f ON f.person = t.person WHERE t.token = ?",
                                (token,)).fetchall()
        return jsonify({"sub": "x", "agreement": "y", "purpose": "ServiceProvision",
                        "fields": [dict(zip(("category", "name", "kind", "value"), r,
                                            strict=True)) for r in rows], "withheld": []})

    return app


def serve(kind: str, where: str, url: str | None, port: int, ready) -> None:
    import logging

    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 8"

    app = _custos_app(Path(where), url) if kind == "custos" else bare_app(Path(where))
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    srv = create_server(app, sockets=[sock], threads=8)
    ready.put(os.getpid())
    srv.run()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servers:
    """`procs` waitress processes of one app on one port."""

    def __init__(self, kind: str, where: Path, url: str | None, procs: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.port = free_port()
        ready = ctx.Queue()
        self.procs = [ctx.Process(target=serve, args=(kind, str(where), url, self.port, ready),
                                  daemon=True) for _ in range(procs)]
        for p in self.procs:
            p.start()
        for _ in self.procs:
            ready.get(timeout=60)

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.join(timeout=10)


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


WRK_SCRIPT = """
tokens = {%s}
counter = 0
request = function()
  counter = counter + 1
  local t = tokens[(counter %% #tokens) + 1]
  return wrk.format("GET", "%s", {["Authorization"] = "Bearer " .. t})
end
"""


def run_wrk(url: str, path: str, tokens: list[str], conns: int, seconds: float,
            script_dir: Path) -> dict:
    script = script_dir / "tokens.lua"
    script.write_text(WRK_SCRIPT % (", ".join(f'"{t}"' for t in tokens), path))
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds:.0f}s", "--latency",
                          "-s", str(script), url], capture_output=True, text=True, check=True)
    text = out.stdout
    if "Non-2xx" in text or "Socket errors" in text:
        raise SystemExit("wrk saw failures:\n" + text)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = _ms(re.search(r"\s50%\s+([\d.]+\w+)", text).group(1))
    p99 = _ms(re.search(r"\s99%\s+([\d.]+\w+)", text).group(1))
    return {"rps": rps, "p50": p50, "p99": p99}


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_python(url: str, tokens: list[str], conns: int, seconds: float) -> dict:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    failures = []

    def worker(offset: int):
        mine = []
        n = offset
        with requests.Session() as s:
            while time.monotonic() < deadline:
                n += 1
                headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
                start = time.perf_counter()
                r = s.get(url, headers=headers)
                mine.append(time.perf_counter() - start)
                if r.status_code != 200:
                    failures.append(r.status_code)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i * 7,)) for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"{len(failures)} non-200 answers, e.g. {failures[:3]}")
    latencies.sort()
    return {"rps": len(latencies) / seconds, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000}


def measure(servers: Servers, path: str, tokens: list[str], load: str, conns: int,
            seconds: float, tmp: Path, pg: bool) -> dict:
    url = f"http://127.0.0.1:{servers.port}{path}"
    pg0 = {pid: cpu_seconds([pid]) for pid in postgres_pids()} if pg else {}
    app0, me0, wall0 = cpu_seconds(servers.pids()), sum(os.times()[:4]), time.monotonic()
    if load == "wrk":
        result = run_wrk(url, path, tokens, conns, seconds, tmp)
    else:
        result = run_python(url, tokens, conns, seconds)
    wall = time.monotonic() - wall0
    times = os.times()
    result["cpu_app"] = (cpu_seconds(servers.pids()) - app0) / wall
    # backends started during the run (a thread's first connection) count from zero
    result["cpu_pg"] = sum(cpu_seconds([pid]) - pg0.get(pid, 0.0)
                           for pid in postgres_pids()) / wall if pg else 0.0
    result["cpu_load"] = (sum(times[:4]) - me0) / wall  # this process + wrk (a waited child)
    return result


def check_once(port: int, path: str, token: str) -> None:
    body = requests.get(f"http://127.0.0.1:{port}{path}",
                        headers={"Authorization": f"Bearer {token}"}).json()
    assert len(body["fields"]) == 10, json.dumps(body)[:300]


def pg_schema() -> tuple[str, str]:
    import psycopg

    schema = f"custos_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    return schema, f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def bench(args) -> None:
    loads = [x for x in args.load.split(",") if x]
    if "wrk" in loads and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (or --load python)")
    rows = []
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        for backend in args.backends.split(","):
            schema, url = pg_schema() if backend == "postgres" else (None, None)
            try:
                home, bare_db = tmp / f"custos-{backend}", tmp / f"bare-{backend}.db"
                started = time.monotonic()
                tokens = setup_custos(home, url, args.persons)
                print(f"[{backend}: {args.persons} persons set up in "
                      f"{time.monotonic() - started:.0f} s]", flush=True)
                setup_bare(bare_db, tokens)
                for procs in (int(p) for p in args.procs.split(",")):
                    bare = Servers("bare", bare_db, None, procs)
                    custos = Servers("custos", home, url, procs)
                    try:
                        check_once(bare.port, "/bare", tokens[0])
                        check_once(custos.port, "/api/v1/data", tokens[0])
                        for load in loads:
                            for conns in (int(c) for c in args.conns.split(",")):
                                pair = {}
                                for kind, srv, path in (("bare", bare, "/bare"),
                                                        ("custos", custos, "/api/v1/data")):
                                    if load == "python":  # warm-up
                                        run_python(f"http://127.0.0.1:{srv.port}{path}",
                                                   tokens, conns, 0.5)
                                    pair[kind] = measure(srv, path, tokens, load, conns,
                                                         args.seconds, tmp,
                                                         backend == "postgres")
                                rows.append((backend, procs, load, conns, pair))
                                _print_row(rows[-1])
                    finally:
                        bare.stop()
                        custos.stop()
            finally:
                if schema:
                    drop_schema(schema)
    print()
    print(f"{args.persons} persons, 10 fields each, {args.seconds:.0f} s per run, waitress 8 "
          f"threads per process; CPU in cores (app / postgres / load generator)")
    print(_HEADER)
    for row in rows:
        _print_row(row)


_HEADER = (f"{'backend':<9}{'procs':>6}{'load':>7}{'conns':>6}{'bare r/s':>10}"
           f"{'custos r/s':>11}{'ratio':>7}{'bare p99':>9}{'cus p50':>8}{'cus p99':>8}"
           f"  {'CPU custos app/pg/load':<24}")


def _print_row(row) -> None:
    backend, procs, load, conns, pair = row
    b, c = pair["bare"], pair["custos"]
    print(f"{backend:<9}{procs:>6}{load:>7}{conns:>6}{b['rps']:>10.0f}{c['rps']:>11.0f}"
          f"{c['rps'] / b['rps']:>7.0%}{b['p99']:>9.1f}{c['p50']:>8.1f}{c['p99']:>8.1f}"
          f"  {c['cpu_app']:.2f} / {c['cpu_pg']:.2f} / {c['cpu_load']:.2f}", flush=True)


def inprocess(args) -> None:
    """Per-read cost through Flask's test client (no HTTP server), and the 1,000-field read."""
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        for backend in args.backends.split(","):
            schema, url = pg_schema() if backend == "postgres" else (None, None)
            try:
                app = _custos_app(tmp / f"in-{backend}", url)
                vault = app.extensions["custos.vault"]
                now = datetime.now(UTC)
                client, _ = vault.agreements.clients.register(
                    {"client_name": "Bench", "redirect_uris": ["https://b.example/cb"]}, now,
                    confidential=True)
                two = ["contact.email", "contact.phone"]
                others = [c for c in CATEGORIES if c not in two]
                cases = {}
                for label, extra in (("10 fields, all read", 0), ("20 fields, 2 categories", 0),
                                     ("1,000 fields, 2 categories", 980)):
                    pid = vault.create_person(f"{label[:2]}{backend}@example.org", "x", now)
                    if label.startswith("10 "):
                        for i, cat in enumerate(CATEGORIES):
                            vault.add_field(pid, category=cat, name=f"f{i}", kind="text",
                                            value=f"value {i}", now=now)
                        cats = CATEGORIES
                    else:
                        with vault.transaction("write"):
                            for i in range(20):
                                vault.add_field(pid, category=two[i % 2], name=f"f{i}",
                                                kind="text", value=f"value {i}", now=now)
                            for i in range(extra):
                                vault.add_field(pid, category=others[i % len(others)],
                                                name=f"o{i}", kind="text", value=f"other {i}",
                                                now=now)
                        cats = two
                    cases[label] = _grant_and_token(app, pid, client.client_id, cats, now)
                test = app.test_client()
                for label, token in cases.items():
                    headers = {"Authorization": f"Bearer {token}"}
                    for _ in range(20):
                        assert test.get("/api/v1/data", headers=headers).status_code == 200
                    times = []
                    for _ in range(args.reads):
                        start = time.perf_counter()
                        answer = test.get("/api/v1/data", headers=headers)
                        times.append(time.perf_counter() - start)
                        assert answer.status_code == 200
                    times.sort()
                    print(f"{backend:<9} {label:<28} median {statistics.median(times) * 1000:6.2f}"
                          f" ms  p99 {times[int(len(times) * 0.99) - 1] * 1000:6.2f} ms",
                          flush=True)
                vault.close()
            finally:
                if schema:
                    drop_schema(schema)


def profile(args) -> None:
    import cProfile
    import pstats

    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        tokens = setup_custos(tmp / "prof", None, 3)
        app = _custos_app(tmp / "prof", None)
        test = app.test_client()
        headers = [{"Authorization": f"Bearer {t}"} for t in tokens]
        for i in range(50):
            test.get("/api/v1/data", headers=headers[i % 3])
        prof = cProfile.Profile()
        start = time.perf_counter()
        prof.enable()
        for i in range(args.reads):
            test.get("/api/v1/data", headers=headers[i % 3])
        prof.disable()
        print(f"{(time.perf_counter() - start) / args.reads * 1000:.2f} ms a read under cProfile")
        stats = pstats.Stats(prof)
        stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--procs", default="1,2")
    parser.add_argument("--conns", default="8,16")
    parser.add_argument("--load", default="wrk,python")
    parser.add_argument("--persons", type=int, default=100)
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--inprocess", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.profile:
        profile(args)
    elif args.inprocess:
        inprocess(args)
    else:
        bench(args)


if __name__ == "__main__":
    main()
