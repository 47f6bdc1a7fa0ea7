"""Email to the person: what each kind says, her choices, the daily digest, and sending.

Flask-free: every function takes the vault, the clock's `now` and the `MailConfig` (the
configured issuer, the SMTP server, the sender). A message is queued in the vault's sealed
mail outbox in the caller's transaction and sent later by `deliver_mail` (the jobs), retried
with backoff, so a failing SMTP server never breaks a request. Bodies are minimal: what
happened and a link, never a value from the vault, a vendor's name or the address itself.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import Any, Protocol

from vault import Vault
from vault.events import NotificationsChanged

from ..i18n import N_


@dataclass(frozen=True)
class SmtpServer:
    """Where email goes: `smtp://` (optionally `?starttls=1`) or `smtps://` (TLS from the
    first byte), with an optional `user:password@` (sent over TLS only, unless the server is
    on loopback). Never shown whole (the password). Read from CUSTOS_SMTP_URL by api/config.py
    (defined here so the service needs nothing of the shell)."""

    host: str
    port: int
    tls: bool = False  # smtps: implicit TLS (RFC 8314 section 3.3)
    starttls: bool = False  # smtp + STARTTLS (RFC 3207)
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)


class MailSettings(Protocol):
    """What `mail_config` reads of api/config.py's `Settings`."""

    @property
    def smtp_url(self) -> SmtpServer | None: ...
    @property
    def issuer(self) -> str | None: ...
    @property
    def mail_from(self) -> str: ...


@dataclass(frozen=True)
class MailConfig:
    """Email is on only with an SMTP server and a configured issuer (the links' base: a
    request's Host never decides where a reset link points)."""

    issuer: str
    smtp: SmtpServer
    sender: str

    def url(self, path: str) -> str:
        return self.issuer + path


def mail_config(settings: MailSettings) -> MailConfig | None:
    """The configuration, or None when email is off."""
    if settings.smtp_url is None or not settings.issuer:
        return None
    return MailConfig(issuer=settings.issuer, smtp=settings.smtp_url, sender=settings.mail_from)


@dataclass(frozen=True)
class Kind:
    """One kind of notification: how Settings names it and what the email says."""

    label: str
    subject: str
    line: str
    path: str


#: the events the person can hear about; other modules call `notify_person(..., kind, ...)`
KINDS: dict[str, Kind] = {
    "request_waiting": Kind(N_("A request waits for my answer"),
                            "A request waits for your answer",
                            "A vendor asked for some of your data, or an agent you authorised "
                            "proposes terms that would let vendors get more. Answer it in your "
                            "inbox:", "/inbox"),
    "agent_changed": Kind(N_("An agent I authorised changed something"),
                          "Your agent changed something",
                          "An agent you authorised changed something in your vault. Your log "
                          "shows what:", "/log"),
    "ack_overdue": Kind(N_("A vendor is late to confirm what it must do"),
                        "A vendor has not confirmed in time",
                        "A vendor has not confirmed in time that it did what your agreement "
                        "asks. See your connections:", "/connections"),
    "reply_arrived": Kind(N_("A reply arrived"), "You have a reply",
                          "A reply arrived for you. Read it in Custos:", "/offers"),
}
DEFAULTS: dict[str, Any] = {**dict.fromkeys(KINDS, True), "digest": False}
FOOTER = "You get this email because you have a vault at {issuer}."


def choices(vault: Vault, person_id: str) -> dict[str, Any]:
    """The person's choices: each kind on or off, and whether to bundle them once a day."""
    return {**DEFAULTS, **(vault.mail.prefs(person_id) or {})}


def set_choices(vault: Vault, person_id: str, wanted: dict[str, Any], now: datetime,
                via: str = "in Settings") -> None:
    chosen = {key: bool(wanted.get(key, False)) for key in DEFAULTS}
    with vault.transaction("write"):
        vault.mail.set_prefs(person_id, chosen, now)
        vault.record(person_id, NotificationsChanged(via=via), now)


def message(to: str, subject: str, lines: list[str], mail: MailConfig,
            unsubscribe: str | None = None) -> dict[str, Any]:
    """What is queued (sealed): the address, the subject, the plain text, the unsubscribe link."""
    text = "\n\n".join([*lines, FOOTER.format(issuer=mail.issuer)])
    if unsubscribe:
        text += f"\n\nStop these emails: {unsubscribe}"
    return {"to": to, "subject": subject, "text": text + "\n", "unsubscribe": unsubscribe}


