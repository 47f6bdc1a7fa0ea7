"""The `/api/v1` rate limit per client address, cheap enough to run on every vendor read.

Flask-Limiter (kept for sign-in, tokens and registration) cost about 0.18 ms a call and, with
its memory storage, started a timer thread about every other call. With the default
`memory://` storage this limiter keeps fixed windows in a dict under one lock (counters per
process, as Flask-Limiter's memory storage also keeps them); with `redis://` it counts through
the `limits` library in the shared store, so several processes share one limit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import lru_cache
from threading import Lock

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many, storage, strategies
from werkzeug.exceptions import TooManyRequests

_PRUNE_AT = 10_000  # windows kept before the ended ones are dropped


@lru_cache(maxsize=32)
def _items(text: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(text))


class Windows:
    """Fixed windows per (address, limit) in this process; `clock` is injectable."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = Lock()
        self._windows: dict[tuple[str, int, int], list[float]] = {}  # -> [start, count]

    def hit(self, key: str, items: tuple[RateLimitItem, ...]) -> float | None:
        """Count one call; None when allowed, else the seconds until the fullest window ends
        (a refused call is not counted)."""
        now = self.clock()
        with self._lock:
            found = []
            for item in items:
                span = item.get_expiry()
                slot = self._windows.get((key, item.amount, span))
                if slot is None or now >= slot[0] + span:
                    slot = [now, 0]
                if slot[1] >= item.amount:
                    return slot[0] + span - now
                found.append(((key, item.amount, span), slot))
            for name, slot in found:
                slot[1] += 1
                self._windows[name] = slot
            if len(self._windows) > _PRUNE_AT:
                self._windows = {k: v for k, v in self._windows.items() if now < v[0] + k[2]}
        return None


class SharedWindows:
    """The same limit counted in a shared store (`redis://`), through `limits`."""

    def __init__(self, url: str) -> None:
        self.limiter = strategies.FixedWindowRateLimiter(storage.storage_from_string(url))

    def hit(self, key: str, items: tuple[RateLimitItem, ...]) -> float | None:
        for item in items:
            if not self.limiter.test(item, "api", key):
                reset = self.limiter.get_window_stats(item, "api", key).reset_time
                return max(reset - time.time(), 1.0)
        for item in items:
            self.limiter.hit(item, "api", key)
        return None


def count(app: Flask, address: str) -> None:
    """Count one `/api/v1` call from `address`: 429 with Retry-After once it is over its
    limit. Flask-free, so the fast read (fastread.py) counts the same way."""
    counter = app.extensions["custos.api_limit"]
    wait = counter.hit(address, _items(app.config["CUSTOS_SETTINGS"].api_rate_limit))
    if wait is not None:
        raise TooManyRequests(retry_after=max(1, math.ceil(wait)))


def check() -> None:
    """Before each `/api/v1` call."""
    count(current_app, request.remote_addr or "")


def init_app(app: Flask) -> None:
    url = app.config["CUSTOS_SETTINGS"].ratelimit_storage_url
    app.extensions["custos.api_limit"] = (Windows() if url.startswith("memory://")
                                          else SharedWindows(url))
