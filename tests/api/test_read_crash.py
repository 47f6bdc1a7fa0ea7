"""Issue 15: a vendor's read answered to the client is in the person's log after a kill -9.

Several vendors read at once through `custos serve` (so reads share commits: SQLite group
commit); the server is SIGKILLed right after the k-th answer, while other reads are in
flight. After a restart every answered read must be in the log (an `access_attempted`
entry per read, counted per agreement), the chain must verify and the files must be intact.
With 16 readers, a server that answered a grouped read before its group's COMMIT failed this
test in 9 seeds of 10.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.api.test_server_crash import _port, _serve
from vault import Vault

pytestmark = pytest.mark.slow
READERS = 16


def _setup(home) -> list[tuple[str, str, str]]:
    """Persons with a field each, one vendor, an agreement and a token per person."""
    now = datetime.now(UTC)
    made = []
    with Vault.open(home) as vault:
        client, _ = vault.agreements.clients.register(
            {"client_name": "Reader", "redirect_uris": ["https://r.example/cb"]}, now,
            confidential=True)
        for i in range(READERS):
            pid = vault.create_person(f"r{i}@example.org", "x", now)
            vault.add_field(pid, category="contact.email", name="Email", kind="email",
                            value=f"r{i}@example.org", now=now)
            grant = vault.agreements.grants.create(pid, client.client_id, {
                "purpose": "ServiceProvision", "categories": ["contact.email"],
                "terms_version": 0, "decided_by": "person"},
                expires_at=now + timedelta(days=1), now=now)
            token = f"crash-token-{i}-" + "x" * 20
            vault.agreements.tokens.save(access=token, refresh=None,
                                         client_id=client.client_id, person_id=pid,
                                         grant_id=grant.id, family_id=f"f{i}", scope="",
                                         now=now, access_ttl=timedelta(hours=1))
            made.append((pid, grant.id, token))
    return made


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_an_answered_read_is_logged_after_sigkill(tmp_path, seed):
    home = tmp_path / "home"
    made = _setup(home)
    env = {**os.environ, "CUSTOS_HOME": str(home), "CUSTOS_SECRET_KEY": "k" * 40,
           "CUSTOS_API_RATE_LIMIT": "100000 per minute"}
    port = _port()
    server = _serve(env, port)
    kill_after = random.Random(seed).randint(20, 120)
    answered = {grant: 0 for _, grant, _ in made}
    lock = threading.Lock()
    stop = threading.Event()
    total = [0]

    def read(grant: str, token: str) -> None:
        with requests.Session() as session:
            while not stop.is_set():
                try:
                    answer = session.get(f"http://127.0.0.1:{port}/api/v1/data", timeout=10,
                                         headers={"Authorization": f"Bearer {token}"})
                except requests.RequestException:
                    return  # the server died mid-request: not answered
                assert answer.status_code == 200, answer.text
                assert answer.json()["fields"][0]["category"] == "contact.email"
                with lock:
                    answered[grant] += 1
                    total[0] += 1
                    if total[0] == kill_after:  # right after this answer arrived
                        os.kill(server.pid, signal.SIGKILL)
                        stop.set()

    threads = [threading.Thread(target=read, args=(g, t)) for _, g, t in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    server.wait(timeout=30)
    assert server.returncode == -signal.SIGKILL
    assert sum(answered.values()) >= kill_after

    for name in ("custos.db", "keys.db"):
        with sqlite3.connect(home / name) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with Vault.open(home) as vault:
        for pid, grant, _ in made:
            logged = [e for e in vault.list_events(pid, kinds=["access_attempted"])
                      if e.payload["grant_id"] == grant and e.payload["outcome"] == "allowed"]
            assert len(logged) >= answered[grant], (grant, len(logged), answered[grant])
        assert vault.verify_log() == []
