"""Settings: one table feeds Settings, the checks and the docs; every documented setting is real."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.config import ROWS, ConfigError, from_env, markdown_table

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "configuration.md"
#: the Flask config key that holds the Settings object; not an environment variable
NOT_A_VARIABLE = {"CUSTOS_SETTINGS"}


def test_defaults(tmp_path):
    settings = from_env({"CUSTOS_HOME": str(tmp_path / "h")})
    assert settings.home == (tmp_path / "h").resolve()
    assert settings.database_url is None and settings.secure_cookies
    assert settings.session_hours == 12 and settings.ratelimit_storage_url == "memory://"
    assert settings.issuer is None and settings.jobs_interval == 60
    secret = tmp_path / "h" / "session.secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert from_env({"CUSTOS_HOME": str(tmp_path / "h")}).secret_key == settings.secret_key


def test_loopback_turns_secure_cookies_off_unless_set(tmp_path):
    env = {"CUSTOS_HOME": str(tmp_path)}
    assert from_env(env, loopback=True).secure_cookies is False
    assert from_env({**env, "CUSTOS_SECURE_COOKIES": "1"}, loopback=True).secure_cookies


#: a valid value other than the default for every row, and what Settings must hold then
GOOD = {
    "CUSTOS_HOME": ("{tmp}/elsewhere", lambda s, tmp: s.home == tmp / "elsewhere"),
    "CUSTOS_DATABASE_URL": ("postgresql://u@db/x", lambda s, tmp: s.database_url ==
                            "postgresql://u@db/x"),
    "CUSTOS_MASTER_KEY_FILE": ("{tmp}/ring", lambda s, tmp: s.master_key_file == tmp / "ring"),
    "CUSTOS_SECRET_KEY": ("s" * 40, lambda s, tmp: s.secret_key == "s" * 40),
    "CUSTOS_ISSUER": ("https://custos.example/", lambda s, tmp: s.issuer ==
                      "https://custos.example"),
    "CUSTOS_SECURE_COOKIES": ("0", lambda s, tmp: s.secure_cookies is False),
    "CUSTOS_DPOP_NONCE": ("1", lambda s, tmp: s.dpop_nonce is True),
    "CUSTOS_SESSION_HOURS": ("3", lambda s, tmp: s.session_hours == 3),
    "CUSTOS_RATELIMIT_STORAGE_URL": ("redis://r:6379", lambda s, tmp: s.ratelimit_storage_url ==
                                     "redis://r:6379"),
    "CUSTOS_SIGNIN_RATE_LIMIT": ("3 per minute", lambda s, tmp: s.signin_rate_limit ==
                                 "3 per minute"),
    "CUSTOS_SIGNIN_ACCOUNT_RATE_LIMIT": ("2 per hour; 1 per second",
                                         lambda s, tmp: s.signin_account_rate_limit ==
                                         "2 per hour; 1 per second"),
    "CUSTOS_API_RATE_LIMIT": ("5 per second", lambda s, tmp: s.api_rate_limit ==
                              "5 per second"),
    "CUSTOS_TOKEN_RATE_LIMIT": ("6 per hour", lambda s, tmp: s.token_rate_limit ==
                                "6 per hour"),
    "CUSTOS_REGISTRATION_RATE_LIMIT": ("7 per day", lambda s, tmp: s.registration_rate_limit ==
                                       "7 per day"),
    "CUSTOS_JOBS_INTERVAL": ("5", lambda s, tmp: s.jobs_interval == 5.0),
    "CUSTOS_RESET_RATE_LIMIT": ("2 per day", lambda s, tmp: s.reset_rate_limit == "2 per day"),
    "CUSTOS_SMTP_URL": ("smtp://me%40x:p%3Ass@mail.example:587?starttls=1", lambda s, tmp: (
        s.smtp_url.host, s.smtp_url.port, s.smtp_url.starttls, s.smtp_url.tls,
        s.smtp_url.username, s.smtp_url.password) == ("mail.example", 587, True, False, "me@x",
                                                      "p:ss")),
    "CUSTOS_MAIL_FROM": ("Vault <vault@custos.example>",
                         lambda s, tmp: s.mail_from == "Vault <vault@custos.example>"),
    "CUSTOS_DUTY_ACK_DAYS": ("7", lambda s, tmp: s.duty_ack_days == 7),
    "CUSTOS_LOG_LEVEL": ("debug", lambda s, tmp: s.log_level == "DEBUG"),
}


@pytest.mark.parametrize("name", [row.metadata["env"] for row in ROWS])
def test_every_setting_reaches_settings(tmp_path, name):
    assert name in GOOD, f"add a valid value for {name} to GOOD"
    text, holds = GOOD[name]
    env = {"CUSTOS_HOME": str(tmp_path), name: text.format(tmp=tmp_path)}
    assert holds(from_env(env), tmp_path.resolve())


@pytest.mark.parametrize("name, value, line", [
    ("CUSTOS_SESSION_HOURS", "forever",
     "CUSTOS_SESSION_HOURS must be a whole number from 1 to 720, not 'forever'"),
    ("CUSTOS_SESSION_HOURS", "0", "CUSTOS_SESSION_HOURS must be a whole number from 1 to 720"),
    ("CUSTOS_SESSION_HOURS", "\u0663", "CUSTOS_SESSION_HOURS must be a whole number"),
    ("CUSTOS_SESSION_HOURS", "9" * 5000, "CUSTOS_SESSION_HOURS must be a whole number"),
    ("CUSTOS_DATABASE_URL", "mysql://x", "CUSTOS_DATABASE_URL must be a postgresql:// URL"),
    ("CUSTOS_SECURE_COOKIES", "maybe", "CUSTOS_SECURE_COOKIES must be 1 or 0, not 'maybe'"),
    ("CUSTOS_SECRET_KEY", "short", "CUSTOS_SECRET_KEY must be at least 32 characters long"),
    ("CUSTOS_RATELIMIT_STORAGE_URL", "ftp://x", "CUSTOS_RATELIMIT_STORAGE_URL must be memory://"),
    ("CUSTOS_SIGNIN_RATE_LIMIT", "lots", "CUSTOS_SIGNIN_RATE_LIMIT must be a rate such as"),
    ("CUSTOS_SIGNIN_ACCOUNT_RATE_LIMIT", "x", "CUSTOS_SIGNIN_ACCOUNT_RATE_LIMIT must be a rate"),
    ("CUSTOS_API_RATE_LIMIT", "fast", "CUSTOS_API_RATE_LIMIT must be a rate such as"),
    ("CUSTOS_TOKEN_RATE_LIMIT", "1 per fortnight", "CUSTOS_TOKEN_RATE_LIMIT must be a rate"),
    ("CUSTOS_REGISTRATION_RATE_LIMIT", "-", "CUSTOS_REGISTRATION_RATE_LIMIT must be a rate"),
    ("CUSTOS_DUTY_ACK_DAYS", "0", "CUSTOS_DUTY_ACK_DAYS must be a whole number from 1 to 365"),
    ("CUSTOS_JOBS_INTERVAL", "soon", "CUSTOS_JOBS_INTERVAL must be a number of seconds from 1"),
    ("CUSTOS_JOBS_INTERVAL", "0", "CUSTOS_JOBS_INTERVAL must be a number of seconds from 1"),
    ("CUSTOS_JOBS_INTERVAL", "nan", "CUSTOS_JOBS_INTERVAL must be a number of seconds"),
    ("CUSTOS_JOBS_INTERVAL", "\u0663\u0660", "CUSTOS_JOBS_INTERVAL must be a number of seconds"),
    ("CUSTOS_LOG_LEVEL", "LOUD", "CUSTOS_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR"),
    ("CUSTOS_ISSUER", "custos.example", "CUSTOS_ISSUER must be an https URL"),
    ("CUSTOS_ISSUER", "https://custos.example/?x=1", "CUSTOS_ISSUER must be an https URL"),
    ("CUSTOS_ISSUER", "http://custos.example", "CUSTOS_ISSUER must be an https URL"),
    ("CUSTOS_ISSUER", "https://custos.example:99999", "CUSTOS_ISSUER must be an https URL"),
    ("CUSTOS_MASTER_KEY_FILE", "/", "CUSTOS_MASTER_KEY_FILE must be a file path"),
    ("CUSTOS_SMTP_URL", "http://mail.example", "CUSTOS_SMTP_URL must be smtp://"),
    ("CUSTOS_SMTP_URL", "smtp://", "CUSTOS_SMTP_URL must be smtp://"),
    ("CUSTOS_SMTP_URL", "smtp://mail.example:99999", "CUSTOS_SMTP_URL must be smtp://"),
    ("CUSTOS_SMTP_URL", "smtp://mail.example?starttls=maybe", "CUSTOS_SMTP_URL must be smtp://"),
    ("CUSTOS_SMTP_URL", "smtps://mail.example?starttls=1", "CUSTOS_SMTP_URL must be smtp://"),
    ("CUSTOS_SMTP_URL", "smtp://mail.example?debug=1", "CUSTOS_SMTP_URL must be smtp://"),
    ("CUSTOS_SMTP_URL", "smtp://me:pw@mail.example:587", "CUSTOS_SMTP_URL must be smtp://"),
    ("CUSTOS_MAIL_FROM", "nobody", "CUSTOS_MAIL_FROM must be an address such as"),
    ("CUSTOS_RESET_RATE_LIMIT", "often", "CUSTOS_RESET_RATE_LIMIT must be a rate such as"),
])
def test_bad_setting_is_one_clear_line(tmp_path, name, value, line):
    with pytest.raises(ConfigError) as info:
        from_env({"CUSTOS_HOME": str(tmp_path), name: value})
    assert info.value.problems[0].startswith(line) and len(info.value.problems) == 1
    assert "\n" not in info.value.problems[0]


def test_an_error_never_repeats_a_secret(tmp_path):
    env = {"CUSTOS_HOME": str(tmp_path), "CUSTOS_SECRET_KEY": "hunter2-secret",
           "CUSTOS_DATABASE_URL": "mysql://me:pa55word@db/x",
           "CUSTOS_RATELIMIT_STORAGE_URL": "memcached://:t0ken@cache",
           "CUSTOS_SMTP_URL": "smtp://me:m4ilpass@mail.example?starttls=perhaps"}
    with pytest.raises(ConfigError) as info:
        from_env(env)
    text = str(info.value)
    assert len(info.value.problems) == 4
    assert "hunter2" not in text and "pa55word" not in text and "t0ken" not in text
    assert "m4ilpass" not in text


def test_every_bad_value_gets_its_own_error_line(tmp_path):
    from api.cli.custos import cli

    env = {"CUSTOS_HOME": str(tmp_path), "CUSTOS_SESSION_HOURS": "forever",
           "CUSTOS_LOG_LEVEL": "LOUD", "CUSTOS_API_RATE_LIMIT": "fast"}
    result = CliRunner().invoke(cli, ["init"], env=env)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == ["Error: CUSTOS_SESSION_HOURS must be a whole number from 1 to 720, "
                     "not 'forever'",
                     "Error: CUSTOS_API_RATE_LIMIT must be a rate such as `10 per minute` "
                     "(several with `;`), not 'fast'",
                     "Error: CUSTOS_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not 'LOUD'"]


def test_docs_table_is_the_settings_table():
    text = DOCS.read_text()
    assert markdown_table() in text, ("docs/configuration.md is out of date; paste the output "
                                      "of api.config.markdown_table() into it")


def _names_in_code() -> set[str]:
    """Every CUSTOS_* string constant in the Python code, and every name in .ci/run."""
    found = set(re.findall(r"\bCUSTOS_[A-Z0-9_]+\b", (ROOT / ".ci" / "run").read_text()))
    for folder in ("api", "vault", "policies", "clients", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and re.fullmatch(r"CUSTOS_[A-Z0-9_]+", node.value):
                    found.add(node.value)
    return found - NOT_A_VARIABLE


def test_every_variable_read_is_documented_and_every_documented_one_is_read():
    in_code = _names_in_code()
    in_docs = set(re.findall(r"`(CUSTOS_[A-Z0-9_]+)`", DOCS.read_text()))
    assert len(in_code) >= 20, in_code  # the scan found the variables at all
    assert in_code - in_docs == set(), "read in the code but not in docs/configuration.md"
    assert in_docs - in_code == set(), "in docs/configuration.md but read nowhere"


def test_issuer_reaches_the_metadata(tmp_path):
    from api import create_app

    settings = from_env({"CUSTOS_HOME": str(tmp_path), "CUSTOS_ISSUER": "https://custos.example/"})
    assert settings.issuer == "https://custos.example"
    app = create_app(settings, testing=True)
    meta = app.test_client().get("/.well-known/oauth-authorization-server",
                                 base_url="http://forged.example").get_json()
    assert meta["issuer"] == "https://custos.example"
    app.extensions["custos.vault"].close()
