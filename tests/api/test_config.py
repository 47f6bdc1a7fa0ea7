"""Settings: defaults, clear one-line errors, and the docs table kept in step with the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.config import VARIABLES, ConfigError, from_env

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_defaults(tmp_path):
    settings = from_env({"CUSTOS_HOME": str(tmp_path / "h")})
    assert settings.home == (tmp_path / "h").resolve()
    assert settings.database_url is None and settings.secure_cookies
    assert settings.session_hours == 12 and settings.ratelimit_storage_url == "memory://"
    secret = tmp_path / "h" / "session.secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert from_env({"CUSTOS_HOME": str(tmp_path / "h")}).secret_key == settings.secret_key


def test_loopback_turns_secure_cookies_off_unless_set(tmp_path):
    env = {"CUSTOS_HOME": str(tmp_path)}
    assert from_env(env, loopback=True).secure_cookies is False
    assert from_env({**env, "CUSTOS_SECURE_COOKIES": "1"}, loopback=True).secure_cookies


@pytest.mark.parametrize("name, value, words", [
    ("CUSTOS_SESSION_HOURS", "forever", "CUSTOS_SESSION_HOURS must be a whole number"),
    ("CUSTOS_SESSION_HOURS", "0", "CUSTOS_SESSION_HOURS must be between 1 and 720"),
    ("CUSTOS_DATABASE_URL", "mysql://x", "CUSTOS_DATABASE_URL must start with postgresql://"),
    ("CUSTOS_SECURE_COOKIES", "maybe", "CUSTOS_SECURE_COOKIES must be 1 or 0"),
    ("CUSTOS_SECRET_KEY", "short", "CUSTOS_SECRET_KEY must be at least 32 characters"),
    ("CUSTOS_RATELIMIT_STORAGE_URL", "ftp://x", "CUSTOS_RATELIMIT_STORAGE_URL must be"),
    ("CUSTOS_SIGNIN_RATE_LIMIT", "lots", "CUSTOS_SIGNIN_RATE_LIMIT is not a rate"),
    ("CUSTOS_LOG_LEVEL", "LOUD", "CUSTOS_LOG_LEVEL must be"),
    ("CUSTOS_ISSUER", "custos.example", "CUSTOS_ISSUER must be a URL"),
    ("CUSTOS_ISSUER", "https://custos.example/?x=1", "CUSTOS_ISSUER must be a URL"),
])
def test_bad_setting_is_one_clear_line(tmp_path, name, value, words):
    with pytest.raises(ConfigError) as info:
        from_env({"CUSTOS_HOME": str(tmp_path), name: value})
    assert str(info.value).startswith(words) and "\n" not in str(info.value)


def test_docs_table_lists_every_variable_with_its_default():
    text = DOCS.read_text()
    for name, (default, _) in VARIABLES.items():
        assert f"| `{name}` | `{default}` |" in text, name


def test_issuer_reaches_the_metadata(tmp_path):
    from api import create_app

    settings = from_env({"CUSTOS_HOME": str(tmp_path), "CUSTOS_ISSUER": "https://custos.example/"})
    assert settings.issuer == "https://custos.example"
    app = create_app(settings, testing=True)
    meta = app.test_client().get("/.well-known/oauth-authorization-server",
                                 base_url="http://forged.example").get_json()
    assert meta["issuer"] == "https://custos.example"
    app.extensions["custos.vault"].close()
