"""An authorized read of 10 fields through the real WSGI server, against a bare endpoint.

Custos: bearer token check, agreement, the person's current terms, the policy decision,
decryption of the fields and a hash-chained log entry, in one write transaction committed
with `synchronous=FULL` (SQLite) or a synchronous commit (PostgreSQL) before the answer.
Bare: a Flask route that finds the person by the bearer token and returns the same JSON from
SQLite with none of that. Both run under waitress (`custos serve`'s 8 threads unless
`--threads` says otherwise, and the 1 ms interpreter-lock switch interval that `custos serve`
sets) in 1 or 2 processes sharing one port (SO_REUSEPORT); 100 persons, each with their own
token, are read in turn. Each load configuration runs bare then Custos back to back, so the
ratio is measured side by side; on a noisy machine, `--repeat 5` runs each configuration five
times, alternating which goes first, and prints the medians and the runs' lowest and highest
ratios.

Minimal (`--minimal`, SQLite): a third server with the least read that keeps Custos's two
guarantees and does nothing else (minimal_read.py), the kind of read issue 15 measured at 60-66 %
of bare. Its ratio on the machine at hand is what the guarantees alone cost there.

DPoP (`--dpop`, RFC 9449): each person also gets a token bound to an ES256 key, and a third
run reads with `Authorization: DPoP` and a fresh proof (new `jti`, `iat`, `ath`) signed by the
load client for every request, so every proof is verified and its `jti` recorded in the shared
replay cache, as in production. wrk cannot sign a proof per request (a fixed set of proofs would
be replays), so the DPoP run uses the Python client only; the bare and bearer runs beside it
use the Python client too, so the three numbers are comparable.

Load comes from `wrk` (Debian package `wrk`; `apt-get install wrk`) with a Lua script that
rotates the tokens, and from the Python client (`requests`, one thread per connection).
CPU split: CPU seconds per second of wall time for the app processes, PostgreSQL (every
`postgres` process on the machine) and the load generator.

    python benchmarks/api_bench.py [--seconds 5] [--backends sqlite,postgres] [--procs 1,2]
        [--conns 8,16] [--load wrk,python] [--persons 100] [--dpop] [--repeat 1] [--threads 8]
        [--minimal]
    python benchmarks/api_bench.py --inprocess   # per-read cost in process, and 1,000 fields
    python benchmarks/api_bench.py --cpu [--reads 3000]  # CPU a request, WSGI apps called directly
    python benchmarks/api_bench.py --profile     # cProfile of in-process reads (SQLite)
    python benchmarks/api_bench.py --profile --dpop  # the same for DPoP-bound reads
    python benchmarks/api_bench.py --roundtrips  # PostgreSQL messages of one read, counted
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
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import minimal_read
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


def _grant_and_token(app, pid: str, client_id: str, categories: list[str], now,
                     bound: list | None = None) -> str:
    """A bearer token; with `bound`, also a token bound to a new ES256 key, appended to it as
    (token, private JWK)."""
    from api.services.receipts import issue_receipt

    vault = app.extensions["custos.vault"]
    grant = vault.agreements.grants.create(pid, client_id, {
        "purpose": "ServiceProvision", "categories": categories, "terms_version": 0,
        "decided_by": "person"}, expires_at=now + timedelta(days=1), now=now)
    try:
        issue_receipt(vault, grant, now=now, issuer="http://localhost")
    except TypeError:  # the code before issue 11 (103b8f1, the "before" of issue 15)
        with app.test_request_context(base_url="http://localhost"):
            issue_receipt(grant)  # type: ignore[call-arg]
    token = "bench-" + uuid.uuid4().hex
    vault.agreements.tokens.save(access=token, refresh=None, client_id=client_id,
                                 person_id=pid, grant_id=grant.id, family_id=uuid.uuid4().hex,
                                 scope="", now=now, access_ttl=timedelta(hours=2))
    if bound is not None:
        from joserfc.jwk import ECKey

        key = ECKey.generate_key("P-256", private=True)
        bound_token = "bench-dpop-" + uuid.uuid4().hex
        vault.agreements.tokens.save(access=bound_token, refresh=None, client_id=client_id,
                                     person_id=pid, grant_id=grant.id,
                                     family_id=uuid.uuid4().hex, scope="", now=now,
                                     access_ttl=timedelta(hours=2), jkt=key.thumbprint())
        bound.append((bound_token, key.as_dict(private=True)))
    return token


def setup_custos(home: Path, url: str | None, persons: int,
                 bound: list | None = None) -> list[str]:
    """`persons` persons with 10 fields each, one vendor, an agreement and a token each (and
    with `bound`, a DPoP-bound token each, appended there)."""
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
        tokens.append(_grant_and_token(app, pid, client.client_id, CATEGORIES, now, bound))
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


def serve(kind: str, where: str, url: str | None, port: int, ready, threads: int) -> None:
    import logging

    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 8"

    if kind == "custos":
        app = _custos_app(Path(where), url)
    elif kind == "minimal":
        app = minimal_read.app(Path(where))
    else:
        app = bare_app(Path(where))
    try:  # both servers as `custos serve` runs Custos (its interpreter lock's interval)
        from api.cli.custos import SWITCH_INTERVAL

        sys.setswitchinterval(SWITCH_INTERVAL)
    except ImportError:  # the code before issue 15 had none
        pass
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    srv = create_server(app, sockets=[sock], threads=threads)
    ready.put(os.getpid())
    srv.run()


def _serve_threads() -> int:
    """`custos serve`'s default thread count (8 in code that names none)."""
    try:
        from api.cli.custos import THREADS
    except ImportError:
        return 8
    return THREADS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servers:
    """`procs` waitress processes of one app on one port."""

    def __init__(self, kind: str, where: Path, url: str | None, procs: int,
                 threads: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.port = free_port()
        ready = ctx.Queue()
        self.procs = [ctx.Process(target=serve, daemon=True,
                                  args=(kind, str(where), url, self.port, ready, threads))
                      for _ in range(procs)]
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


def busy_cores() -> tuple[float, float]:
    """CPU seconds the whole machine has spent busy (every process, ours or not), and those
    the hypervisor took for other guests (`steal`): on a shared host the second can swing by
    tens of percent under load, and a run it hit is not comparable to one it spared."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, steal = fields[3] + fields[4], fields[7]  # idle, iowait; steal
    return (sum(fields[:7]) - idle) / TICKS, steal / TICKS


def our_backends(url: str) -> list[int]:
    """The PostgreSQL backends serving the app (by the application_name in its URL)."""
    import psycopg

    name = re.search(r"application_name=([\w-]+)", url)
    if name is None:
        return []
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                             (name.group(1),)).fetchall()
    return [r[0] for r in rows]


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


class Prover:
    """The client side of RFC 9449: a fresh proof for every request, by the token's key."""

    def __init__(self, bound: list) -> None:
        import base64
        import hashlib

        from joserfc.jwk import ECKey

        self.tokens = [t for t, _ in bound]
        self.keys = [ECKey.import_key(jwk) for _, jwk in bound]
        self.heads = [{"typ": "dpop+jwt", "alg": "ES256", "jwk": k.as_dict(private=False)}
                      for k in self.keys]
        self.ath = [base64.urlsafe_b64encode(hashlib.sha256(t.encode()).digest())
                    .decode().rstrip("=") for t in self.tokens]

    def __len__(self) -> int:
        return len(self.tokens)

    def headers(self, n: int, url: str, method: str = "GET") -> dict:
        from joserfc import jws

        i = n % len(self.tokens)
        claims = {"jti": uuid.uuid4().hex, "htm": method, "htu": url,
                  "iat": int(time.time()), "ath": self.ath[i]}
        proof = jws.serialize_compact(self.heads[i], json.dumps(claims), self.keys[i],
                                      algorithms=["ES256"])
        return {"Authorization": f"DPoP {self.tokens[i]}", "DPoP": proof}


def run_python(url: str, tokens: list[str] | Prover, conns: int, seconds: float) -> dict:
    """Load from `conns` threads; `tokens` a Prover for DPoP reads (a proof a request)."""
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
                headers = tokens.headers(n, url) if isinstance(tokens, Prover) else \
                    {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
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


def measure(servers: Servers, path: str, tokens, load: str, conns: int,
            seconds: float, tmp: Path, pg_url: str | None) -> dict:
    url = f"http://127.0.0.1:{servers.port}{path}"
    pg = pg_url is not None
    pg0 = {pid: cpu_seconds([pid]) for pid in postgres_pids()} if pg else {}
    ours0 = our_backends(pg_url) if pg_url else []
    busy0 = busy_cores()
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
    ours = set(our_backends(pg_url)) | set(ours0) if pg_url else set()
    result["cpu_pg_ours"] = sum(cpu_seconds([pid]) - pg0.get(pid, 0.0) for pid in ours) / wall
    busy, stolen = busy_cores()
    result["cpu_machine"], result["stolen"] = (busy - busy0[0]) / wall, (stolen - busy0[1]) / wall
    return result


def check_once(port: int, path: str, token: str | Prover) -> None:
    url = f"http://127.0.0.1:{port}{path}"
    headers = token.headers(0, url) if isinstance(token, Prover) else \
        {"Authorization": f"Bearer {token}"}
    body = requests.get(url, headers=headers).json()
    assert len(body["fields"]) == 10, json.dumps(body)[:300]


def pg_schema() -> tuple[str, str]:
    import psycopg

    schema = f"custos_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    return schema, (f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
                    f"&application_name={schema}")


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def bench(args) -> None:
    loads = [x for x in args.load.split(",") if x]
    if args.dpop and loads != ["python"]:
        print("[--dpop: the Python client only (wrk cannot sign a fresh proof per request)]")
        loads = ["python"]
    if args.minimal and "sqlite" not in args.backends.split(","):
        print("[--minimal: SQLite only; no SQLite backend asked for, so no minimal read]")
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
                bound: list | None = [] if args.dpop else None
                tokens = setup_custos(home, url, args.persons, bound)
                prover = Prover(bound) if bound else None
                print(f"[{backend}: {args.persons} persons set up in "
                      f"{time.monotonic() - started:.0f} s]", flush=True)
                setup_bare(bare_db, tokens)
                minimal = args.minimal and backend == "sqlite"
                if minimal:
                    minimal_read.setup(tmp / "minimal.db", tokens, CATEGORIES)
                for procs in (int(p) for p in args.procs.split(",")):
                    bare = Servers("bare", bare_db, None, procs, args.threads)
                    custos = Servers("custos", home, url, procs, args.threads)
                    least = Servers("minimal", tmp / "minimal.db", None, procs,
                                    args.threads) if minimal else None
                    try:
                        check_once(bare.port, "/bare", tokens[0])
                        check_once(custos.port, "/api/v1/data", tokens[0])
                        if least:
                            check_once(least.port, "/minimal", tokens[0])
                        if prover:
                            check_once(custos.port, "/api/v1/data", prover)
                        for load in loads:
                            for conns in (int(c) for c in args.conns.split(",")):
                                runs = [("bare", bare, "/bare", tokens),
                                        ("custos", custos, "/api/v1/data", tokens)]
                                if prover:
                                    runs.append(("dpop", custos, "/api/v1/data", prover))
                                if least:
                                    runs.append(("minimal", least, "/minimal", tokens))
                                pairs = []
                                for n in range(args.repeat):
                                    pair = {}  # every other repeat Custos first: a drift of
                                    # the machine's speed during the runs does not favour one
                                    for kind, srv, path, creds in (runs if n % 2 == 0
                                                                   else runs[::-1]):
                                        if load == "python":  # warm-up
                                            run_python(f"http://127.0.0.1:{srv.port}{path}",
                                                       creds, conns, 0.5)
                                        pair[kind] = measure(srv, path, creds, load, conns,
                                                             args.seconds, tmp, url)
                                    pairs.append(pair)
                                    row = (backend, procs, load, conns, pair)
                                    _print_row(row)
                                    if prover:
                                        _print_dpop(row)
                                rows.append((backend, procs, load, conns, pairs))
                    finally:
                        for servers in (bare, custos, least):
                            if servers:
                                servers.stop()
            finally:
                if schema:
                    drop_schema(schema)
    print()
    print(f"{args.persons} persons, 10 fields each, {args.seconds:.0f} s per run, waitress "
          f"{args.threads} threads per process; CPU in cores (app / every postgres process / load "
          f"generator); CPU ms a read (app, its own postgres backends); machine: cores busy; "
          f"stolen: cores the hypervisor took (the more of the pair's two runs)")
    if args.repeat > 1:
        print(f"each configuration run {args.repeat} times, bare and Custos alternating "
              f"which goes first; every column is the median of the runs (ratio: Custos's "
              f"median over bare's), and `ratios` the lowest and highest of the runs' own")
    print(_HEADER + ("  ratios" if args.repeat > 1 else ""))
    for backend, procs, load, conns, pairs in rows:
        _print_row((backend, procs, load, conns, _median(pairs)), _spread(pairs, "custos"))
    if any("minimal" in pairs[0] for *_, pairs in rows):
        _print_minimal(rows)
    if args.dpop:
        print()
        print("DPoP: a token bound to an ES256 key, a fresh proof signed by the Python client "
              "for every request")
        print(_DPOP_HEADER)
        for backend, procs, load, conns, pairs in rows:
            _print_dpop((backend, procs, load, conns, _median(pairs)))


def _median(pairs: list[dict]) -> dict:
    """Each measure's median over repeated runs of one configuration."""
    return {kind: {key: statistics.median(p[kind][key] for p in pairs) for key in pairs[0][kind]}
            for kind in pairs[0]}


def _spread(pairs: list[dict], kind: str) -> str:
    """The lowest and highest of the runs' own ratios (kind against bare), or nothing."""
    if len(pairs) < 2:
        return ""
    ratios = [p[kind]["rps"] / p["bare"]["rps"] for p in pairs]
    return f"  {min(ratios):.0%}–{max(ratios):.0%}"


def _print_minimal(rows) -> None:
    """The least read that keeps both guarantees (minimal_read.py) beside bare and Custos."""
    print()
    print("minimal: a read that keeps both guarantees and does nothing else "
          "(benchmarks/minimal_read.py; SQLite)")
    print(f"{'procs':>5}{'load':>7}{'conns':>6}{'bare r/s':>10}{'minimal':>9}{'custos':>8}"
          f"{'minimal/bare':>14}{'custos/bare':>13}{'custos/minimal':>16}{'min p99':>9}"
          + ("  minimal/bare runs" if len(rows[0][-1]) > 1 else ""))
    for _, procs, load, conns, pairs in rows:
        if "minimal" not in pairs[0]:
            continue
        m = _median(pairs)
        b, least, c = m["bare"]["rps"], m["minimal"]["rps"], m["custos"]["rps"]
        print(f"{procs:>5}{load:>7}{conns:>6}{b:>10.0f}{least:>9.0f}{c:>8.0f}"
              f"{least / b:>14.0%}{c / b:>13.0%}{c / least:>16.0%}"
              f"{m['minimal']['p99']:>9.1f}{_spread(pairs, 'minimal')}", flush=True)


_DPOP_HEADER = (f"{'backend':<9}{'procs':>6}{'conns':>6}{'bare r/s':>10}{'bearer':>8}"
                f"{'dpop':>7}{'bearer/bare':>12}{'dpop/bare':>10}{'dpop/bearer':>12}"
                f"{'bearer p50/p99':>16}{'dpop p50/p99':>14}{'dpop app ms':>12}")


def _print_dpop(row) -> None:
    backend, procs, _, conns, pair = row
    b, c, d = pair["bare"], pair["custos"], pair["dpop"]
    print(f"{backend:<9}{procs:>6}{conns:>6}{b['rps']:>10.0f}{c['rps']:>8.0f}{d['rps']:>7.0f}"
          f"{c['rps'] / b['rps']:>12.0%}{d['rps'] / b['rps']:>10.0%}"
          f"{d['rps'] / c['rps']:>12.0%}{c['p50']:>9.1f} /{c['p99']:>5.1f}"
          f"{d['p50']:>7.1f} /{d['p99']:>5.1f}{d['cpu_app'] / d['rps'] * 1000:>12.2f}",
          flush=True)


_HEADER = (f"{'backend':<9}{'procs':>6}{'load':>7}{'conns':>6}{'bare r/s':>10}"
           f"{'custos r/s':>11}{'ratio':>7}{'bare p99':>9}{'cus p50':>8}{'cus p99':>8}"
           f"  {'CPU custos app/pg/load':<24}{'app ms':>7}{'pg ms':>6}{'machine':>8}"
           f"{'stolen':>7}")


def _print_row(row, spread: str = "") -> None:
    """CPU in cores; `app ms` and `pg ms`: CPU milliseconds per read in the app processes
    and in the app's own PostgreSQL backends; `machine`: cores busy on the whole machine
    (every process, other users' too) while Custos ran, without `stolen`: the cores the
    hypervisor took from this machine, the more of bare's run and Custos's (a quiet host: 0.00;
    the two runs of a pair are comparable only while it stays small). With repeated runs,
    every column is a median (`ratio`: Custos's median over bare's) and `spread` the runs' own
    lowest and highest ratios."""
    backend, procs, load, conns, pair = row
    b, c = pair["bare"], pair["custos"]
    print(f"{backend:<9}{procs:>6}{load:>7}{conns:>6}{b['rps']:>10.0f}{c['rps']:>11.0f}"
          f"{c['rps'] / b['rps']:>7.0%}{b['p99']:>9.1f}{c['p50']:>8.1f}{c['p99']:>8.1f}"
          f"  {c['cpu_app']:.2f} / {c['cpu_pg']:.2f} / {c['cpu_load']:.2f}"
          f"{' ' * 6}{c['cpu_app'] / c['rps'] * 1000:>7.2f}"
          f"{c['cpu_pg_ours'] / c['rps'] * 1000:>6.2f}{c['cpu_machine']:>8.2f}"
          f"{max(b['stolen'], c['stolen']):>7.2f}{spread}",
          flush=True)


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


def _environ(path: str, token: str) -> dict:
    """A WSGI environ for GET `path` with a bearer token, as waitress would build it."""
    import io

    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8080", "HTTP_AUTHORIZATION": f"Bearer {token}",
            "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": True,
            "wsgi.multiprocess": False, "wsgi.run_once": False}


