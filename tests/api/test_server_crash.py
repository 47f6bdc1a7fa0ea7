"""SPEC "Nothing lost": a write acknowledged with a 2xx/3xx by `custos serve` survives kill -9.

A real server process (waitress) takes form posts from several clients; it is SIGKILLed at a
random moment, restarted on the same CUSTOS_HOME, and every acknowledged write must be there,
the SQLite files must pass `integrity_check` and the person's log must verify.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import requests

from api.cli.loopback import Browser

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", "from api.cli import main; main()", "serve",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/signin", timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("custos serve did not start")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_acknowledged_writes_survive_sigkill(tmp_path, seed):
    env = {**os.environ, "CUSTOS_HOME": str(tmp_path / "home"), "CUSTOS_SECRET_KEY": "k" * 40,
           "CUSTOS_SIGNIN_RATE_LIMIT": "1000 per minute"}
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(env, port)
    people = [Browser(base) for _ in range(3)]
    for i, person in enumerate(people):
        person.signup(f"p{i}@example.org", PASSWORD)
    acknowledged: dict[int, list[str]] = {i: [] for i in range(len(people))}
    stop = threading.Event()

    def write(i: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            name = f"field-{i}-{n}"
            try:
                answer = people[i].form("/data", {"category": "preferences", "name": name,
                                                  "kind": "text", "value": f"v{n}"})
            except requests.RequestException:
                return  # the server died mid-request: not acknowledged
            if answer.status_code == 302:
                acknowledged[i].append(name)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(people))]
    for t in threads:
        t.start()
    time.sleep(random.Random(seed).uniform(0.5, 2.0))
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    stop.set()
    for t in threads:
        t.join(timeout=15)
    assert sum(len(a) for a in acknowledged.values()) > 5, "too few writes to prove anything"

    for name in ("custos.db", "keys.db"):
        with sqlite3.connect(tmp_path / "home" / name) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    server = _serve(env, port)
    try:
        for i, names in acknowledged.items():
            again = Browser(base)
            answer = again.form("/signin", {"email": f"p{i}@example.org", "password": PASSWORD})
            assert answer.status_code == 302
            page = again.session.get(base + "/data", timeout=10).text
            missing = [n for n in names if f">{n}</td>" not in page]
            assert missing == [], f"acknowledged but lost after kill -9: {missing[:5]}"
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = subprocess.run([sys.executable, "-c", "from api.cli import main; main()", "audit",
                             "verify"], env=env, capture_output=True, text=True)
    assert result.returncode == 0 and "intact" in result.stdout, result.stdout + result.stderr
