"""The injected clock: every handler asks ``now()``, so tests move time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, current_app


def system_now() -> datetime:
    return datetime.now(UTC)


def init_app(app: Flask, clock: Callable[[], datetime] = system_now) -> None:
    app.extensions["custos.clock"] = clock


def now() -> datetime:
    """The current time as the app sees it (aware, UTC)."""
    return current_app.extensions["custos.clock"]()