def cpu(args) -> None:
    """CPU per request of each WSGI app called directly, one thread (no server, no test
    client): the app's own work, which is what a server process spends its one core on.
    Median of 3 rounds of `--reads` reads each."""
    def started(status: str, headers, exc_info=None) -> None:
        assert status.startswith("200"), status

    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        for backend in args.backends.split(","):
            schema, url = pg_schema() if backend == "postgres" else (None, None)
            try:
                tokens = setup_custos(tmp / f"cpu-{backend}", url, args.persons)
                setup_bare(tmp / f"cpu-{backend}.db", tokens)
                apps = {"bare": (bare_app(tmp / f"cpu-{backend}.db"), "/bare"),
                        "custos": (_custos_app(tmp / f"cpu-{backend}", url), "/api/v1/data")}
                spent = {}
                for name, (app, path) in apps.items():
                    rounds = []
                    for _ in range(4):  # the first round warms up
                        start = time.process_time()
                        for i in range(args.reads):
                            b"".join(app(_environ(path, tokens[i % len(tokens)]), started))
                        rounds.append((time.process_time() - start) / args.reads * 1000)
                    spent[name] = statistics.median(rounds[1:])
                print(f"{backend:<9} CPU ms a request, in process: bare {spent['bare']:.3f}, "
                      f"Custos {spent['custos']:.3f}", flush=True)
                apps["custos"][0].extensions["custos.vault"].close()
            finally:
                if schema:
                    drop_schema(schema)


