"""The OAuth 2 client side: discovery, registration, PKCE, callback checks, tokens.

RFC 8414 (metadata, with the issuer checked), RFC 7591 (registration), RFC 7636 (PKCE S256),
RFC 9207 (`iss` in the authorization response, checked before the code is used), RFC 7009
(revocation) and RFC 7662 (introspection). Refresh tokens rotate: every refresh returns the
pair to keep, and the old refresh token must never be sent again. With a `DPoPKey` every token
request carries a proof and the code is bound to the key (`dpop_jkt`, RFC 9449 section 10);
a `use_dpop_nonce` answer is retried once with the server's nonce (section 8).
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from .dpop import DPoPKey
from .errors import AuthorizationDenied, CallbackMismatch, CustosError
from .http import Transport


@dataclass(frozen=True, kw_only=True)
class ServerMetadata:
    """The endpoints a server publishes at /.well-known/oauth-authorization-server."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    revocation_endpoint: str
    introspection_endpoint: str
    registration_endpoint: str | None
    jwks_uri: str
    iss_parameter: bool
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def discover(cls, issuer: str, transport: Transport) -> ServerMetadata:
        """Fetch and check the metadata (RFC 8414 sections 3 and 3.3)."""
        issuer = issuer.rstrip("/")
        doc = transport.json("GET", issuer + "/.well-known/oauth-authorization-server")
        if not isinstance(doc, dict) or doc.get("issuer") != issuer:
            raise CustosError(f"the metadata names issuer {doc.get('issuer')!r}, not {issuer!r}",
                              error="invalid_issuer")
        if "S256" not in doc.get("code_challenge_methods_supported", []):
            raise CustosError("the server does not support PKCE S256", error="invalid_metadata")
        return cls(issuer=issuer, authorization_endpoint=doc["authorization_endpoint"],
                   token_endpoint=doc["token_endpoint"],
                   revocation_endpoint=doc["revocation_endpoint"],
                   introspection_endpoint=doc["introspection_endpoint"],
                   registration_endpoint=doc.get("registration_endpoint"),
                   jwks_uri=doc["jwks_uri"],
                   iss_parameter=bool(doc.get("authorization_response_iss_parameter_supported")),
                   raw=doc)


@dataclass(frozen=True, kw_only=True)
class Tokens:
    """An access token, the refresh token to use next, and when the access token expires."""

    access_token: str
    expires_at: datetime
    refresh_token: str | None = None
    scope: str = ""
    authorization_details: tuple[dict, ...] = ()
    token_type: str = "Bearer"  # "DPoP": sent with a proof by the client's key (RFC 9449)

    @classmethod
    def from_response(cls, body: dict, now: datetime) -> Tokens:
        return cls(access_token=body["access_token"], refresh_token=body.get("refresh_token"),
                   expires_at=now + timedelta(seconds=int(body.get("expires_in", 600))),
                   scope=body.get("scope", ""),
                   authorization_details=tuple(body.get("authorization_details", ())),
                   token_type=body.get("token_type", "Bearer"))

    @property
    def bound(self) -> bool:
        return self.token_type.lower() == "dpop"

    def expired(self, now: datetime, leeway: timedelta = timedelta(seconds=30)) -> bool:
        return now + leeway >= self.expires_at

    def to_dict(self) -> dict:
        return {**self.__dict__, "expires_at": self.expires_at.isoformat(),
                "authorization_details": list(self.authorization_details)}

    @classmethod
    def from_dict(cls, data: dict) -> Tokens:
        return cls(**{**data, "expires_at": datetime.fromisoformat(data["expires_at"]),
                      "authorization_details": tuple(data.get("authorization_details", ()))})


@dataclass(frozen=True, kw_only=True)
class AuthorizationRequest:
    """What to keep between sending the person away and their return: state and verifier."""

    url: str
    state: str
    code_verifier: str
    redirect_uri: str


