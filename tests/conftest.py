"""Shared fixtures in flaskr's style: app, client, runner, auth, and a movable clock."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from api import create_app
from api.config import Settings


class Clock:
    """A clock the tests move by hand; nothing sleeps."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", secret_key="x" * 40, secure_cookies=False,
                    signin_rate_limit="1000 per minute", argon2_profile="CHEAPEST")


@pytest.fixture
def app(settings, clock):
    app = create_app(settings, testing=True)
    app.extensions["custos.clock"] = clock
    yield app
    app.extensions["custos.vault"].close()


def configure(app, **changes) -> None:
    """Change settings of a running test app (they are read at each use)."""
    app.config["CUSTOS_SETTINGS"] = replace(app.config["CUSTOS_SETTINGS"], **changes)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(response) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def save_terms(client, terms: dict):
    """The signed-in person saves `terms` herself (the Save of the terms page's preview)."""
    page = client.get("/terms")
    response = client.post("/terms/save", data={"csrf_token": csrf_token(page),
                                               "candidate": json.dumps(terms)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


class Auth:
    """Signs up, in and out through the real pages, CSRF token included."""

    def __init__(self, client) -> None:
        self.client = client

    def post(self, path: str, data: dict, *, page: str | None = None, **kwargs):
        token = csrf_token(self.client.get(page or path))
        return self.client.post(path, data={**data, "csrf_token": token}, **kwargs)

    def signup(self, email="ada@example.org", password="correct horse battery", **kwargs):
        return self.post("/signup", {"email": email, "password": password, "confirm": password},
                         **kwargs)

    def signin(self, email="ada@example.org", password="correct horse battery", **kwargs):
        return self.post("/signin", {"email": email, "password": password}, **kwargs)

    def signout(self):
        return self.post("/signout", {}, page="/settings")


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL schema as a database URL, dropped afterwards (store copies)."""
    import uuid

    from tests.vault.conftest import _admin_connection, postgres_url, with_search_path

    admin = _admin_connection()
    schema = f"custos_t_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_search_path(postgres_url(), schema)
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()
