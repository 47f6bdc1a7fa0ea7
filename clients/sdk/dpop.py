"""DPoP proofs (RFC 9449) made by the client: one key per client, a fresh proof per request.

The key is an EC P-256 key (ES256, which every DPoP server supports); keep it with the tokens,
since tokens bound to it are useless without it. A server may ask for a nonce (`use_dpop_nonce`,
sections 8 and 9): the last one it sent is remembered per origin and put in later proofs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from datetime import UTC, datetime
from urllib.parse import urlsplit

from joserfc import jws
from joserfc.jwk import ECKey

NONCE_HEADER = "DPoP-Nonce"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class DPoPKey:
    """A private key that signs proofs; `to_dict`/`from_dict` keep it (store it 0600)."""

    def __init__(self, key: ECKey | None = None, clock=lambda: datetime.now(UTC)) -> None:
        self.key = key or ECKey.generate_key("P-256", private=True)
        self.clock = clock
        self._nonces: dict[str, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_dict(cls, data: dict, **kwargs) -> DPoPKey:
        return cls(ECKey.import_key(data), **kwargs)

    def to_dict(self) -> dict:
        """The private JWK: a secret, like a refresh token."""
        return self.key.as_dict(private=True)

    @property
    def thumbprint(self) -> str:
        """The JWK SHA-256 thumbprint (RFC 7638): `dpop_jkt` and the tokens' `cnf.jkt`."""
        return self.key.thumbprint()

    def proof(self, method: str, url: str, *, access_token: str | None = None) -> str:
        """A proof for one request (RFC 9449 section 4.2): htu without query and fragment."""
        parts = urlsplit(url)
        claims = {"jti": secrets.token_urlsafe(24), "htm": method.upper(),
                  "htu": f"{parts.scheme}://{parts.netloc}{parts.path}",
                  "iat": int(self.clock().timestamp())}
        with self._lock:
            if nonce := self._nonces.get(_origin(url)):
                claims["nonce"] = nonce
        if access_token is not None:
            digest = hashlib.sha256(access_token.encode("ascii")).digest()
            claims["ath"] = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.key.as_dict(private=False)}
        return jws.serialize_compact(header, json.dumps(claims), self.key, algorithms=["ES256"])

    def remember_nonce(self, url: str, headers) -> bool:
        """Keep the server's DPoP-Nonce (section 8.2); True if it is new."""
        value = headers.get(NONCE_HEADER)
        if not value:
            return False
        with self._lock:
            new = self._nonces.get(_origin(url)) != value
            self._nonces[_origin(url)] = value
        return new
