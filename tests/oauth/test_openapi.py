"""The OpenAPI document matches the routes, and a schemathesis run over it never gets a 5xx."""

from __future__ import annotations

import pytest

from api.resource.openapi import OPERATIONS


def test_every_documented_path_is_a_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    rules = {r.rule.replace("<", "{").replace(">", "}") for r in app.url_map.iter_rules()}
    assert set(doc["paths"]) == set(OPERATIONS) and set(OPERATIONS) <= rules


@pytest.mark.parametrize("who", ["stranger", "butler", "vendor"])
def test_schemathesis_finds_no_server_error(app, person, vendor, vendors, flow, client, who):
    schemathesis = pytest.importorskip("schemathesis")
    from tests.oauth.test_person_vendor import butler, vendor_token

    token = {"stranger": lambda: "not-a-token", "butler": lambda: butler(vendors, flow)[
        "access_token"], "vendor": lambda: vendor_token(client, vendor)}[who]()
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for operation in schema.get_all_operations():
        op = operation.ok()

        @settings(max_examples=15, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append((case.operation.label, response.status_code))

        run()
    assert failures == []
