"""`custos vendors`: the operator registers, lists, verifies and disables vendors."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from api import create_app
from api.cli.vendors import vendors
from api.config import from_env
from api.services.signing import verify
from tests.conftest import Auth
from tests.oauth.conftest import Flow


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {"CUSTOS_HOME": str(tmp_path / "home"), "CUSTOS_SECRET_KEY": "v" * 40,
            "CUSTOS_ISSUER": "https://custos.example"}


def run(env, *args):
    return CliRunner().invoke(vendors, list(args), env=env, catch_exceptions=False)


def test_add_list_verify(env):
    added = run(env, "add", "--name", "GreenWheels", "--redirect-uri",
                "https://greenwheels.example/cb", "--jurisdiction", "DE", "--certification",
                "b-corp", "--notify", "https://greenwheels.example/notices")
    assert added.exit_code == 0, added.output
    client_id = re.search(r"client_id\s+(\S+)", added.output).group(1)
    assert re.search(r"client_secret\s+\S{20,}", added.output)
    listed = run(env, "list").output
    assert f"{client_id}  GreenWheels  DE  b-corp  active" in listed
    assert run(env, "verify", client_id, "b-corp", "carbon-neutral").exit_code == 0
    listed = run(env, "list").output
    assert "b-corp (verified), carbon-neutral (verified)" in listed


@pytest.mark.parametrize("args, words", [
    (["add", "--name", "X", "--redirect-uri", "http://example.org/cb"], "redirect_uris"),
    (["add", "--name", "X", "--redirect-uri", "https://x.example/cb", "--notify",
      "https://169.254.169.254/"], "custos_notification_uri"),
    (["verify", "cus_nobody", "b-corp"], "there is no vendor cus_nobody"),
    (["disable", "cus_nobody"], "there is no vendor cus_nobody"),
])
def test_bad_input_is_one_line(env, args, words):
    result = CliRunner().invoke(vendors, args, env=env)
    assert result.exit_code == 1 and words in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_disable_ends_agreements_tokens_and_sends_the_signed_notice(env, monkeypatch):
    """Disabling ends each agreement the one way every ending goes: notice queued, signed."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app(from_env(), testing=True)
    client = app.test_client()
    Auth(client).signup()
    vault = app.extensions["custos.vault"]
    pid = vault.find_person_by_email("ada@example.org").id
    vault.add_field(pid, category="contact.email", name="Email", kind="email",
                    value="ada@example.org", now=app.extensions["custos.clock"]())
    added = run(env, "add", "--name", "Acme", "--redirect-uri", "https://vendor.example/cb",
                "--notify", "https://vendor.example/notices")
    vendor = {"client_id": re.search(r"client_id\s+(\S+)", added.output).group(1),
              "client_secret": re.search(r"client_secret\s+(\S+)", added.output).group(1)}
    flow = Flow(client)
    tokens = flow.tokens(vendor)
    assert flow.read(tokens["access_token"]).status_code == 200
    done = run(env, "disable", vendor["client_id"])
    assert "1 agreement(s) ended" in done.output
    assert flow.read(tokens["access_token"]).status_code == 401
    [grant] = vault.agreements.grants.for_person(pid)
    assert grant.status == "revoked" and grant.end_reason == "vendor_disabled"
    [notice] = vault.agreements.outbox.for_client(vendor["client_id"])
    assert notice.url == "https://vendor.example/notices"
    signed = verify(notice.body, client.get("/oauth/jwks.json").get_json())
    assert signed["agreement"] == grant.id and signed["duty"] == "delete"
    assert signed["iss"] == "https://custos.example" and signed["type"] == "agreement_ended"
    vault.close()


def test_disable_without_an_issuer_says_so(env):
    """The notices name the issuer, so the operator must say it (as for `jobs run-once`)."""
    added = run(env, "add", "--name", "Acme", "--redirect-uri", "https://vendor.example/cb")
    client_id = re.search(r"client_id\s+(\S+)", added.output).group(1)
    result = CliRunner().invoke(vendors, ["disable", client_id],
                                env={**env, "CUSTOS_ISSUER": ""})
    assert result.exit_code == 2 and "--issuer" in result.output
    assert "active" in run(env, "list").output  # nothing changed


def test_add_with_accepted_agreements_and_a_jwks_uri(env):
    added = run(env, "add", "--name", "GreenWheels", "--redirect-uri",
                "https://greenwheels.example/cb", "--accepts", "SD-BASE", "--accepts",
                "intent-casting", "--jwks-uri", "https://greenwheels.example/jwks.json")
    assert added.exit_code == 0, added.output
    client_id = re.search(r"client_id\s+(\S+)", added.output).group(1)
    app = create_app(from_env(env), testing=True)
    try:
        public = app.test_client().get(f"/api/v1/vendors/{client_id}/accepts").get_json()
        assert public["accepts"] == ["SD-BASE", "PDC-INTENT"]  # kept under the stable ids
        client = app.extensions["custos.vault"].agreements.clients.get(client_id)
        assert client.metadata["jwks_uri"] == "https://greenwheels.example/jwks.json"
    finally:
        app.extensions["custos.vault"].close()
    refused = run(env, "add", "--name", "X", "--redirect-uri", "https://x.example/cb",
                  "--accepts", "NO-SUCH")
    assert refused.exit_code != 0
    assert "custos_accepts_agreements" in refused.output and "roster" in refused.output
