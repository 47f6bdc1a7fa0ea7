"""The `custos` command as an operator uses it: real processes where it matters."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli.custos import cli


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {"CUSTOS_HOME": str(tmp_path / "home"), "CUSTOS_SECRET_KEY": "s" * 40}


def run(env, *args):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_init_creates_home_with_private_key(env):
    result = run(env, "init")
    assert result.exit_code == 0, result.output
    home = Path(env["CUSTOS_HOME"])
    assert "Created a new vault" in result.output
    assert (home / "master.key").stat().st_mode & 0o777 == 0o600
    assert (home / "custos.db").exists() and (home / "keys.db").exists()
    assert "Created" not in run(env, "init").output  # said once, on the first start only


@pytest.mark.parametrize("args, line", [
    (["--host", "0.0.0.0"], "Error: CUSTOS_ISSUER must be set to serve on 0.0.0.0, which is not "
                            "a loopback address: the public URL, such as https://custos.example"),
    (["--host", "127.0.0.1", "--trusted-proxy", "127.0.0.1"],
     "Error: CUSTOS_ISSUER must be set behind --trusted-proxy: the public URL, such as "
     "https://custos.example"),
])
def test_serve_off_loopback_needs_an_issuer(env, args, line):
    """Issue 9, item 9: outside loopback the issuer is configured, never learned from requests."""
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve",
               "--port", str(_free_port()), *args]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=60)  # a server that starts anyway fails here, never hangs
    assert done.returncode == 1 and done.stderr.splitlines() == [line]


@pytest.mark.parametrize("host, port, proxy, issuer, expected", [
    ("127.0.0.1", 8000, None, None, "http://127.0.0.1:8000"),
    ("localhost", 8001, None, None, "http://localhost:8001"),
    ("::1", 8000, None, None, "http://[::1]:8000"),
    ("0.0.0.0", 8000, None, "https://custos.example", "https://custos.example"),
    ("127.0.0.1", 8000, "127.0.0.1", "https://custos.example", "https://custos.example"),
])
def test_serve_fixes_the_issuer_at_start(tmp_path, host, port, proxy, issuer, expected):
    from api.cli.custos import _serving_issuer
    from api.config import Settings

    settings = Settings(home=tmp_path, secret_key="s" * 40, issuer=issuer)
    assert _serving_issuer(settings, host, port, proxy) == expected


def test_bad_setting_is_one_line_not_a_traceback(env):
    result = CliRunner().invoke(cli, ["init"], env={**env, "CUSTOS_SESSION_HOURS": "x"})
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: CUSTOS_SESSION_HOURS must be a whole number "
                                     "from 1 to 720, not 'x'")


def test_wrong_master_key_stops_with_a_clear_line(env, tmp_path):
    run(env, "init")
    other = {**env, "CUSTOS_HOME": str(tmp_path / "other")}
    run(other, "init")
    key = Path(env["CUSTOS_HOME"]) / "master.key"
    key.write_bytes((Path(other["CUSTOS_HOME"]) / "master.key").read_bytes())
    result = CliRunner().invoke(cli, ["init"], env=env)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "master key" in lines[0]


def test_rotate_then_retire(env):
    run(env, "init")
    result = run(env, "keys", "rotate")
    assert result.exit_code == 0 and "Master key version 2 is active" in result.output
    assert run(env, "keys", "retire", "1").exit_code == 0
    ring = json.loads((Path(env["CUSTOS_HOME"]) / "master.key").read_text())
    assert "1" not in json.dumps(sorted(ring.get("keys", ring)))


def test_audit_verify_and_backup(env, tmp_path):
    run(env, "init")
    assert "intact" in run(env, "audit", "verify").output
    result = run(env, "backup", str(tmp_path / "copy.db"))
    assert result.exit_code == 0 and (tmp_path / "copy.db").stat().st_size > 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_runs_a_real_wsgi_server(env):
    port = _free_port()
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve",
               "--port", str(port)]
    proc = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/signin") as response:
                    assert response.status == 200
                    assert response.headers["Server"] == "Custos"  # waitress, not Werkzeug
                    break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        # the issuer was fixed at start (loopback, no CUSTOS_ISSUER): a forged Host changes nothing
        forged = urllib.request.Request(f"http://127.0.0.1:{port}/.well-known/"
                                        "oauth-authorization-server",
                                        headers={"Host": "evil.example"})
        with urllib.request.urlopen(forged) as response:
            assert json.load(response)["issuer"] == f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "Created a new vault" in output and f"http://127.0.0.1:{port}/" in output
