"""Notices to vendors when an agreement ends: a signed POST to the registered URL.

`queue_end_notice` writes the notice to the outbox inside the transaction that ends the
agreement; `deliver_due(vault, at, issuer=...)` sends what is due and reschedules failures with
backoff. The server's jobs call it periodically (api/jobs.py), with the configured issuer only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import requests

from common.loopback import is_loopback_url
from vault import Vault
from vault.duties import DELETE, PORTABILITY
from vault.grants import Grant

from . import duties
from .signing import sign
from .subject import pairwise_subject
from .targets import delivery_problem

MEDIA_TYPE = "application/jose"
Post = Callable[..., object]


def _queue(vault: Vault, grant: Grant, notice: dict, answer: str | None, *, now: datetime,
           issuer: str, ack_days: int) -> str | None:
    """Sign and queue one notice to the vendor's URL; with `answer`, it carries an id and the
    URL of its acknowledgement, and a duty waits for that signed answer (due in `ack_days`)."""
    url = vault.agreements.clients.get(grant.client_id).metadata.get("custos_notification_uri")
    if not url:
        return None
    duty_id = vault.agreements.duties.new_id()
    notice = {"jti": duty_id, "iss": issuer, "aud": grant.client_id,
              "iat": int(now.timestamp()), "agreement": grant.id,
              "sub": pairwise_subject(vault, grant.person_id, grant.client_id, now), **notice}
    if answer:
        notice["acknowledge"] = f"{issuer}/api/v1/notices/{duty_id}/acknowledgement"
    signed = sign(vault, notice, now, "notice+jwt")
    if answer:
        duties.record_notice(vault, duty_id, grant, answer, signed, now=now, ack_days=ack_days)
    return vault.agreements.outbox.add(grant.client_id, url, signed, now)


def queue_end_notice(vault: Vault, grant: Grant, *, now: datetime, issuer: str,
                     ack_days: int = duties.DEFAULT_ACK_DAYS) -> str | None:
    """Queue the signed "agreement ended, delete the data" notice; None without a URL. A
    vendor that signed the agreement owes a signed answer (api/services/duties.py)."""
    return _queue(vault, grant, {
        "type": "agreement_ended", "reason": grant.status, "duty": "delete",
        "categories": list(grant.categories),
        "ended_at": grant.ended_at.isoformat() if grant.ended_at else None,
    }, duties.expects_answer(vault, grant), now=now, issuer=issuer, ack_days=ack_days)


def queue_deletion_request(vault: Vault, grant: Grant, *, now: datetime, issuer: str,
                           ack_days: int = duties.DEFAULT_ACK_DAYS) -> str | None:
    """Queue the person's signed request to delete what the vendor holds (the
    `delete-on-request` duty); the agreement goes on, the vendor confirms with its signature."""
    return _queue(vault, grant, {"type": "deletion_requested", "duty": "delete",
                                 "categories": list(grant.categories)}, DELETE,
                  now=now, issuer=issuer, ack_days=ack_days)


def queue_portability_request(vault: Vault, grant: Grant, *, now: datetime, issuer: str,
                              ack_days: int = duties.DEFAULT_ACK_DAYS) -> str | None:
    """Queue the person's signed request for her data back (the `portability` duty); the
    vendor answers with the data inside its signed acknowledgement."""
    return _queue(vault, grant, {"type": "portability_requested", "duty": "portability",
                                 "categories": list(grant.categories)}, PORTABILITY,
                  now=now, issuer=issuer, ack_days=ack_days)


def deliver_due(vault: Vault, at: datetime, *, issuer: str | None,
                post: Post | None = None) -> dict[str, int]:
    """Send every due notice once; a 2xx answer is the vendor's acknowledgement. `issuer` is
    the configured one (CUSTOS_ISSUER), never one learned from a request."""
    post = post or requests.post
    outbox = vault.agreements.outbox
    counts = {"delivered": 0, "failed": 0}
    # Loopback targets only while the configured issuer is itself on loopback (SSRF).
    allow_loopback = is_loopback_url(issuer or "")
    for notice in outbox.due(at):
        refused = delivery_problem(notice.url, allow_loopback)
        if refused:  # never a request into the server's own network (SSRF)
            outbox.failed(notice.id, f"refused: {refused}", at)
            counts["failed"] += 1
            continue
        try:
            response = post(notice.url, data=notice.body, timeout=5,
                            headers={"Content-Type": MEDIA_TYPE})
            ok = 200 <= getattr(response, "status_code", 0) < 300
            error = f"HTTP {getattr(response, 'status_code', '?')}"
        except requests.RequestException as exc:
            ok, error = False, type(exc).__name__
        if ok:
            outbox.delivered(notice.id, at)
            counts["delivered"] += 1
        else:
            outbox.failed(notice.id, error, at)
            counts["failed"] += 1
    return counts
