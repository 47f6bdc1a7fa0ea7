"""`custos backup --keys` then `custos restore` into a new home: verified, served, signed in;
a tampered or mismatched backup is refused with one line and leaves the home empty."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from api import create_app
from api.cli import custos as cli_module
from api.config import Settings
from tests.conftest import Auth
from tests.oauth.conftest import serving

PASSWORD = "correct horse battery"


def run(home: Path, *args: str, **env: str):
    cli_module._register_optional()
    return CliRunner().invoke(cli_module.cli, list(args), catch_exceptions=False,
                              env={"CUSTOS_HOME": str(home), "CUSTOS_SECRET_KEY": "s" * 40,
                                   **env})


def settings(home: Path) -> Settings:
    return Settings(home=home, secret_key="s" * 40, secure_cookies=False,
                    signin_rate_limit="1000 per minute", argon2_profile="CHEAPEST")


def add_person(home: Path, email: str, value: str) -> None:
    """Sign up through the pages and keep one value on My data."""
    app = create_app(settings(home), testing=True)
    try:
        auth = Auth(app.test_client())
        auth.signup(email=email, password=PASSWORD)
        assert auth.post("/data", {"category": "address.city", "name": "City", "kind": "text",
                                   "value": value}).status_code == 302
    finally:
        app.extensions["custos.vault"].close()


@pytest.fixture
def backed_up(tmp_path):
    """Ada's vault, backed up with its key store; the master key ring beside them."""
    home = tmp_path / "old"
    add_person(home, "ada@example.org", "Lovelace-City-7012")
    result = run(home, "backup", str(tmp_path / "data.db"), "--keys", str(tmp_path / "keys.db"))
    assert result.exit_code == 0, result.output
    assert "and the key store to" in result.output
    shutil.copy(home / "master.key", tmp_path / "ring.key")
    return tmp_path


def restore(folder: Path, home: Path, *extra: str, **env: str):
    return run(home, "restore", str(folder / "data.db"), "--keys", str(folder / "keys.db"),
               *extra, **env)


def test_restore_then_serve_and_the_person_signs_in_and_sees_her_data(backed_up):
    home = backed_up / "new"
    result = restore(backed_up, home, "--master-key", str(backed_up / "ring.key"))
    assert result.exit_code == 0, result.output
    assert "database integrity ok and ok" in result.output
    assert "1 data key(s) open; 1 audit log(s) intact" in result.output
    assert (home / "master.key").stat().st_mode & 0o777 == 0o600
    assert (home / "custos.db").stat().st_mode & 0o777 == 0o600
    assert "Every log is intact." in run(home, "audit", "verify").output

    app = create_app(settings(home))
    try:
        with serving(app, threads=2) as url, requests.Session() as web:
            token = re.search(r'name="csrf_token" value="([^"]+)"', web.get(f"{url}/signin").text)
            web.post(f"{url}/signin", data={"csrf_token": token.group(1),
                                            "email": "ada@example.org", "password": PASSWORD})
            assert "Lovelace-City-7012" in web.get(f"{url}/data").text
    finally:
        app.extensions["custos.vault"].close()


def _tamper(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql)
    conn.close()


def _flip(path: Path, table: str, column: str, offset: int = 0) -> None:
    """Flip one bit in the middle of a sealed value (the row at `offset`) of a column."""
    conn = sqlite3.connect(path)
    with conn:
        rowid, blob = conn.execute(f"SELECT rowid, {column} FROM {table} ORDER BY rowid "
                                   "LIMIT 1 OFFSET ?", (offset,)).fetchone()
        blob = bytearray(blob)
        blob[20] ^= 1
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (bytes(blob), rowid))
    conn.close()


