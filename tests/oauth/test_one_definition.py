"""OAuth concepts defined once: what discovery and the OpenAPI document say is what is enforced."""

from __future__ import annotations

from api.oauth.grants import CodeGrant, RefreshGrant, VendorCredentials
from api.services.details import DetailSchema


def test_the_documented_detail_is_the_schema_the_server_validates(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    documented = doc["components"]["schemas"]["Detail"]
    assert set(documented["properties"]) == set(DetailSchema().fields)
    assert documented["properties"]["type"]["enum"] == ["custos_data_access"]


def test_the_token_endpoint_takes_the_client_authentication_discovery_advertises(client):
    meta = client.get("/.well-known/oauth-authorization-server").get_json()
    advertised = set(meta["token_endpoint_auth_methods_supported"])
    assert set(CodeGrant.TOKEN_ENDPOINT_AUTH_METHODS) == advertised
    assert set(RefreshGrant.TOKEN_ENDPOINT_AUTH_METHODS) == advertised
    # RFC 6749 section 4.4: client credentials are for confidential clients only
    assert set(VendorCredentials.TOKEN_ENDPOINT_AUTH_METHODS) == advertised - {"none"}
    assert set(meta["revocation_endpoint_auth_methods_supported"]) == advertised
