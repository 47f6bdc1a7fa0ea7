"""A bearer-token session that refreshes itself: person-bound tokens of a vendor or a butler.

Before a call, an expired access token is refreshed; a 401 answer gets one refresh and one
retry (the server may have ended the token early). Refresh tokens rotate, so the new pair is
handed to `on_tokens` at once: store it, because the old refresh token is now spent and
sending it again would make the server revoke the whole family (RFC 9700 section 4.14.2).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .errors import CustosError, InvalidToken, OAuthError
from .oauth import OAuthClient, Tokens

TokenSink = Callable[[Tokens], None]


class TokenSession:
    """Calls the resource API with a bearer token, refreshing it transparently."""

    def __init__(self, oauth: OAuthClient, tokens: Tokens, *, on_tokens: TokenSink | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.oauth, self.on_tokens, self.clock = oauth, on_tokens, clock
        self._tokens = tokens
        self._lock = threading.Lock()

    @property
    def tokens(self) -> Tokens:
        return self._tokens

    @property
    def base(self) -> str:
        return self.oauth.metadata.issuer

    def refresh(self) -> Tokens:
        """Rotate now; raises OAuthError (`invalid_grant`) when the refresh token is dead."""
        with self._lock:
            return self._refresh_locked(self._tokens)

    def _refresh_locked(self, seen: Tokens) -> Tokens:
        if self._tokens is not seen:  # another thread already rotated
            return self._tokens
        self._tokens = self.oauth.refresh(seen)
        if self.on_tokens:
            self.on_tokens(self._tokens)
        return self._tokens

    def _current(self) -> Tokens:
        with self._lock:
            tokens = self._tokens
            if tokens.expired(self.clock()) and tokens.refresh_token:
                tokens = self._refresh_locked(tokens)
            return tokens

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of `method path` under the issuer, with the bearer token."""
        tokens = self._current()
        try:
            return self._send(tokens, method, path, **kwargs)
        except InvalidToken as refused:
            if not tokens.refresh_token:
                raise
            try:
                with self._lock:
                    tokens = self._refresh_locked(tokens)
            except OAuthError as dead:
                raise refused from dead
            return self._send(tokens, method, path, **kwargs)

    def _send(self, tokens: Tokens, method: str, path: str, **kwargs: Any) -> Any:
        url = path if path.startswith("http") else self.base + path
        headers = kwargs.pop("headers", {})
        key = self.oauth.dpop
        if not (tokens.bound and key):
            headers = {**headers, "Authorization": f"Bearer {tokens.access_token}"}
            return self.oauth.transport.json(method, url, headers=headers, **kwargs)
        # RFC 9449 section 7: the DPoP scheme and a proof with `ath`; one retry with the
        # resource server's nonce (section 9)
        transport = self.oauth.transport
        for attempt in (1, 2):
            proof = key.proof(method, url, access_token=tokens.access_token)
            response = transport.request(method, url, ok=(401,), **kwargs, headers={
                **headers, "Authorization": f"DPoP {tokens.access_token}", "DPoP": proof})
            fresh = key.remember_nonce(url, response.headers)
            if response.status_code != 401:
                return response.json() if response.content else None
            nonce_asked = "use_dpop_nonce" in response.headers.get("WWW-Authenticate", "")
            if not (attempt == 1 and fresh and nonce_asked):
                raise transport._error(response)
        raise AssertionError("unreachable")

    def revoke(self) -> None:
        """End these tokens (RFC 7009): the refresh token takes its access tokens with it."""
        tokens = self._tokens
        if tokens.refresh_token:
            self.oauth.revoke(tokens.refresh_token, "refresh_token")
        self.oauth.revoke(tokens.access_token, "access_token")


class ClientCredentialsSession(TokenSession):
    """The vendor's own token (client credentials, scope `vendor`), fetched on demand."""

    def __init__(self, oauth: OAuthClient, scope: str = "vendor", **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(oauth, Tokens(access_token="", expires_at=datetime.min.replace(
            tzinfo=UTC)), **kwargs)

    def _current(self) -> Tokens:
        with self._lock:
            if self._tokens.expired(self.clock()):
                self._tokens = self.oauth.client_credentials(self.scope)
            return self._tokens

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        tokens = self._current()
        try:
            return self._send(tokens, method, path, **kwargs)
        except InvalidToken:
            with self._lock:
                if self._tokens is tokens:
                    self._tokens = self.oauth.client_credentials(self.scope)
                tokens = self._tokens
            return self._send(tokens, method, path, **kwargs)

    def refresh(self) -> Tokens:
        raise CustosError("client credentials are not refreshed; a new token is fetched",
                          error="invalid_grant")
