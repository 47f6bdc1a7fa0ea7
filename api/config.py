"""Settings read from the environment, checked once at start-up.

Every setting is documented in docs/configuration.md; tests/api/test_docs.py keeps the two in
step. A missing or bad value raises ConfigError with one line that names the variable.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    home: Path
    database_url: str | None = None
    secret_key: str = field(repr=False, default="")
    ratelimit_storage_url: str = "memory://"
    signin_rate_limit: str = "10 per minute"
    session_hours: int = 12
    secure_cookies: bool = True
    log_level: str = "INFO"
    issuer: str | None = None
    #: an argon2.profiles name; tests pass "CHEAPEST" to stay fast, production keeps the default
    argon2_profile: str = "RFC_9106_LOW_MEMORY"


#: name -> (default, meaning); the single source for docs/configuration.md
VARIABLES: dict[str, tuple[str, str]] = {
    "CUSTOS_HOME": ("./custos-data", "Folder for the SQLite files, the master key ring and the "
                    "session secret. Created on first start (mode 0700)."),
    "CUSTOS_DATABASE_URL": ("(unset: SQLite in CUSTOS_HOME)", "`postgresql://user@host:port/db` "
                            "to keep the data in PostgreSQL instead."),
    "CUSTOS_SECRET_KEY": ("(generated into CUSTOS_HOME/session.secret)", "Secret that signs the "
                          "CSRF cookie. Set the same value on every app process behind a "
                          "load balancer. At least 32 characters."),
    "CUSTOS_RATELIMIT_STORAGE_URL": ("memory://", "Where rate-limit counters live; "
                                     "`redis://host:6379` to share them between processes."),
    "CUSTOS_SIGNIN_RATE_LIMIT": ("10 per minute", "Sign-in attempts allowed per client address "
                                 "and per account."),
    "CUSTOS_SESSION_HOURS": ("12", "Lifetime of a signed-in session, in hours (1 to 720)."),
    "CUSTOS_SECURE_COOKIES": ("1", "`1` sends cookies only over HTTPS. `custos serve` on a "
                              "loopback address turns it off unless it is set."),
    "CUSTOS_LOG_LEVEL": ("INFO", "DEBUG, INFO, WARNING or ERROR."),
    "CUSTOS_ISSUER": ("(unset: taken from each request's host)", "The public base URL, such as "
                      "`https://custos.example`: the OAuth issuer (RFC 8414) in metadata, in "
                      "every authorization response (RFC 9207) and in the vendors' notices. Set "
                      "it in production."),
}


def _int(env: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {raw!r}")


def _secret(env: dict[str, str], home: Path) -> str:
    """Use CUSTOS_SECRET_KEY, else a generated secret kept in the home folder (mode 0600)."""
    given = env.get("CUSTOS_SECRET_KEY")
    if given:
        if len(given) < 32:
            raise ConfigError("CUSTOS_SECRET_KEY must be at least 32 characters long")
        return given
    path = home / "session.secret"
    if not path.exists():
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def from_env(env: dict[str, str] | None = None, *, loopback: bool = False) -> Settings:
    """Read and check every CUSTOS_* variable; raise ConfigError naming the first bad one."""
    env = dict(os.environ if env is None else env)
    home = Path(env.get("CUSTOS_HOME") or "./custos-data").expanduser().resolve()
    if home.exists() and not home.is_dir():
        raise ConfigError(f"CUSTOS_HOME must be a folder, but {home} is a file")
    url = env.get("CUSTOS_DATABASE_URL") or None
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("CUSTOS_DATABASE_URL must start with postgresql:// "
                          "(leave it unset for the embedded SQLite store)")
    limiter_url = env.get("CUSTOS_RATELIMIT_STORAGE_URL") or "memory://"
    if not limiter_url.startswith(("memory://", "redis://", "rediss://")):
        raise ConfigError("CUSTOS_RATELIMIT_STORAGE_URL must be memory:// or redis://host:port")
    level = (env.get("CUSTOS_LOG_LEVEL") or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"CUSTOS_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}")
    signin_limit = env.get("CUSTOS_SIGNIN_RATE_LIMIT") or "10 per minute"
    try:
        from limits import parse

        parse(signin_limit)
    except ValueError:
        raise ConfigError(f"CUSTOS_SIGNIN_RATE_LIMIT is not a rate such as '10 per minute': "
                          f"{signin_limit!r}") from None
    issuer = (env.get("CUSTOS_ISSUER") or "").rstrip("/") or None
    if issuer:
        parts = urlsplit(issuer)
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query \
                or parts.fragment:
            raise ConfigError(f"CUSTOS_ISSUER must be a URL such as https://custos.example, "
                              f"not {issuer!r}")
    return Settings(
        issuer=issuer,
        home=home,
        database_url=url,
        secret_key=_secret(env, home),
        ratelimit_storage_url=limiter_url,
        signin_rate_limit=signin_limit,
        session_hours=_int(env, "CUSTOS_SESSION_HOURS", 12, 1, 720),
        secure_cookies=_bool(env, "CUSTOS_SECURE_COOKIES", not loopback),
        log_level=level,
    )
