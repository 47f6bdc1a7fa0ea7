"""HTTP with timeouts, retries and error mapping: every SDK call goes through `Transport`.

Retries, with exponential backoff and jitter, cover what is safe to repeat: a connection that
could not be made, HTTP 429 and 503 (the server did not do the work), and other 5xx answers
to idempotent methods. A POST that got a 500 is not repeated: the work may have been done
(a refresh token may already have rotated). `Retry-After` (RFC 9110 section 10.2.3) is honoured,
in seconds or as an HTTP date, up to `max_wait`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from .errors import RateLimited, ServerUnavailable, from_response

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How often and how long to retry; `sleep` is injectable so tests never wait."""

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter (attempt counts from 1)."""
        return random.uniform(0, min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


class Transport:
    """A requests.Session with default timeouts, retries, and errors raised as exceptions."""

    def __init__(self, *, timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
                 retry: RetryPolicy | None = None, session: requests.Session | None = None,
                 user_agent: str = "custos-sdk/0.1") -> None:
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", user_agent)

    def request(self, method: str, url: str, *, ok: tuple[int, ...] = (),
                **kwargs: Any) -> requests.Response:
        """Send, retrying what is safe to retry; raise a CustosError for any error answer."""
        method = method.upper()
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("allow_redirects", False)
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.retry.attempts
            try:
                response = self.session.request(method, url, **kwargs)
            except requests.ConnectionError as exc:
                if last:
                    raise ServerUnavailable(f"cannot reach {url}: {type(exc).__name__}") from exc
                self.retry.sleep(self.retry.delay(attempt))
                continue
            except requests.Timeout as exc:
                if last or method not in IDEMPOTENT:
                    raise ServerUnavailable(f"no answer from {url} in time") from exc
                self.retry.sleep(self.retry.delay(attempt))
                continue
            status = response.status_code
            if status < 400 or status in ok:
                return response
            if self._retryable(method, status) and not last:
                wait = retry_after(response.headers.get("Retry-After"))
                if wait is None or wait <= self.retry.max_wait:
                    self.retry.sleep(wait if wait is not None else self.retry.delay(attempt))
                    continue
            raise self._error(response)

    @staticmethod
    def _retryable(method: str, status: int) -> bool:
        return status in (429, 503) or (status >= 500 and method in IDEMPOTENT)

    @staticmethod
    def _error(response: requests.Response):
        error = from_response(response.status_code, _body(response))
        if isinstance(error, RateLimited):
            error.retry_after = retry_after(response.headers.get("Retry-After"))
        return error

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send and decode the JSON answer."""
        response = self.request(method, url, **kwargs)
        return _body(response) if response.content else None
