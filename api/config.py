"""Settings: one table of CUSTOS_* variables feeds `Settings`, the start-up checks and the table
in docs/configuration.md (`markdown_table()`; tests/api/test_config.py keeps the page equal to
it). Each bad value is one line that names the variable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common.loopback import is_loopback_url

from .services.mail import SmtpServer  # the parsed CUSTOS_SMTP_URL (Flask-free)


class ConfigError(Exception):
    """Settings are missing or malformed: one line per problem, each naming its variable."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Check:
    """How a variable's text is read: what it must be (errors, docs) and the reader."""

    form: str
    read: Callable[[str], Any]  # raises ValueError when the text is not `form`
    secret: bool = False  # an error never repeats the value


def _whole(low: int, high: int) -> Check:
    def read(raw: str) -> int:
        if not (raw.isascii() and raw.isdigit() and low <= int(raw) <= high):
            raise ValueError(raw)
        return int(raw)

    return Check(f"a whole number from {low} to {high}", read)


def _seconds(low: float, high: float) -> Check:
    def read(raw: str) -> float:
        value = float(raw) if raw.isascii() else float("nan")  # float() reads "\u0663" too
        if not low <= value <= high:  # NaN fails here too
            raise ValueError(raw)
        return value

    return Check(f"a number of seconds from {low:g} to {high:g}", read)


def _flag(raw: str) -> bool:
    word = raw.lower()
    if word not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError(raw)
    return word in ("1", "true", "yes", "on")


def _level(raw: str) -> str:
    if raw.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError(raw)
    return raw.upper()


def _rate(raw: str) -> str:
    from limits import parse_many

    parse_many(raw)  # ValueError when it is not a rate
    return raw


def _prefixed(*prefixes: str) -> Callable[[str], str]:
    def read(raw: str) -> str:
        if not raw.startswith(prefixes):
            raise ValueError(raw)
        return raw

    return read


def _folder(raw: str) -> Path:
    path = Path(raw).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise ValueError(raw)
    return path


def _file(raw: str) -> Path:
    path = Path(raw).expanduser().resolve()
    if path.is_dir():
        raise ValueError(raw)
    return path


def _secret(raw: str) -> str:
    if len(raw) < 32:
        raise ValueError("too short")
    return raw


def _issuer(raw: str) -> str:
    """RFC 8414 section 2: an https URL without query or fragment (http only on loopback)."""
    parts = urlsplit(raw)
    scheme_ok = parts.scheme == "https" or (parts.scheme == "http" and is_loopback_url(raw))
    if not scheme_ok or not parts.hostname or parts.query or parts.fragment \
            or not raw.isprintable() or " " in raw:
        raise ValueError(raw)
    parts.port  # noqa: B018 - ValueError for a port that is not a number from 0 to 65535
    return raw.rstrip("/")


def _smtp(raw: str) -> SmtpServer:
    from urllib.parse import parse_qs, unquote

    parts = urlsplit(raw)
    query = parse_qs(parts.query, keep_blank_values=True)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname or parts.path not in ("", "/") \
            or parts.fragment or set(query) - {"starttls"} or not raw.isprintable():
        raise ValueError("not an smtp URL")
    starttls = _flag(query["starttls"][-1]) if "starttls" in query else False
    if starttls and parts.scheme == "smtps":
        raise ValueError("starttls with smtps")
    if parts.username and parts.scheme == "smtp" and not starttls \
            and not is_loopback_url(f"http://{parts.netloc.rpartition('@')[2]}"):
        raise ValueError("a password in the clear")  # AUTH only over TLS, except on loopback
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    return SmtpServer(host=parts.hostname, port=port, tls=parts.scheme == "smtps",
                      starttls=starttls,
                      username=unquote(parts.username) if parts.username else None,
                      password=unquote(parts.password) if parts.password else None)


