"""Errors the SDK raises: one small hierarchy that carries what the server said.

Every error from the server keeps its machine-readable `error` code, the `description`, the
person-facing `reasons` (for refusals) and the `fields` (for bad input), so a vendor can branch
on `error` and show `reasons` without parsing text.
"""

from __future__ import annotations

from typing import Any


class CustosError(Exception):
    """Base of every SDK error; `error` is the server's (or the SDK's) stable code."""

    error = "custos_error"

    def __init__(self, description: str = "", *, error: str | None = None,
                 status: int | None = None, reasons: list[dict] | None = None,
                 fields: dict | None = None, body: Any = None) -> None:
        super().__init__(description or self.error)
        self.description = description
        self.error = error or self.error
        self.status = status
        self.reasons: list[dict] = reasons or []
        self.fields: dict = fields or {}
        self.body = body

    def __str__(self) -> str:
        text = f"{self.error}: {self.description}" if self.description else self.error
        return f"{text} (HTTP {self.status})" if self.status else text


class ServerUnavailable(CustosError):
    """The server could not be reached, or kept failing after every retry."""

    error = "server_unavailable"


class RateLimited(CustosError):
    """HTTP 429 that outlasted the retries; `retry_after` says when to try again (seconds)."""

    error = "rate_limited"

    def __init__(self, description: str = "", *, retry_after: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(description, **kwargs)
        self.retry_after = retry_after


class InvalidRequest(CustosError):
    """HTTP 400: bad input; `fields` names each field and its problem."""


class InvalidToken(CustosError):
    """HTTP 401: the token is missing, expired or revoked, or its agreement has ended."""

    error = "invalid_token"


class AccessRefused(CustosError):
    """HTTP 403: the person's terms (or the token's scope) refuse this; see `reasons`."""

    error = "access_refused"


class NotFound(CustosError):
    """HTTP 404: no such thing, or not yours (the server does not say which)."""

    error = "not_found"


class OAuthError(CustosError):
    """An OAuth error answer (RFC 6749 section 5.2), e.g. `invalid_grant` for a dead refresh."""

    error = "oauth_error"


class AuthorizationDenied(OAuthError):
    """The authorization response carried an error, e.g. `access_denied` by the terms."""

    error = "access_denied"

    @property
    def agreements(self) -> list[str]:
        """The person's agreements this vendor must accept, when that was the refusal."""
        params = self.body if isinstance(self.body, dict) else {}
        return params.get("custos_agreements", "").split()


class CallbackMismatch(OAuthError):
    """The callback's `state` or `iss` is not the one expected (CSRF or mix-up, RFC 9207)."""

    error = "callback_mismatch"


class SignatureError(CustosError):
    """A receipt or notification does not verify against the server's JWKS."""

    error = "invalid_signature"


BY_STATUS: dict[int, type[CustosError]] = {400: InvalidRequest, 401: InvalidToken,
                                           403: AccessRefused, 404: NotFound, 429: RateLimited}


OAUTH_ERRORS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client",
                          "unsupported_grant_type", "invalid_scope", "invalid_client_metadata",
                          "invalid_redirect_uri", "invalid_authorization_details"})


def from_response(status: int, body: Any) -> CustosError:
    """The exception for an error answer, keeping the server's code, reasons and fields."""
    data = body if isinstance(body, dict) else {}
    error = data.get("error")
    description = data.get("error_description") or data.get("description") or ""
    if not description and isinstance(body, str):
        description = body[:200]
    kind = BY_STATUS.get(status, ServerUnavailable if status >= 500 else CustosError)
    if error in OAUTH_ERRORS:
        kind = OAuthError
    return kind(description, error=error, status=status, reasons=data.get("reasons"),
                fields=data.get("fields"), body=body)
