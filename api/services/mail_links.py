"""The emailed links: verify the address, reset the password, unsubscribe; and the notices
sent when the password or the address changes. Flask-free (vault, now, MailConfig passed in).

Verify and reset links are single-use tokens kept hashed (vault/links.py). An unsubscribe
link needs no sign-in and no state: it carries the person and one kind of email, with an HMAC
under a server key (vault/mail.py) checked in constant time, so it unsubscribes from that kind
only and cannot be made for anyone else.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from datetime import datetime, timedelta

from vault import Vault
from vault.events import EmailVerified

from .mail import KINDS, MailConfig, choices, message, set_choices

RESET_LIFETIME = timedelta(minutes=30)
VERIFY_LIFETIME = timedelta(days=3)
UNSUBSCRIBABLE = (*KINDS, "digest")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsubscribe_url(vault: Vault, mail: MailConfig, person_id: str, kind: str,
                    now: datetime) -> str:
    mac = vault.mail.unsubscribe_mac(person_id, kind, now)
    return mail.url(f"/unsubscribe/{_b64(f'{person_id}|{kind}'.encode())}.{_b64(mac)}")


def read_unsubscribe(vault: Vault, token: str, now: datetime) -> tuple[str, str] | None:
    """(person, kind) of a genuine unsubscribe token, else None."""
    body, _, mac = token.partition(".")
    try:
        person_id, _, kind = _unb64(body).decode().partition("|")
        given = _unb64(mac)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if kind not in UNSUBSCRIBABLE or not person_id:
        return None
    expected = vault.mail.unsubscribe_mac(person_id, kind, now)
    if not hmac.compare_digest(expected, given):  # constant time
        return None
    return person_id, kind


def unsubscribe(vault: Vault, person_id: str, kind: str, now: datetime) -> None:
    """Turn one kind off; the digest's link turns every kind off."""
    chosen = choices(vault, person_id)
    if kind == "digest":
        chosen.update(dict.fromkeys(KINDS, False))
    else:
        chosen[kind] = False
    set_choices(vault, person_id, chosen, now, via="by an email's unsubscribe link")


def send_verification(vault: Vault, mail: MailConfig | None, person_id: str,
                      now: datetime) -> bool:
    """Email a link that proves the person reads her address; False when email is off."""
    if mail is None:
        return False
    with vault.transaction("write"):
        token = vault.links.issue(person_id, "verify", now, VERIFY_LIFETIME)
        vault.mail.queue(person_id, message(
            vault.get_person(person_id).email, "Confirm your email address for Custos",
            ["Open this link to confirm that this address is yours:", mail.url(f"/verify/{token}"),
             "The link works for 3 days. If you did not create a vault, ignore this email."],
            mail), now)
    return True


def verify(vault: Vault, token: str, now: datetime) -> str | None:
    """Spend a verify link: the person, or None when it is unknown, used or expired."""
    with vault.transaction("write"):
        person_id = vault.links.spend(token, "verify", now)
        if person_id is not None:
            vault.links.set_verified(person_id, now)
            vault.record(person_id, EmailVerified(), now)
    return person_id


def send_reset(vault: Vault, mail: MailConfig | None, email: str, now: datetime) -> None:
    """Email a reset link when an account has this address; nothing otherwise. The caller
    answers the same either way (no account enumeration)."""
    if mail is None:
        return
    person = vault.find_person_by_email(email, now)
    if person is None:
        return
    with vault.transaction("write"):
        token = vault.links.issue(person.id, "reset", now, RESET_LIFETIME)
        vault.mail.queue(person.id, message(
            person.email, "Reset your Custos password",
            ["Someone asked to reset the password of your vault. If it was you, open this link "
             "to choose a new password:", mail.url(f"/reset/{token}"),
             "The link works once, for 30 minutes. If it was not you, ignore this email: your "
             "password stays as it is."], mail), now)


def reset_password(vault: Vault, mail: MailConfig | None, token: str, password_hash: str,
                   now: datetime) -> str | None:
    """Spend a reset link: new password, every session ended, a notice; None if the link is
    unknown, used or expired. One transaction: no half-done reset."""
    with vault.transaction("write"):
        person_id = vault.links.spend(token, "reset", now)
        if person_id is None:
            return None
        vault.set_password_hash(person_id, password_hash, now)
        vault.end_all_sessions(person_id, now)
        notice(vault, mail, person_id, "password", now)
    return person_id


NOTICES = {
    "password": ("Your Custos password was changed",
                 "The password of your vault was just changed, and every device was signed "
                 "out."),
    "email": ("The email address of your Custos vault was changed",
              "The email address of your vault was just changed to another one. From now on "
              "we write there, not here."),
}


def notice(vault: Vault, mail: MailConfig | None, person_id: str, what: str, now: datetime,
           to: str | None = None) -> None:
    """Tell the person the password or the address changed (to the old address for the
    latter), so a stranger's change does not go unnoticed."""
    if mail is None:
        return
    subject, line = NOTICES[what]
    vault.mail.queue(person_id, message(
        to or vault.get_person(person_id).email, subject,
        [line, "If it was not you, reset your password now:", mail.url("/reset")], mail), now)


def prune_links(vault: Vault, now: datetime) -> None:
    """Used and expired links are kept no longer than needed (the jobs call this)."""
    vault.links.prune(now)


def is_verified(vault: Vault, person_id: str) -> bool:
    """Whether the person confirmed her address (notifications go only to a confirmed one)."""
    return vault.links.verified_at(person_id) is not None


def link_alive(vault: Vault, token: str, purpose: str, now: datetime) -> bool:
    """Whether an emailed link of this purpose still works (unused, unexpired, the newest);
    looking changes nothing (the page shows a button, POST acts)."""
    return vault.links.person_for(token, purpose, now) is not None


def change_email(vault: Vault, mail: MailConfig | None, person_id: str, email: str,
                 now: datetime, *, old: str) -> None:
    """One transaction: the new address (unconfirmed), older verify links void, the OLD
    address told. Raises vault.errors.EmailTaken when another vault uses it."""
    with vault.transaction("write"):
        vault.set_email(person_id, email, now)
        vault.links.void(person_id, "verify", now)
        notice(vault, mail, person_id, "email", now, to=old)
