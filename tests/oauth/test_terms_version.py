"""The API's terms: the version is the store's, whatever the body says."""

from __future__ import annotations

from tests.oauth.test_person_vendor import bearer, butler


def test_the_api_ignores_a_version_in_the_body_and_answers_with_the_next(app, person, vendors,
                                                                         flow, client):
    me = butler(vendors, flow)["access_token"]
    body = {"version": "whatever", "default": "deny", "rules": []}
    answer = client.put("/api/v1/person/terms", json=body, headers=bearer(me))
    assert answer.status_code == 200 and answer.get_json()["version"] == 1
    read = client.get("/api/v1/person/terms", headers=bearer(me)).get_json()
    assert read["version"] == 1 and "version" not in read["terms"]
