"""Verify what the server signs: consent receipts and agreement-ended notifications.

Both are compact JWS (RFC 7515, ES256) made with a key published at the server's `jwks_uri`
(RFC 7517). Keys are cached and re-fetched once when a `kid` is unknown (the server rotated).
joserfc does the cryptography; it is Authlib's own JOSE library (installed with it).
"""

from __future__ import annotations

import json
import threading

from joserfc import jws
from joserfc.errors import InvalidKeyIdError, JoseError, MissingKeyError
from joserfc.jwk import KeySet

from .errors import SignatureError
from .http import Transport

ALGORITHMS = ["ES256"]
NOTICE_TYPE = "notice+jwt"
RECORD_RECEIPT_TYPE = "custos-record-receipt+jwt"  # api/services/write_back.py


class Verifier:
    """Checks JWS signatures against one server's JWKS."""

    def __init__(self, jwks_uri: str, issuer: str, transport: Transport) -> None:
        self.jwks_uri, self.issuer, self.transport = jwks_uri, issuer, transport
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    def _key_set(self, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._keys is None or refresh:
                self._keys = KeySet.import_key_set(self.transport.json("GET", self.jwks_uri))
            return self._keys

    def verify(self, token: str) -> tuple[dict, dict]:
        """(header, payload) of a valid compact JWS, else SignatureError."""
        if not isinstance(token, str) or token.count(".") != 2:
            raise SignatureError("not a compact JWS")
        for refresh in (False, True):
            try:
                obj = jws.deserialize_compact(token, self._key_set(refresh),
                                              algorithms=ALGORITHMS)
            except (InvalidKeyIdError, MissingKeyError):
                continue  # a key we have not seen yet: fetch the JWKS again, once
            except (JoseError, ValueError) as exc:
                raise SignatureError(f"the signature does not verify ({exc})") from None
            try:
                payload = json.loads(obj.payload)
            except ValueError:
                raise SignatureError("the signed payload is not JSON") from None
            return dict(obj.headers()), payload
        raise SignatureError("the signing key is not in the server's JWKS")

    def receipt(self, view: dict) -> dict:
        """The verified receipt of a receipt view; the unsigned copy must equal the signed one."""
        _, payload = self.verify(view.get("jws", ""))
        if "receipt" in view and view["receipt"] != payload:
            raise SignatureError("the receipt differs from what the server signed")
        issuer = payload.get("custos", {}).get("issuer")
        if issuer and issuer != self.issuer:
            raise SignatureError(f"the receipt was issued by {issuer!r}, not {self.issuer!r}")
        return payload

    def record_receipt(self, token: str, client_id: str) -> dict:
        """The verified receipt of a record we added: its type, our issuer, addressed to us."""
        header, receipt = self.verify(token)
        if header.get("typ") != RECORD_RECEIPT_TYPE:
            raise SignatureError(f"not a record receipt (typ {header.get('typ')!r})")
        if receipt.get("iss") != self.issuer:
            raise SignatureError(f"the receipt comes from {receipt.get('iss')!r}")
        if receipt.get("aud") != client_id:
            raise SignatureError("the receipt is addressed to another client")
        return receipt

    def notification(self, body: str | bytes, client_id: str) -> dict:
        """The verified notice: type `notice+jwt`, our issuer, and addressed to us."""
        token = body.decode("ascii", "replace") if isinstance(body, bytes) else body
        header, notice = self.verify(token.strip())
        if header.get("typ") != NOTICE_TYPE:
            raise SignatureError(f"not a notification (typ {header.get('typ')!r})")
        if notice.get("iss") != self.issuer:
            raise SignatureError(f"the notice comes from {notice.get('iss')!r}")
        if notice.get("aud") != client_id:
            raise SignatureError("the notice is addressed to another client")
        return notice

