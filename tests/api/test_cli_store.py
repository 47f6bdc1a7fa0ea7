"""`custos store`: info, the copy to PostgreSQL, and several app processes on the copy."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from argon2 import PasswordHasher
from click.testing import CliRunner

from api.cli.store import store
from tests.vault.conftest import NOW
from vault import Vault

PASSWORD = "correct horse battery"


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {"CUSTOS_HOME": str(tmp_path / "home"), "CUSTOS_SECRET_KEY": "s" * 40}


@pytest.fixture
def populated(env) -> str:
    """A SQLite vault with Ann, who can sign in, and one field; returns her id."""
    vault = Vault.open(env["CUSTOS_HOME"], now=NOW)
    try:
        pid = vault.create_person("ann@example.org", PasswordHasher().hash(PASSWORD), NOW)
        vault.add_field(pid, category="address.city", name="Home city", kind="text",
                        value="Zürich", now=NOW)
    finally:
        vault.close()
    return pid


def run(env, *args):
    return CliRunner().invoke(store, list(args), env=env, catch_exceptions=False)


def rows(output: str, table: str) -> int:
    match = re.search(rf"^\s+{table}\s+(\d+)", output, re.M)
    assert match, f"no row count for {table} in:\n{output}"
    return int(match.group(1))


def test_info_names_backend_tables_and_key_versions(env, populated):
    result = run(env, "info")
    assert result.exit_code == 0, result.output
    assert f"Backend: SQLite, {Path(env['CUSTOS_HOME']).resolve() / 'custos.db'}" in result.output
    assert "Migrations: 0001_initial" in result.output
    assert rows(result.output, "persons") == 1 and rows(result.output, "fields") == 1
    assert re.search(r"keystore_data_keys\s+1\s+\(key store\)", result.output)
    assert "Master key: version 1 active; versions: 1 (2 keys)" in result.output


def test_copy_to_a_sqlite_folder_says_what_to_do_next(env, populated, tmp_path):
    result = run(env, "copy", "--to", f"sqlite:///{tmp_path / 'back'}")
    assert result.exit_code == 0, result.output
    assert rows(result.output, "persons") == 1
    assert re.search(r"Copied \d+ rows in \d+ tables to sqlite:///", result.output)
    assert "1 audit log(s) verify, 1 person(s) read back identically" in result.output
    assert f"Copy {Path(env['CUSTOS_HOME']).resolve() / 'master.key'} into" in result.output
    assert f"set CUSTOS_HOME={tmp_path / 'back'} and restart" in result.output


@pytest.mark.parametrize("url", ["mysql://db/custos", "sqlite://"])
def test_copy_to_a_bad_url_is_one_line(env, populated, url):
    result = CliRunner().invoke(store, ["copy", "--to", url], env=env)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: ")
    assert "Traceback" not in result.output


@pytest.mark.postgres
def test_copy_to_postgres_then_info_there_and_a_second_copy_is_refused(env, populated, pg_url):
    before = run(env, "info").output
    result = run(env, "copy", "--to", pg_url)
    assert result.exit_code == 0, result.output
    assert f"Next: set CUSTOS_DATABASE_URL={pg_url} (keep CUSTOS_HOME=" in result.output

    on_pg = run({**env, "CUSTOS_DATABASE_URL": pg_url}, "info")
    assert on_pg.exit_code == 0, on_pg.output
    assert "Backend: PostgreSQL, postgresql://" in on_pg.output
    for table in ("persons", "fields", "events", "keystore_data_keys", "keystore_server_keys"):
        assert rows(on_pg.output, table) == rows(before, table)

    again = CliRunner().invoke(store, ["copy", "--to", pg_url], env=env)
    assert again.exit_code == 1
    assert "is not empty: it holds rows in persons (1)" in again.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve",
               "--port", str(port), "--threads", "4"]
    proc = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    return proc, f"http://127.0.0.1:{port}"


def _wait(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(base + "/signin", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)


def _token(session: requests.Session, url: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', session.get(url, timeout=10).text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def _post(session: requests.Session, url: str, data: dict, *, page: str | None = None):
    """Post a form the way a browser does: the CSRF token from the page first."""
    token = _token(session, page or url)
    response = session.post(url, data={**data, "csrf_token": token}, allow_redirects=False,
                            timeout=30)
    assert response.status_code == 302, (url, response.status_code, response.text[:500])
    return response


def _sign_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    _post(session, base + "/signin", {"email": email, "password": PASSWORD})
    return session


@pytest.mark.slow
@pytest.mark.postgres
def test_two_app_processes_share_one_postgres_store(env, populated, pg_url):
    """The operator's move, then two stateless `custos serve` processes on the copy."""
    assert run(env, "copy", "--to", pg_url).exit_code == 0
    live = {**env, "CUSTOS_DATABASE_URL": pg_url, "CUSTOS_SIGNIN_RATE_LIMIT": "1000 per minute",
            "CUSTOS_LOG_LEVEL": "WARNING"}
    (proc_a, a), (proc_b, b) = _serve(live), _serve(live)
    try:
        _wait(a, proc_a)
        _wait(b, proc_b)
        # Ann's data came over from SQLite; she reads it on either process.
        ann = _sign_in(a, "ann@example.org")
        assert "Zürich" in ann.get(b + "/data", timeout=10).text  # A's session works on B

        # Bea signs up on A, then signs in on B with a fresh browser.
        first = requests.Session()
        _post(first, a + "/signup", {"email": "bea@example.org", "password": PASSWORD,
                                     "confirm": PASSWORD})
        _post(first, a + "/data", {"category": "address.city", "name": "City", "kind": "text",
                                   "value": "Basel"})
        second = _sign_in(b, "bea@example.org")
        assert "Basel" in second.get(b + "/data", timeout=10).text
        # A form served by A is accepted by B: the same CUSTOS_SECRET_KEY signs both.
        _post(second, b + "/data", {"category": "address.city", "name": "Old city",
                                    "kind": "text", "value": "Bern"}, page=a + "/data")

        # Both processes write Bea's data at the same time.
        per_process = 20
        errors: list[BaseException] = []

        def write(session: requests.Session, base: str, tag: str) -> None:
            try:
                for i in range(per_process):
                    _post(session, base + "/data", {"category": "contact.email",
                                                    "name": f"{tag} {i}", "kind": "email",
                                                    "value": f"{tag.lower()}{i}@example.org"})
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        writers = [threading.Thread(target=write, args=(first, a, "A")),
                   threading.Thread(target=write, args=(second, b, "B"))]
        for t in writers:
            t.start()
        for t in writers:
            t.join(timeout=120)
        assert not errors, errors
    finally:
        for proc in (proc_a, proc_b):
            proc.terminate()
        outputs = [proc.communicate(timeout=10)[0] for proc in (proc_a, proc_b)]
    assert all("Traceback" not in out for out in outputs), outputs

    vault = Vault.open(env["CUSTOS_HOME"], pg_url)
    try:
        bea = vault.find_person_by_email("bea@example.org")
        names = sorted(f.name for f in vault.list_fields(bea.id))
        assert len(names) == 2 + 2 * per_process
        assert {f"A {i}" for i in range(per_process)} <= set(names)
        assert {f"B {i}" for i in range(per_process)} <= set(names)
        seqs = [e.seq for e in vault.list_events(bea.id)]
        assert seqs == list(range(1, len(seqs) + 1))  # one linear chain, no gap, no fork
        assert vault.verify_log() == []
    finally:
        vault.close()
