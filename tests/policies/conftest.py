"""Shared helpers for the policy engine tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

HERE = Path(__file__).parent
NOW = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def load_json(name: str):
    return json.loads((HERE / name).read_text(encoding="utf-8"))


@pytest.fixture
def now() -> datetime:
    return NOW
