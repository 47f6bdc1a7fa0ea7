"""A refresh with a narrower scope (RFC 6749 section 6) gives an access token that carries only
that scope: the token response, its `authorization_details`, introspection and the data read
all agree (issue 9 item 2), and nothing names a category in plaintext at rest."""

from __future__ import annotations

CITY = "data:address.city purpose:ServiceProvision retention:30"


def _refresh(flow, vendor, refresh_token: str, scope: str | None = None):
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return flow.token(vendor, **form, **({"scope": scope} if scope else {}))


def _introspect(client, vendor, token: str) -> dict:
    return client.post("/oauth/introspect", data={"token": token},
                       auth=(vendor["client_id"], vendor["client_secret"])).get_json()


def _categories(flow, token: str) -> set[str]:
    response = flow.read(token)
    assert response.status_code == 200, response.get_json()
    return {f["category"] for f in response.get_json()["fields"]}


def test_a_narrower_refresh_releases_only_the_narrower_scope(app, person, vendor, flow, client):
    first = flow.tokens(vendor)
    assert _categories(flow, first["access_token"]) == {"contact.email", "address.city"}
    narrow = _refresh(flow, vendor, first["refresh_token"], "data:address.city")
    assert narrow.status_code == 200, narrow.get_json()
    body = narrow.get_json()
    assert body["scope"] == CITY  # RFC 6749 section 3.3: the scope as issued
    assert [d["categories"] for d in body["authorization_details"]] == [["address.city"]]
    seen = _introspect(client, vendor, body["access_token"])
    assert seen["active"] and seen["scope"] == CITY
    assert seen["authorization_details"][0]["categories"] == ["address.city"]
    assert _categories(flow, body["access_token"]) == {"address.city"}
    log = app.extensions["custos.vault"].list_events(person, kinds=["access_attempted"])
    assert log[-1].payload["categories"] == ["address.city"]


def test_the_new_refresh_token_keeps_the_scope_of_the_old_one(person, vendor, flow, client):
    """RFC 6749 section 6: a new refresh token's scope MUST be identical to the old one's."""
    first = flow.tokens(vendor)
    narrow = _refresh(flow, vendor, first["refresh_token"], "data:address.city").get_json()
    again = _refresh(flow, vendor, narrow["refresh_token"]).get_json()
    assert again["scope"] == first["scope"]
    assert _categories(flow, again["access_token"]) == {"contact.email", "address.city"}
    assert _introspect(client, vendor, narrow["refresh_token"])["active"] is False  # rotated
    assert _introspect(client, vendor, again["refresh_token"])["scope"] == first["scope"]


def test_a_refresh_cannot_widen_the_scope(person, vendor, flow):
    first = flow.tokens(vendor, scope="data:address.city purpose:ServiceProvision")
    wider = _refresh(flow, vendor, first["refresh_token"], "data:address.city data:contact.phone")
    assert wider.status_code == 400 and wider.get_json()["error"] == "invalid_scope"


def test_conditions_of_the_agreement_stay_when_left_out(person, vendor, flow):
    """Purpose, retention and sharing are the agreement's terms, not a part to drop: leaving
    `retention:30` out of a refresh must not read as "kept forever"."""
    first = flow.tokens(vendor)
    narrow = _refresh(flow, vendor, first["refresh_token"], "data:contact.email").get_json()
    assert narrow["scope"] == "data:contact.email purpose:ServiceProvision retention:30"
    assert narrow["authorization_details"][0]["retention_days"] == 30


def test_a_narrowed_token_stores_no_category_name(app, person, vendor, flow):
    first = flow.tokens(vendor)
    _refresh(flow, vendor, first["refresh_token"], "data:address.city")
    with app.extensions["custos.vault"].transaction("read") as tx:
        stored = [s for (s,) in tx.all("SELECT scope FROM tokens")]
    assert len(stored) == 4 and not any("address" in s or "contact" in s for s in stored)


def test_a_butler_refresh_without_a_mandate_no_longer_has_it(person, vendors, flow, client):
    butler = vendors.register(client_name="Butler")
    first = flow.tokens(butler, scope="mandate:offers mandate:log data:contact.email "
                                      "purpose:ServiceProvision")
    bearer = {"Authorization": f"Bearer {first['access_token']}"}
    assert client.get("/api/v1/person/offers", headers=bearer).status_code == 200
    narrow = _refresh(flow, butler, first["refresh_token"],
                      "mandate:log data:contact.email").get_json()
    assert "mandate:offers" not in narrow["scope"].split()
    assert "mandate:log" in narrow["scope"].split()
    bearer = {"Authorization": f"Bearer {narrow['access_token']}"}
    assert client.get("/api/v1/person/offers", headers=bearer).status_code == 403