def profile(args) -> None:
    import cProfile
    import pstats

    backend = args.backends.split(",")[0]  # the first one named (SQLite unless told)
    schema, url = pg_schema() if backend == "postgres" else (None, None)
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        bound: list | None = [] if args.dpop else None
        tokens = setup_custos(tmp / "prof", url, 3, bound)
        app = _custos_app(tmp / "prof", url)
        test = app.test_client()
        prover = Prover(bound) if bound else None

        def headers(i: int) -> dict:
            if prover:  # signed outside the profile: the client's work, not the server's
                return prover.headers(i, "http://localhost/api/v1/data")
            return {"Authorization": f"Bearer {tokens[i % 3]}"}

        for i in range(50):
            assert test.get("/api/v1/data", headers=headers(i)).status_code == 200
        prof = cProfile.Profile()
        spent = 0.0
        for i in range(args.reads):
            sent = headers(i)
            start = time.perf_counter()
            prof.enable()
            answer = test.get("/api/v1/data", headers=sent)
            prof.disable()
            spent += time.perf_counter() - start
            assert answer.status_code == 200
        kind = "DPoP" if prover else "bearer"
        print(f"{spent / args.reads * 1000:.2f} ms a {kind} read under cProfile")
        stats = pstats.Stats(prof)
        stats.sort_stats("tottime").print_stats(25)
        app.extensions["custos.vault"].close()
    if schema:
        drop_schema(schema)


