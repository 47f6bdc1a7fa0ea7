"""The vendor's signatures on two-sided agreements (docs/agreements.md): accept the person's
proffered agreement, acknowledge a notice, report a use, each a compact JWS (RFC 7515) made
with the vendor's own key, whose public half it registered as `jwks` or at `jwks_uri`.

    key = new_key()                              # keep it secret; register public_jwks(key)
    token = sign(record, key)                    # the record exactly as the server served it
"""

from __future__ import annotations

import json
from typing import Any

from joserfc import jws
from joserfc.jwk import ECKey, JWKRegistry

ALG = "ES256"
ACCEPTANCE, ACKNOWLEDGEMENT, USE_REPORT = ("myterms-acceptance+jwt", "myterms-ack+jwt",
                                           "myterms-use+jwt")


def new_key() -> dict[str, Any]:
    """A new P-256 signing key as a private JWK, its thumbprint as `kid`."""
    key = ECKey.generate_key("P-256", parameters={"use": "sig", "alg": ALG}, private=True)
    return {**key.as_dict(private=True), "kid": key.thumbprint()}


def public_jwks(private_jwk: dict[str, Any]) -> dict[str, Any]:
    """The JWK Set to register (RFC 7591 `jwks`) or publish at `jwks_uri`: public half only."""
    key = JWKRegistry.import_key(private_jwk)
    return {"keys": [{**key.as_dict(private=False), "kid": private_jwk.get("kid")
                      or key.thumbprint()}]}


def sign(payload: dict[str, Any], private_jwk: dict[str, Any], typ: str = ACCEPTANCE) -> str:
    """A compact JWS over the JSON payload with the vendor's key (`kid` in the header)."""
    key = JWKRegistry.import_key(private_jwk)
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    header = {"alg": private_jwk.get("alg", ALG), "typ": typ,
              "kid": private_jwk.get("kid") or key.thumbprint()}
    return jws.serialize_compact(header, body, key, algorithms=[header["alg"]])
