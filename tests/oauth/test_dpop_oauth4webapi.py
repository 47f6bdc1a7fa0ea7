"""DPoP with an independent client: oauth4webapi (npm, tests/js/package-lock.json) in node,
against Custos served by waitress on loopback. The person approves the consent screen over HTTP
(`api.cli.loopback.Browser`); node does everything else and reports what it saw.

Cases (issue 13): the positive flow (code, resource read, refresh, introspection with cnf.jkt),
a stolen token replayed without the key (as Bearer and as DPoP without a proof), a replayed
proof, and a proof for another URI (wrong htu); with and without a server-required nonce.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from api.cli.loopback import Browser
from tests.conftest import configure
from tests.oauth.conftest import REDIRECT, SCOPE, serving

JS = Path(__file__).resolve().parents[1] / "js"
SCRIPT = JS / "dpop_client.mjs"


def _node() -> str:
    """node with oauth4webapi installed (`npm ci` in tests/js, as .ci/run does)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("the DPoP interoperability test needs node and npm (apt-get install npm)")
    if not (JS / "node_modules" / "oauth4webapi").exists():
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS,
                              capture_output=True, text=True, check=False, timeout=300)
        assert done.returncode == 0, done.stderr[-500:]
    return node


@pytest.mark.parametrize("nonce", [False, True], ids=["no-nonce", "nonce-required"])
def test_oauth4webapi_dpop_flow_and_attacks(app, clock, nonce):
    node = _node()
    clock.now = datetime.now(UTC)  # node signs its proofs on the real clock
    configure(app, dpop_nonce=nonce)
    with serving(app) as base:
        vendor = requests.post(base + "/oauth/register", timeout=10, json={
            "client_name": "Node vendor", "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"]}).json()
        ada = Browser(base)
        ada.signup("ada@example.org", "correct horse battery")
        vault = app.extensions["custos.vault"]
        person = vault.find_person_by_email("ada@example.org")
        vault.add_field(person.id, category="contact.email", name="Email", kind="email",
                        value="ada@example.org", now=clock())
        child = subprocess.Popen(
            [node, str(SCRIPT), base, vendor["client_id"], vendor["client_secret"], SCOPE],
            cwd=JS, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env={**os.environ, "NODE_NO_WARNINGS": "1"})
        try:
            url = child.stdout.readline().strip()
            assert url.startswith(base + "/oauth/authorize?"), child.stderr.read()[-2000:]
            child.stdin.write(ada.consent(url) + "\n")
            child.stdin.flush()
            out, err = child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate()
    assert child.returncode == 0, err[-2000:]
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["token_type"] == "dpop" and seen["refreshed_token_type"] == "dpop"
    assert seen["read"] == 200 and seen["read_body_has_email"] and seen["right_htu_me"] == 200
    assert seen["stolen_as_bearer"] == 401  # RFC 9449 section 7.2
    assert seen["stolen_without_proof"] == 401
    assert seen["replayed_proof"] == 401  # section 11.1
    assert seen["wrong_htu"] == 401  # section 4.3 step 9
    assert seen["introspected_jkt"] == seen["key_jkt"]  # section 6.2
    assert seen.get("nonce_asked", False) is nonce  # section 8