def count_trace(lines: list[str]) -> dict:
    """Round trips and statements in a libpq protocol trace (`F` sent, `B` received): a
    round trip is a run of sent messages answered by received ones."""
    trips = statements = 0
    last = ""
    for line in lines:
        side, _, rest = line.partition("\t")
        message = rest.split("\t")[1] if "\t" in rest else ""
        if side == "F" and message in ("Execute", "Query"):
            statements += 1
        if side == "B" and last == "F":
            trips += 1
        if side in ("F", "B"):
            last = side
    return {"round trips": trips, "statements": statements}


def roundtrips(args) -> None:
    """One authorized read on PostgreSQL in process, with libpq's protocol trace on: how many
    times the app waits for the server, and how many statements it sends."""
    import psycopg

    schema, url = pg_schema()
    opened: list = []  # the app's connections, seen as psycopg opens them
    connect = psycopg.connect

    def watched(*args, **kwargs):
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    psycopg.connect = watched
    try:
        with tempfile.TemporaryDirectory() as tmpname:
            home = Path(tmpname) / "rt"
            tokens = setup_custos(home, url, 2)
            app = _custos_app(home, url)
            vault = app.extensions["custos.vault"]
            test = app.test_client()
            headers = {"Authorization": f"Bearer {tokens[0]}"}
            for _ in range(10):  # warm: caches, prepared statements, `last used` written
                assert test.get("/api/v1/data", headers=headers).status_code == 200
            conn = next(c for c in reversed(opened) if not c.closed)  # this thread's
            trace = Path(tmpname) / "trace.txt"
            for _ in range(3):
                with trace.open("w") as out:
                    conn.pgconn.trace(out.fileno())
                    conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS
                                                | psycopg.pq.Trace.REGRESS_MODE)
                    answer = test.get("/api/v1/data", headers=headers)
                    conn.pgconn.untrace()
                assert answer.status_code == 200 and len(answer.get_json()["fields"]) == 10
                lines = trace.read_text().splitlines()
                counted = count_trace(lines)
                print(f"one read: {counted['round trips']} round trips, "
                      f"{counted['statements']} statements", flush=True)
            if args.verbose:
                for line in lines:
                    side, _, rest = line.partition("\t")
                    parts = rest.split("\t")
                    if side == "F" and len(parts) > 1 and parts[1] in ("Parse", "Query", "Bind",
                                                                      "Sync", "Flush"):
                        print("  ", side, parts[1], " ".join(parts[2:])[:150])
                    elif side == "B" and len(parts) > 1 and parts[1] in ("ReadyForQuery",
                                                                        "CommandComplete"):
                        print("  ", side, parts[1], " ".join(parts[2:])[:60])
            vault.close()
    finally:
        psycopg.connect = connect
        drop_schema(schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--procs", default="1,2")
    parser.add_argument("--conns", default="8,16")
    parser.add_argument("--load", default="wrk,python")
    parser.add_argument("--threads", type=int, default=_serve_threads(),
                        help="waitress threads per process, for both servers "
                             "(default: custos serve's)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each configuration (a noisy machine: medians, spread)")
    parser.add_argument("--persons", type=int, default=100)
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--inprocess", action="store_true")
    parser.add_argument("--cpu", action="store_true",
                        help="CPU per request of the WSGI apps called directly")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--roundtrips", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--dpop", action="store_true",
                        help="add DPoP-bound reads (Python client), or profile those")
    parser.add_argument("--minimal", action="store_true",
                        help="add the least read that keeps both guarantees (SQLite; "
                             "minimal_read.py)")
    args = parser.parse_args()
    if args.repeat < 1 or args.threads < 1:
        parser.error("--repeat and --threads must be at least 1")
    if args.roundtrips:
        roundtrips(args)
    elif args.profile:
        profile(args)
    elif args.inprocess:
        inprocess(args)
    elif args.cpu:
        cpu(args)
    else:
        bench(args)


if __name__ == "__main__":
    main()
