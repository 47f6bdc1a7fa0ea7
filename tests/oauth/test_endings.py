"""Every way an agreement ends goes through one function, so none can skip the vendor's notice.

The ways: the person revokes (page or API) or stops sharing everything with a vendor, her terms
tighten, the agreement expires, she deletes her account, the operator disables the vendor.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from api.services.agreements import expire_due
from tests.conftest import csrf_token
from tests.oauth.test_person_vendor import DENY_ALL, bearer, butler

ROOT = Path(__file__).resolve().parents[2]
ONE_PLACE = "api/services/agreements.py"
NOTIFY = "https://vendor.example/notices"


def _calls_to_grants_end(path: Path) -> list[int]:
    """Lines calling `<...>.grants.end(...)`: the vault step that ends without a notice."""
    tree = ast.parse(path.read_text())
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute) and n.func.attr == "end"
            and isinstance(n.func.value, ast.Attribute) and n.func.value.attr == "grants"]


def test_only_the_one_function_ends_agreements_in_the_vault():
    found = {str(p.relative_to(ROOT)): lines for pkg in ("api", "clients", "vault")
             for p in sorted((ROOT / pkg).rglob("*.py")) if (lines := _calls_to_grants_end(p))}
    assert found == {ONE_PLACE: found.get(ONE_PLACE)} and found[ONE_PLACE]


def _revoke_page(env):
    page = env.client.get(f"/connections/{env.grant}/revoke")
    env.client.post(f"/connections/{env.grant}/revoke", data={"csrf_token": csrf_token(page)})


def _revoke_api(env):
    env.client.post(f"/api/v1/person/grants/{env.grant}/revoke", headers=bearer(env.me))


def _terms(env):
    env.client.put("/api/v1/person/terms", json=DENY_ALL, headers=bearer(env.me))


def _expiry(env):
    env.clock.advance(days=91)
    expire_due(env.app.extensions["custos.vault"], now=env.clock.now, issuer="http://localhost")


def _delete(env):
    page = env.client.get("/settings")
    env.client.post("/settings/delete", data={"csrf_token": csrf_token(page),
                                              "phrase": "delete my vault",
                                              "password": "correct horse battery"})


class Env:
    def __init__(self, app, client, clock, grant, me) -> None:
        self.app, self.client, self.clock, self.grant, self.me = app, client, clock, grant, me


@pytest.mark.parametrize("end", [_revoke_page, _revoke_api, _terms, _expiry, _delete],
                         ids=["revoke-page", "revoke-api", "terms", "expiry", "delete"])
def test_each_ending_queues_one_signed_notice(app, person, vendors, flow, client, clock, end):
    vendor = vendors.register(custos_notification_uri=NOTIFY)
    me = butler(vendors, flow)["access_token"]
    grant = flow.read(flow.tokens(vendor)["access_token"]).get_json()["agreement"]
    vault = app.extensions["custos.vault"]
    assert vault.agreements.outbox.for_client(vendor["client_id"]) == []
    end(Env(app, client, clock, grant, me))
    notices = vault.agreements.outbox.for_client(vendor["client_id"])
    assert len(notices) == 1 and notices[0].url == NOTIFY


def test_stop_sharing_everything_through_the_api(app, person, vendors, flow, client):
    """The butler (or any person token) ends every agreement of one vendor in one call."""
    vendor = vendors.register(custos_notification_uri=NOTIFY)
    other = vendors.register(client_name="Bike Hub")
    me = butler(vendors, flow)["access_token"]
    first = flow.tokens(vendor)["access_token"]
    second = flow.tokens(vendor, scope="data:contact.phone purpose:ServiceProvision")
    kept = flow.tokens(other)["access_token"]
    path = f"/api/v1/person/vendors/{vendor['client_id']}/revoke"
    answer = client.post(path, headers=bearer(me))
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["client_id"] == vendor["client_id"] and len(body["ended"]) == 2
    assert {g["status"] for g in body["ended"]} == {"revoked"}
    for token in (first, second["access_token"]):
        assert flow.read(token).status_code == 401
    assert flow.read(kept).status_code == 200
    vault = app.extensions["custos.vault"]
    assert len(vault.agreements.outbox.for_client(vendor["client_id"])) == 2
    assert client.post(path, headers=bearer(me)).get_json()["ended"] == []  # already stopped
    unknown = client.post("/api/v1/person/vendors/cus_nobody/revoke", headers=bearer(me))
    assert unknown.status_code == 404