class OAuthClient:
    """One registered client of one server: builds authorization URLs and calls the endpoints."""

    def __init__(self, metadata: ServerMetadata, client_id: str, client_secret: str | None,
                 transport: Transport, clock=lambda: datetime.now(UTC),
                 dpop: DPoPKey | None = None) -> None:
        self.metadata, self.client_id, self.client_secret = metadata, client_id, client_secret
        self.transport, self.clock, self.dpop = transport, clock, dpop

    def authorization_request(self, redirect_uri: str, *, scope: str | None = None,
                              authorization_details: list[dict] | None = None
                              ) -> AuthorizationRequest:
        """A URL with PKCE S256 and a fresh state (RFC 7636 section 4, RFC 9700 2.1)."""
        verifier, state = secrets.token_urlsafe(48), secrets.token_urlsafe(24)
        params = {"response_type": "code", "client_id": self.client_id,
                  "redirect_uri": redirect_uri, "state": state,
                  "code_challenge": create_s256_code_challenge(verifier),
                  "code_challenge_method": "S256"}
        if scope:
            params["scope"] = scope
        if authorization_details:
            params["authorization_details"] = json.dumps(authorization_details)
        if self.dpop:  # RFC 9449 section 10: only this key may redeem the code
            params["dpop_jkt"] = self.dpop.thumbprint
        url = self.metadata.authorization_endpoint + "?" + urlencode(params)
        return AuthorizationRequest(url=url, state=state, code_verifier=verifier,
                                    redirect_uri=redirect_uri)

    def finish(self, request: AuthorizationRequest, callback_url: str) -> Tokens:
        """Check `iss` and `state` of the callback, then redeem the code (RFC 9207 sec. 2.4)."""
        params = {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}
        iss = params.get("iss")
        if (iss or self.metadata.iss_parameter) and iss != self.metadata.issuer:
            raise CallbackMismatch(f"the response comes from issuer {iss!r}, "
                                   f"not {self.metadata.issuer!r}", error="invalid_issuer")
        if not hmac.compare_digest(params.get("state", ""), request.state):
            raise CallbackMismatch("the state does not match this authorization request",
                                   error="invalid_state")
        if "error" in params:
            raise AuthorizationDenied(params.get("error_description", ""), error=params["error"],
                                      body=params)
        if "code" not in params:
            raise CallbackMismatch("the callback carries no code", error="invalid_request")
        return self.token({"grant_type": "authorization_code", "code": params["code"],
                           "redirect_uri": request.redirect_uri,
                           "code_verifier": request.code_verifier})

    def _auth(self, form: dict) -> dict[str, Any]:
        """Client authentication: HTTP Basic for confidential clients, client_id for public."""
        if self.client_secret:
            return {"data": form, "auth": (self.client_id, self.client_secret)}
        return {"data": {**form, "client_id": self.client_id}}

    def token(self, form: dict) -> Tokens:
        """POST to the token endpoint (RFC 6749 section 3.2), with a DPoP proof if keyed."""
        at = self.clock()
        if self.dpop is None:
            body = self.transport.json("POST", self.metadata.token_endpoint, **self._auth(form))
            return Tokens.from_response(body, at)
        url = self.metadata.token_endpoint
        for attempt in (1, 2):
            response = self.transport.request(
                "POST", url, ok=(400,), headers={"DPoP": self.dpop.proof("POST", url)},
                **self._auth(form))
            fresh = self.dpop.remember_nonce(url, response.headers)
            if response.status_code < 400:
                return Tokens.from_response(response.json(), at)
            if not (attempt == 1 and fresh and _error_code(response) == "use_dpop_nonce"):
                raise self.transport._error(response)
        raise AssertionError("unreachable")

    def refresh(self, tokens: Tokens) -> Tokens:
        """Rotate: the answer's refresh token replaces the old one, which is now spent."""
        if not tokens.refresh_token:
            raise CustosError("these tokens cannot be refreshed", error="invalid_grant")
        fresh = self.token({"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})
        if fresh.refresh_token is None:
            return Tokens(**{**fresh.__dict__, "refresh_token": tokens.refresh_token})
        return fresh

    def client_credentials(self, scope: str = "vendor") -> Tokens:
        return self.token({"grant_type": "client_credentials", "scope": scope})

    def revoke(self, token: str, hint: str | None = None) -> None:
        """RFC 7009: the server answers 200 even for unknown tokens."""
        form = {"token": token, **({"token_type_hint": hint} if hint else {})}
        self.transport.request("POST", self.metadata.revocation_endpoint, **self._auth(form))

    def introspect(self, token: str) -> dict:
        """RFC 7662: `{"active": false}` for a dead token, else its claims."""
        return self.transport.json("POST", self.metadata.introspection_endpoint,
                                   **self._auth({"token": token}))


def _error_code(response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def register(metadata: ServerMetadata, transport: Transport, client: dict) -> dict:
    """RFC 7591 dynamic registration; the reply holds client_id (and a secret, once)."""
    if not metadata.registration_endpoint:
        raise CustosError("this server does not offer dynamic registration",
                          error="registration_not_supported")
    return transport.json("POST", metadata.registration_endpoint, json=client)