def notify_person(vault: Vault, person_id: str, kind: str, now: datetime, *,
                  mail: MailConfig | None) -> str | None:
    """Tell the person that `kind` happened, as she chose: an email now, an item of tomorrow's
    digest, or nothing (always nothing until she confirmed her address). Returns "sent"
    (queued), "digest" or None. Joins the caller's transaction, so the email exists exactly
    when the change does."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if mail is None or vault.links.verified_at(person_id) is None:
        return None  # never notify an address its owner has not confirmed
    chosen = choices(vault, person_id)
    if not chosen[kind]:
        return None
    if chosen["digest"]:
        vault.mail.add_to_digest(person_id, {"kind": kind}, now)
        return "digest"
    from .mail_links import unsubscribe_url

    what = KINDS[kind]
    to = vault.get_person(person_id).email
    vault.mail.queue(person_id, message(
        to, what.subject, [what.line, mail.url(what.path)], mail,
        unsubscribe_url(vault, mail, person_id, kind, now)), now)
    return "sent"


def queue_digests(vault: Vault, mail: MailConfig | None, now: datetime) -> int:
    """Once a day: everyone's items from before today (UTC) in one email each; how many."""
    if mail is None:
        return 0
    from .mail_links import unsubscribe_url

    today = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    queued = 0
    for person_id in vault.mail.digest_persons(today):
        with vault.transaction("write"):
            items = vault.mail.take_digest(person_id, today)
            counts: dict[str, int] = {}
            for _, item in items:
                counts[item["kind"]] = counts.get(item["kind"], 0) + 1
            lines = ["Since your last email from Custos:"]
            lines += [f"- {KINDS[k].subject} ({n} time{'s' if n > 1 else ''}): "
                      f"{mail.url(KINDS[k].path)}" for k, n in counts.items() if k in KINDS]
            to = vault.get_person(person_id).email
            vault.mail.queue(person_id, message(
                to, "Your daily summary from Custos", lines, mail,
                unsubscribe_url(vault, mail, person_id, "digest", now)), now)
            queued += 1
    return queued


Connect = Callable[[SmtpServer], smtplib.SMTP]


def connect(server: SmtpServer, timeout: float = 10) -> smtplib.SMTP:
    """An SMTP session: implicit TLS (RFC 8314 section 3.3) or STARTTLS (RFC 3207), both
    verifying the server's certificate, then AUTH when a user is configured."""
    context = ssl.create_default_context()
    if server.tls:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout,
                                              context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        if server.starttls:  # RFC 3207 section 4.1: no upgrade, nothing sent in the clear
            smtp.starttls(context=context)
        if server.username:
            smtp.login(server.username, server.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


#: RFC 5322 section 2.1.1: lines up to 998 characters, so a link is never folded or encoded
POLICY = SMTP.clone(max_line_length=998)


def build(msg: dict[str, Any], mail: MailConfig, now: datetime) -> EmailMessage:
    email = EmailMessage(policy=POLICY)
    email["From"] = mail.sender
    email["To"] = msg["to"]
    email["Subject"] = msg["subject"]
    email["Date"] = format_datetime(now)
    email["Message-ID"] = make_msgid(domain=mail.smtp.host if "." in mail.smtp.host else None)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834 section 5: no auto-replies to it
    if msg.get("unsubscribe"):
        # RFC 2369 section 3.2 and RFC 8058 section 3.1: one-click unsubscribe by a POST
        email["List-Unsubscribe"] = f"<{msg['unsubscribe']}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(msg["text"], cte="7bit" if msg["text"].isascii() else "quoted-printable")
    return email


def deliver_mail(vault: Vault, mail: MailConfig | None, now: datetime,
                 connect: Connect = connect) -> dict[str, int]:
    """Send every due message over one SMTP session; failures back off (only the error's type
    is kept, never an address)."""
    counts = {"mailed": 0, "mail_failed": 0}
    if mail is None:
        return counts
    due = vault.mail.due(now)
    if not due:
        return counts
    try:
        smtp = connect(mail.smtp)
    except (OSError, smtplib.SMTPException) as exc:
        for item in due:
            vault.mail.failed(item.id, type(exc).__name__, now)
        return {"mailed": 0, "mail_failed": len(due)}
    try:
        for item in due:
            try:
                smtp.send_message(build(item.message, mail, now))
            except (OSError, smtplib.SMTPException) as exc:
                vault.mail.failed(item.id, type(exc).__name__, now)
                counts["mail_failed"] += 1
            else:
                vault.mail.sent(item.id, now)
                counts["mailed"] += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return counts
