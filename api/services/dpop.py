"""DPoP proofs (RFC 9449): checked here for the token endpoint and the resource API alike.

`check` follows section 4.3 step by step (`verify`) and records the proof's `jti` in the vault's
replay cache (section 11.1, `record`), shared by every app process; a caller that has a write
transaction open records it there (see vault/dpop.py). Nonces (sections 8 and 9) are stateless: an
HMAC under the app's secret key of a five-minute window, so every process behind one load
balancer accepts the nonce another one handed out. Takes the vault, the clock and the secret
as arguments: no Flask here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import JWKRegistry

from vault import Vault

# RFC 9449 section 5.1 (metadata): asymmetric algorithms only, never "none" or an HMAC
ALGORITHMS = ("ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "EdDSA",
              "Ed25519")
MAX_AGE = timedelta(seconds=120)  # how old a proof may be (section 11.1: a short window)
LEEWAY = timedelta(seconds=10)  # how far in the future a client's clock may be
NONCE_WINDOW = 300  # seconds one nonce stays current; the one before is still accepted
MAX_PROOF = 8192  # bytes: a proof carries one public key, never megabytes


class DpopError(Exception):
    """A proof that fails a check; `error` is the code for the client (section 5, 7.1)."""

    error = "invalid_dpop_proof"

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class NonceRequired(DpopError):
    """Section 8 (token endpoint) and 9 (resource): retry with the nonce sent back."""

    error = "use_dpop_nonce"


@dataclass(frozen=True, kw_only=True)
class Proof:
    """A checked proof: the JWK SHA-256 thumbprint (RFC 7638) its key binds tokens to."""

    jkt: str
    jti: str


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def access_token_hash(token: str) -> str:
    """`ath` (section 4.2): base64url of the SHA-256 of the ASCII access token."""
    return b64url(hashlib.sha256(token.encode("ascii", "replace")).digest())


def normalized_uri(uri: str) -> str:
    """Scheme and host lower-cased, default port dropped, no query or fragment (section 4.3
    step 9, with the syntax- and scheme-based normalisation of RFC 3986 sections 6.2.2, 6.2.3)."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return ""
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path or '/'}"


def nonce(secret: bytes, now: datetime) -> str:
    """The current server nonce (section 8.1: NQCHAR only)."""
    return _nonce(secret, int(now.timestamp()) // NONCE_WINDOW)


def _nonce(secret: bytes, window: int) -> str:
    mac = hmac.new(secret, f"dpop-nonce:{window}".encode(), hashlib.sha256).digest()
    return f"{window}.{b64url(mac[:18])}"


def _nonce_ok(secret: bytes, value: object, now: datetime) -> bool:
    if not isinstance(value, str):
        return False
    current = int(now.timestamp()) // NONCE_WINDOW
    return any(hmac.compare_digest(value.encode(), _nonce(secret, w).encode())
               for w in (current, current - 1))


def _key(header: dict):
    """Section 4.3 steps 5-7: a supported asymmetric alg and a public JWK that fits it."""
    alg, raw = header.get("alg"), header.get("jwk")
    if alg not in ALGORITHMS:
        raise DpopError(f"alg must be one of {', '.join(ALGORITHMS)} (section 4.3)")
    if not isinstance(raw, dict):
        raise DpopError("the proof's header must carry the public key as 'jwk'")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", SecurityWarning)
            key = JWKRegistry.import_key(raw)
    except (JoseError, SecurityWarning, ValueError, TypeError, KeyError):
        raise DpopError("the proof's 'jwk' is not a usable public key") from None
    if key.is_private or key.key_type == "oct":  # step 7: MUST NOT contain a private key
        raise DpopError("the proof's 'jwk' must be a public key, without private parts")
    return alg, key


def check(vault: Vault, values: list[str], *, method: str, uri: str, now: datetime,
          access_token: str | None = None, secret: bytes, require_nonce: bool = False) -> Proof:
    """Check one request's DPoP header values against RFC 9449 section 4.3; record the jti."""
    proof = verify(values, method=method, uri=uri, now=now, access_token=access_token,
                   secret=secret, require_nonce=require_nonce)
    record(vault, proof, now)
    return proof


def record(vault: Vault, proof: Proof, now: datetime) -> None:
    """Section 11.1: the proof's first use, in the write transaction open on this thread if
    there is one (else its own); a second use raises."""
    if not vault.agreements.dpop.first_use(proof.jkt, proof.jti, until=now + MAX_AGE + LEEWAY,
                                           now=now):
        raise DpopError("this proof was used before (jti replayed)")


def verify(values: list[str], *, method: str, uri: str, now: datetime,
           access_token: str | None = None, secret: bytes,
           require_nonce: bool = False) -> Proof:
    """Section 4.3, every step but the replay check: `record` must follow before the
    request's work counts."""
    if len(values) != 1 or "," in values[0]:  # step 1: one DPoP header field, not two
        raise DpopError("send exactly one DPoP header")
    value = values[0].strip()
    if len(value) > MAX_PROOF or value.count(".") != 2:  # step 2: one compact JWS
        raise DpopError("the DPoP header must hold one JWT")
    try:
        header = jws.extract_compact(value.encode("ascii")).headers()
    except (JoseError, ValueError, TypeError, UnicodeError):
        raise DpopError("the DPoP header must hold one JWT") from None
    if header.get("typ") != "dpop+jwt":  # step 4
        raise DpopError("the proof's typ must be 'dpop+jwt'")
    alg, key = _key(header)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", SecurityWarning)
            signed = jws.deserialize_compact(value, key, algorithms=[alg])  # step 6
        claims = json.loads(signed.payload)
    except (JoseError, SecurityWarning, ValueError, TypeError):
        raise DpopError("the proof's signature does not verify with its jwk") from None
    if not isinstance(claims, dict):
        raise DpopError("the proof's payload must be a JSON object")
    jti, htm, htu, iat = (claims.get(k) for k in ("jti", "htm", "htu", "iat"))
    if not (isinstance(jti, str) and jti and len(jti) <= 256):  # step 3
        raise DpopError("the proof must carry a 'jti' (at most 256 characters)")
    if htm != method:  # step 8
        raise DpopError(f"the proof's htm must be {method}")
    if not isinstance(htu, str) or normalized_uri(htu) != normalized_uri(uri):  # step 9
        raise DpopError("the proof's htu is not the URI of this request")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise DpopError("the proof must carry 'iat' as a number")
    made = datetime.fromtimestamp(iat, now.tzinfo) if abs(iat) < 1e11 else None
    if made is None or made > now + LEEWAY or made < now - MAX_AGE:  # step 11
        raise DpopError("the proof's iat is outside the accepted window")
    if "nonce" in claims or require_nonce:  # step 10
        if not _nonce_ok(secret, claims.get("nonce"), now):
            raise NonceRequired("use the DPoP-Nonce this server sent")
    if access_token is not None:  # step 12
        given = claims.get("ath")
        if not isinstance(given, str) or not hmac.compare_digest(
                given.encode(), access_token_hash(access_token).encode()):
            raise DpopError("the proof's ath does not match the access token")
    return Proof(jkt=key.thumbprint(), jti=jti)