@pytest.mark.parametrize("damage, message", [
    (lambda f: _flip(f / "data.db", "events", "payload", 1), "audit log is not intact"),
    (lambda f: _flip(f / "data.db", "fields", "body"), "does not open: the backup was changed"),
    (lambda f: _tamper(f / "data.db", "DELETE FROM events WHERE seq = 3"),
     "audit log is not intact"),
    (lambda f: (f / "data.db").write_bytes((f / "data.db").read_bytes()[:3000]),
     "is damaged"),
    (lambda f: (f / "data.db").write_bytes(b"hello"), "is not an SQLite database"),
    (lambda f: shutil.copy(f / "keys.db", f / "data.db"), "is not a Custos data backup"),
    (lambda f: shutil.copy(f / "data.db", f / "keys.db"), "is not a Custos key store"),
])
def test_a_tampered_backup_is_refused_and_leaves_the_home_empty(backed_up, damage, message):
    damage(backed_up)
    home = backed_up / "new"
    result = restore(backed_up, home, "--master-key", str(backed_up / "ring.key"))
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.output
    assert lines[0].startswith("Error:") and message in lines[0], lines
    assert not list(home.glob("*.db*")) and not (home / "master.key").exists()


def test_the_keys_and_ring_of_another_vault_are_refused(backed_up, tmp_path):
    other = tmp_path / "other"
    add_person(other, "bob@example.org", "Elsewhere")
    assert run(other, "backup", str(tmp_path / "o.db"), "--keys",
               str(tmp_path / "o-keys.db")).exit_code == 0
    wrong_ring = restore(backed_up, tmp_path / "a", "--master-key", str(other / "master.key"))
    assert wrong_ring.exit_code == 1 and "wrong master key" in wrong_ring.output
    shutil.copy(tmp_path / "o-keys.db", backed_up / "keys.db")
    wrong_keys = restore(backed_up, tmp_path / "b", "--master-key", str(other / "master.key"))
    assert wrong_keys.exit_code == 1 and "is it the key store of this vault" in \
        wrong_keys.output


@pytest.mark.parametrize("setup, args, env, message", [
    (lambda h: (h.mkdir(), (h / "custos.db").write_text("x")), (), {}, "is not empty"),
    (lambda h: None, (), {}, "give the master key ring with --master-key"),
    (lambda h: None, ("--master-key", "{ring}"), {"CUSTOS_DATABASE_URL": "postgresql://x/y"},
     "unset CUSTOS_DATABASE_URL"),
])
def test_restore_refuses_what_it_cannot_do_safely(backed_up, setup, args, env, message):
    home = backed_up / "new"
    setup(home)
    result = restore(backed_up, home, *[a.format(ring=backed_up / "ring.key") for a in args],
                     **env)
    assert result.exit_code == 1 and result.output.startswith("Error:")
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_a_person_deleted_after_the_backup_stays_deleted(tmp_path):
    """Crypto-shredding reaches backups: the key-store copy made after the deletion lacks her
    key, so the restore removes her unreadable rows and says so; the others come back."""
    home = tmp_path / "old"
    add_person(home, "ada@example.org", "Ada-City")
    add_person(home, "bob@example.org", "Bob-City")
    assert run(home, "backup", str(tmp_path / "data.db")).exit_code == 0
    app = create_app(settings(home), testing=True)
    vault = app.extensions["custos.vault"]
    vault.delete_person(vault.find_person_by_email("bob@example.org").id)
    vault.close()
    assert run(home, "backup", str(tmp_path / "unused.db"), "--keys",
               str(tmp_path / "keys.db")).exit_code == 0
    result = run(tmp_path / "new", "restore", str(tmp_path / "data.db"), "--keys",
                 str(tmp_path / "keys.db"), "--master-key", str(home / "master.key"))
    assert result.exit_code == 0, result.output
    assert "1 person(s) had no key" in result.output
    app = create_app(settings(tmp_path / "new"), testing=True)
    restored = app.extensions["custos.vault"]
    try:
        assert restored.find_person_by_email("bob@example.org") is None
        assert [f.value for f in restored.list_fields(
            restored.find_person_by_email("ada@example.org").id)] == ["Ada-City"]
        assert len(restored.person_ids()) == 1
    finally:
        restored.close()
