"""DPoP (RFC 9449) at the HTTP edge: the request's proof checked by `services.dpop`, the
errors of the token endpoint, and the nonce header. The resource API uses the same checks
(`api/resource/auth.py`).

The URI a proof must name (`htu`, section 4.3 step 9) is built from the configured issuer when
there is one, never from a Host header an attacker chooses; without one (tests, a bare
`create_app`) from the request itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from authlib.oauth2.base import OAuth2Error
from flask import current_app, g, request

from ..clock import now
from ..services import dpop
from ..store import get_vault

HEADER = "DPoP"
NONCE_HEADER = "DPoP-Nonce"


class InvalidDpopProof(OAuth2Error):
    """RFC 9449 section 5: a token request whose proof is invalid (or missing where needed)."""

    error, status_code = "invalid_dpop_proof", 400


class UseDpopNonce(InvalidDpopProof):
    """RFC 9449 section 8: retry with the nonce in the DPoP-Nonce header."""

    error = "use_dpop_nonce"

    def get_headers(self):
        return [*super().get_headers(), (NONCE_HEADER, current_nonce())]


def _secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def current_nonce() -> str:
    return dpop.nonce(_secret(), now())


def nonce_required() -> bool:
    return current_app.config["CUSTOS_SETTINGS"].dpop_nonce


def request_uri() -> str:
    """This request's URI without query and fragment, as the client was told to reach it."""
    base = current_app.config["CUSTOS_SETTINGS"].issuer  # server.configured_issuer
    if not base:
        return request.base_url
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}{request.script_root}{request.path}"


def sent() -> bool:
    """Whether the request carries any DPoP header (empty ones included)."""
    return HEADER in request.headers


def check(access_token: str | None = None, *, record: bool = True) -> dpop.Proof:
    """This request's proof, checked (section 4.3); raises dpop.DpopError. With
    `record=False` its jti is not yet recorded: the caller must (`dpop.record`)."""
    values, at = request.headers.getlist(HEADER), now()
    proof = dpop.verify(values, method=request.method, uri=request_uri(), now=at,
                        access_token=access_token, secret=_secret(),
                        require_nonce=nonce_required())
    if record:
        dpop.record(get_vault(), proof, at)
    return proof


def at_token_endpoint() -> dpop.Proof | None:
    """The token request's proof, or None without one; the OAuth error for a bad one."""
    g.dpop = None
    if not sent():
        return None
    try:
        g.dpop = check()
    except dpop.NonceRequired as refused:
        raise UseDpopNonce(refused.description) from None
    except dpop.DpopError as refused:
        raise InvalidDpopProof(refused.description) from None
    return g.dpop


def proof() -> dpop.Proof | None:
    """The checked proof of this token request (None when it sent none)."""
    return g.get("dpop")
