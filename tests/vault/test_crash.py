"""Crash safety: a writer killed with SIGKILL at random moments loses no reported write."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vault import Vault

from .conftest import NOW

WRITER = r"""
import sys
from datetime import UTC, datetime
from vault import Vault

vault = Vault.open(sys.argv[1])
now = datetime.now(UTC)
pid = vault.create_person(f"writer-{sys.argv[2]}@example.org", "h", now)
print("person", pid, flush=True)
n = 0
while True:
    n += 1
    if n % 7 == 0:
        pid = vault.create_person(f"writer-{sys.argv[2]}-{n}@example.org", "h", now)
        print("person", pid, flush=True)
    else:
        f = vault.add_field(pid, category="c", name=f"n{n}", kind="text", value=n, now=now)
        print("field", pid, f.id, flush=True)
"""


def _run_and_kill(home: Path, round_no: int, rng: random.Random) -> list[list[str]]:
    """Start a writer, let it commit for a random while, SIGKILL it; return its full lines."""
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), str(round_no)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    first = threading.Event()

    def read() -> None:
        for raw in child.stdout:  # type: ignore[union-attr]
            if raw.endswith(b"\n"):  # a partial last line was not reported
                lines.append(raw.decode().strip())
                first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert first.wait(30), child.stderr.read().decode()  # type: ignore[union-attr]
    time.sleep(rng.uniform(0.05, 0.4))
    child.send_signal(signal.SIGKILL)
    child.wait()
    reader.join(5)
    child.stdout.close()  # type: ignore[union-attr]
    child.stderr.close()  # type: ignore[union-attr]
    assert child.returncode == -signal.SIGKILL
    return [line.split() for line in lines]


@pytest.mark.slow
def test_sigkill_loses_no_reported_write(tmp_path):
    home = tmp_path / "home"
    Vault.open(home, now=NOW).close()
    rng = random.Random(os.environ.get("CUSTOS_CRASH_SEED", "7012"))
    reported: list[list[str]] = []
    for round_no in range(6):
        reported += _run_and_kill(home, round_no, rng)
    persons = {r[1] for r in reported if r[0] == "person"}
    fields = {(r[1], r[2]) for r in reported if r[0] == "field"}
    assert len(persons) >= 6 and len(fields) >= 20
    with Vault.open(home, now=NOW) as vault:
        assert vault.db.integrity_check() == ["ok", "ok"]
        assert persons <= set(vault.person_ids())
        stored = {(pid, f.id) for pid in persons for f in vault.list_fields(pid)}
        assert fields <= stored
        assert vault.verify_log() == []
