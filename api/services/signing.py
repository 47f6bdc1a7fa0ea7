"""JWS signing (RFC 7515, ES256) for receipts and notifications; the keys published as JWKS.

joserfc does the cryptography (Authlib's own `authlib.jose` is deprecated in favour of it).
The active key is created on first use and kept in the vault, its private half sealed.
"""

from __future__ import annotations

import json
from datetime import datetime
from threading import Lock
from weakref import WeakKeyDictionary

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from vault import Vault

ALG = "ES256"
_LOCK = Lock()
# The active key of each open vault, read (and unsealed) once: it lives as long as the vault.
_ACTIVE: WeakKeyDictionary[Vault, tuple[str, ECKey]] = WeakKeyDictionary()


def _active(vault: Vault, now: datetime) -> tuple[str, ECKey]:
    with _LOCK:
        cached = _ACTIVE.get(vault)
        if cached is not None:
            return cached
        store = vault.agreements.signing
        found = store.active(now)
        if found is None:
            key = ECKey.generate_key("P-256", parameters={"use": "sig", "alg": ALG},
                                     private=True)
            kid = key.thumbprint()
            public = {**key.as_dict(private=False), "kid": kid}
            store.add(kid, public, {**key.as_dict(private=True), "kid": kid}, now)
            found = store.active(now)
        if found is None or found.private is None:  # just stored, so the store is broken
            raise RuntimeError("no active signing key with its private half")
        _ACTIVE[vault] = cached = (found.kid, ECKey.import_key(found.private))
    return cached


def sign(vault: Vault, payload: dict, now: datetime, typ: str = "JWT") -> str:
    """A compact JWS over the JSON payload, with the signing key's `kid` in the header."""
    kid, key = _active(vault, now)
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return jws.serialize_compact({"alg": ALG, "kid": kid, "typ": typ}, body, key,
                                 algorithms=[ALG])


def jwks(vault: Vault, now: datetime) -> dict:
    """Every public key this server has signed with (RFC 7517 section 5)."""
    _active(vault, now)
    return {"keys": [k.public for k in vault.agreements.signing.published()]}


def verify(token: str, key_set: dict) -> dict | None:
    """Verify a compact JWS against a JWKS; the payload, or None when it does not verify."""
    try:
        keys = KeySet.import_key_set(key_set)  # type: ignore[arg-type]  # checked by joserfc
        obj = jws.deserialize_compact(token, keys, algorithms=[ALG])
    except (JoseError, ValueError):
        return None
    return json.loads(obj.payload)