def _address(raw: str) -> str:
    from email.headerregistry import Address
    from email.utils import parseaddr

    name, address = parseaddr(raw)
    local, _, domain = address.partition("@")
    if not local or not domain or not raw.isprintable():
        raise ValueError(raw)
    Address(display_name=name, username=local, domain=domain)  # ValueError when malformed
    return raw


RATE = "a rate such as `10 per minute` (several with `;`)"


def setting(env: str, check: Check, doc: str, default: Any = None, *, shown: str = "") -> Any:
    """One row of the table: the variable, how it is read, what it means and its default."""
    row = {"env": env, "check": check, "doc": doc, "shown": shown or str(default)}
    return field(default=default, metadata=row, repr=not check.secret)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything an operator can set; fields without a row are for code and tests only."""

    home: Path = setting(
        "CUSTOS_HOME", Check("a folder", _folder),
        "Folder for the SQLite files, the master key ring and the session secret. Created on "
        "first start (mode 0700).", Path("custos-data"), shown="./custos-data")
    database_url: str | None = setting(
        "CUSTOS_DATABASE_URL", Check("a postgresql:// URL", _prefixed(
            "postgresql://", "postgres://"), secret=True),
        "`postgresql://user@host:port/db` to keep the data in PostgreSQL instead.",
        shown="(unset: SQLite in `CUSTOS_HOME`)")
    master_key_file: Path | None = setting(
        "CUSTOS_MASTER_KEY_FILE", Check("a file path", _file),
        "Where the master key ring is kept (mode 0600), for example a secrets mount.",
        shown="(unset: `CUSTOS_HOME/master.key`)")
    secret_key: str = setting(
        "CUSTOS_SECRET_KEY", Check("at least 32 characters long", _secret, secret=True),
        "Secret that signs the CSRF cookie. Set the same value on every app process behind a "
        "load balancer.", "", shown="(generated into `CUSTOS_HOME/session.secret`)")
    issuer: str | None = setting(
        "CUSTOS_ISSUER", Check("an https URL such as https://custos.example (http only on "
                               "loopback)", _issuer),
        "The public base URL: the OAuth issuer (RFC 8414) in metadata, in every authorization "
        "response (RFC 9207) and in the vendors' notices. `custos serve` refuses to start "
        "without it, except on a loopback `--host` without `--trusted-proxy`. Vendor "
        "notification URLs may be on loopback only when it is.",
        shown="(unset: `http://HOST:PORT` of a loopback `custos serve`)")
    secure_cookies: bool = setting(
        "CUSTOS_SECURE_COOKIES", Check("1 or 0", _flag),
        "`1` sends cookies only over HTTPS. `custos serve` on a loopback address turns it off "
        "unless it is set.", True, shown="1")
    session_hours: int = setting(
        "CUSTOS_SESSION_HOURS", _whole(1, 720), "Lifetime of a signed-in session, in hours.", 12)
    ratelimit_storage_url: str = setting(
        "CUSTOS_RATELIMIT_STORAGE_URL", Check("memory:// or redis://host:port", _prefixed(
            "memory://", "redis://", "rediss://"), secret=True),
        "Where rate-limit counters live; `redis://host:6379` to share them between processes.",
        "memory://")
    signin_rate_limit: str = setting(
        "CUSTOS_SIGNIN_RATE_LIMIT", Check(RATE, _rate),
        "Sign-in and sign-up attempts allowed per client address.", "10 per minute")
    signin_account_rate_limit: str = setting(
        "CUSTOS_SIGNIN_ACCOUNT_RATE_LIMIT", Check(RATE, _rate),
        "Failed sign-ins allowed per account from one client address. Failures from other "
        "addresses never refuse the owner's correct password.", "20 per hour")
    api_rate_limit: str = setting(
        "CUSTOS_API_RATE_LIMIT", Check(RATE, _rate),
        "Requests to `/api/v1` allowed per client address.", "1200 per minute")
    token_rate_limit: str = setting(
        "CUSTOS_TOKEN_RATE_LIMIT", Check(RATE, _rate),
        "Requests to the token, revocation and introspection endpoints per client address.",
        "120 per minute")
    registration_rate_limit: str = setting(
        "CUSTOS_REGISTRATION_RATE_LIMIT", Check(RATE, _rate),
        "Dynamic client registrations (RFC 7591) per client address.", "20 per minute")
    reset_rate_limit: str = setting(
        "CUSTOS_RESET_RATE_LIMIT", Check(RATE, _rate),
        "Password reset emails asked for per client address, and for one email address from "
        "anywhere.", "5 per hour")
    smtp_url: SmtpServer | None = setting(
        "CUSTOS_SMTP_URL", Check("smtp://host[:port], smtp://user:password@host[:port]"
                                 "?starttls=1 or smtps://[user:password@]host[:port]", _smtp,
                                 secret=True),
        "The SMTP server that sends the person's email: notifications, the link that "
        "verifies her address and the password reset link (see [email](email.md)). Without it "
        "(or without `CUSTOS_ISSUER`, which the links need) email is off and the pages say so.",
        shown="(unset: no email)")
    mail_from: str = setting(
        "CUSTOS_MAIL_FROM", Check("an address such as Custos <custos@example.org>", _address),
        "The sender of every email.", "Custos <custos@localhost>")
    jobs_interval: float = setting(
        "CUSTOS_JOBS_INTERVAL", _seconds(1, 86400),
        "How often `custos serve` ends expired agreements and sends due notices to vendors.",
        60.0, shown="60")
    duty_ack_days: int = setting(
        "CUSTOS_DUTY_ACK_DAYS", _whole(1, 365),
        "Days a vendor has to send its signed acknowledgement of a notice (an ended agreement, "
        "a deletion) before the person's pages show it as overdue.", 30)
    dpop_nonce: bool = setting(
        "CUSTOS_DPOP_NONCE", Check("1 or 0", _flag),
        "`1` makes every DPoP proof carry a nonce this server handed out (RFC 9449 sections 8 "
        "and 9), so a proof made in advance by stolen code cannot be used later. Nonces are "
        "signed with `CUSTOS_SECRET_KEY`, so every process accepts them.", False, shown="0")
    log_level: str = setting(
        "CUSTOS_LOG_LEVEL", Check("DEBUG, INFO, WARNING or ERROR", _level),
        "How much the server logs (never a personal value).", "INFO")
    #: an argon2.profiles name; tests pass "CHEAPEST" to stay fast, production keeps the default
    argon2_profile: str = "RFC_9106_LOW_MEMORY"


ROWS = [f for f in fields(Settings) if "env" in f.metadata]


def from_env(env: dict[str, str] | None = None, *, loopback: bool = False) -> Settings:
    """Read and check every CUSTOS_* variable; ConfigError lists every bad one."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    problems = []
    for row in ROWS:
        name, check = row.metadata["env"], row.metadata["check"]
        raw = env.get(name, "")
        if raw == "":
            continue
        try:
            values[row.name] = check.read(raw)
        except ValueError:
            shown = "" if check.secret else f", not {raw!r}"
            problems.append(f"{name} must be {check.form}{shown}")
    if problems:
        raise ConfigError(*problems)
    home = values.setdefault("home", _folder("./custos-data"))
    values.setdefault("secret_key", _generated_secret(home))
    values.setdefault("secure_cookies", not loopback)
    return Settings(**values)


def _generated_secret(home: Path) -> str:
    """A secret kept in the home folder (mode 0600), made on first start."""
    path = home / "session.secret"
    if not path.exists():
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def markdown_table() -> str:
    """The table of docs/configuration.md, made from the rows above."""
    lines = ["| variable | default | value | meaning |", "| --- | --- | --- | --- |"]
    for row in ROWS:
        meta = row.metadata
        shown = meta["shown"] if meta["shown"].startswith("(") else f"`{meta['shown']}`"
        lines.append(f"| `{meta['env']}` | {shown} | {meta['check'].form} | {meta['doc']} |")
    return "\n".join(lines) + "\n"
