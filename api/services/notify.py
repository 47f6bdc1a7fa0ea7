"""Notices to vendors when an agreement ends: a signed POST to the registered URL.

`queue_end_notice` writes the notice to the outbox inside the transaction that ends the
agreement; `deliver_due(now)` sends what is due and reschedules failures with backoff. The
server calls it periodically; the CLI can call it too (`custos outbox deliver`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import requests

from common.loopback import is_loopback_url
from vault.duties import DELETE, PORTABILITY
from vault.grants import Grant

from ..clock import now
from ..oauth.server import configured_issuer, issuer
from ..store import get_settings, get_vault
from . import duties
from .signing import sign
from .subject import pairwise_subject
from .targets import delivery_problem

MEDIA_TYPE = "application/jose"
Post = Callable[..., object]


def _queue(grant: Grant, notice: dict, answer: str | None) -> str | None:
    """Sign and queue one notice to the vendor's URL; with `answer`, it carries an id and the
    URL of its acknowledgement, and a duty waits for that signed answer."""
    vault = get_vault()
    url = vault.agreements.clients.get(grant.client_id).metadata.get("custos_notification_uri")
    if not url:
        return None
    duty_id = vault.agreements.duties.new_id()
    notice = {"jti": duty_id, "iss": issuer(), "aud": grant.client_id,
              "iat": int(now().timestamp()), "agreement": grant.id,
              "sub": pairwise_subject(grant.person_id, grant.client_id), **notice}
    if answer:
        notice["acknowledge"] = f"{issuer()}/api/v1/notices/{duty_id}/acknowledgement"
    signed = sign(notice, "notice+jwt")
    if answer:
        duties.record_notice(vault, duty_id, grant, answer, signed, now=now(),
                             ack_days=get_settings().duty_ack_days)
    return vault.agreements.outbox.add(grant.client_id, url, signed, now())


def queue_end_notice(grant: Grant) -> str | None:
    """Queue the signed "agreement ended, delete the data" notice; None without a URL. A
    vendor that signed the agreement owes a signed answer (api/services/duties.py)."""
    return _queue(grant, {
        "type": "agreement_ended", "reason": grant.status, "duty": "delete",
        "categories": list(grant.categories),
        "ended_at": grant.ended_at.isoformat() if grant.ended_at else None,
    }, duties.expects_answer(get_vault(), grant))


def queue_deletion_request(grant: Grant) -> str | None:
    """Queue the person's signed request to delete what the vendor holds (the
    `delete-on-request` duty); the agreement goes on, the vendor confirms with its signature."""
    return _queue(grant, {"type": "deletion_requested", "duty": "delete",
                          "categories": list(grant.categories)}, DELETE)


def queue_portability_request(grant: Grant) -> str | None:
    """Queue the person's signed request for her data back (the `portability` duty); the
    vendor answers with the data inside its signed acknowledgement."""
    return _queue(grant, {"type": "portability_requested", "duty": "portability",
                          "categories": list(grant.categories)}, PORTABILITY)


def deliver_due(at: datetime | None = None, post: Post | None = None) -> dict[str, int]:
    """Send every due notice once; a 2xx answer is the vendor's acknowledgement."""
    at = at or now()
    post = post or requests.post
    outbox = get_vault().agreements.outbox
    counts = {"delivered": 0, "failed": 0}
    # Loopback targets only while the configured issuer is itself on loopback (SSRF).
    allow_loopback = is_loopback_url(configured_issuer() or "")
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
