"""Duties with follow-through: what a vendor that signed the person's agreement owes her, and
what it says it did (docs/agreements.md).

- A notice that asks something (the agreement ended: delete; `delete-on-request`) carries an
  id (`jti`); the vendor answers it with an acknowledgement signed with its own key. Unanswered
  past the configured delay, it is overdue: the person's pages and Home say so.
- Under an accepted agreement, the vendor may report a use (purpose, processor, time) signed
  with its key; it lands in the person's log as the vendor's statement, not Custos's record.
- The compliance record puts both together per vendor.
- When an answer becomes overdue, the person hears of it once (`ack_overdue`, sent by the
  jobs as she chose: an email, an item of the digest, or nothing).

Flask-free: the vault, the time and the vendor's keys are arguments.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from vault import Vault
from vault.agreement_events import UseReported
from vault.duties import DELETE, ENDED, PORTABILITY, Duty
from vault.errors import NotFound
from vault.grants import Grant
from vault.negotiations import ACCEPTED, EXPIRED, TERMINATED

from .acceptance import ACKNOWLEDGEMENT, USE_REPORT, AgreementError, verify_signature
from .mail import MailConfig, notify_person

MAX_TEXT = 200
#: days a vendor has to answer a notice unless CUSTOS_DUTY_ACK_DAYS says otherwise
DEFAULT_ACK_DAYS = 30


def expects_answer(vault: Vault, grant: Grant) -> str | None:
    """The kind of duty an ending notice opens: only a vendor that signed the agreement owes
    a signed answer; `delete` when the agreement carried the delete-on-request duty."""
    n = vault.agreements.negotiations.find(grant.id)
    if n is None or n.vendor_jws is None:
        return None
    return DELETE if "delete-on-request" in n.record.get("duties", []) else ENDED


def record_notice(vault: Vault, duty_id: str, grant: Grant, kind: str, notice: str, *,
                  now: datetime, ack_days: int) -> Duty:
    """Keep the signed notice and when its answer is due."""
    return vault.agreements.duties.add(duty_id, grant.id, grant.person_id, grant.client_id,
                                       kind, notice, now, now + timedelta(days=ack_days))


def acknowledge(vault: Vault, duty_id: str, client_id: str, token: object,
                key_set: dict | None, *, now: datetime) -> Duty:
    """Verify the vendor's signed acknowledgement of one notice and keep it."""
    try:
        duty = vault.agreements.duties.get(duty_id)
    except NotFound:
        duty = None
    if duty is None or duty.client_id != client_id:
        raise AgreementError("There is no such notice to you.", status=404, error="not_found")
    payload = verify_signature(token, key_set, ACKNOWLEDGEMENT)
    if payload.get("notice") != duty_id or payload.get("agreement") != duty.grant_id:
        raise AgreementError("jws: the signed acknowledgement must name this notice "
                             "(`notice`) and its agreement (`agreement`)", status=403,
                             error="invalid_signature", field="jws")
    if duty.kind == PORTABILITY and not isinstance(payload.get("data"), dict | list):
        raise AgreementError("jws: the answer to a portability request carries the person's "
                             "data as `data` (a JSON object or array)", field="jws")
    return vault.agreements.duties.acknowledge(duty_id, str(token), now)  # verified: a str


def owes(vault: Vault, grant: Grant, duty: str) -> bool:
    """The vendor signed an agreement with this duty (`portability`: SD-BASE-DP,
    `delete-on-request`), and it is in force."""
    n = vault.agreements.negotiations.find(grant.id)
    return n is not None and n.status == ACCEPTED and duty in n.record["duties"]


def returned_data(vault: Vault, person_id: str, duty_id: str) -> Any:
    """What the vendor gave back for a portability request (from its signed answer), or
    None when there is no such answered request of this person."""
    try:
        duty = vault.agreements.duties.get(duty_id)
    except NotFound:
        return None
    if duty.person_id != person_id or duty.kind != PORTABILITY or duty.ack is None:
        return None
    body = duty.ack.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["data"]


def _text(payload: dict, name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT \
            or any(ord(c) < 32 for c in value):
        raise AgreementError(f"jws: `{name}` must be text of 1 to {MAX_TEXT} characters",
                             field="jws")
    return value


def report_use(vault: Vault, grant_id: str, client_id: str, token: object,
               key_set: dict | None, *, now: datetime) -> UseReported:
    """The vendor's signed use report, into the person's log marked as its statement."""
    n = vault.agreements.negotiations.find(grant_id)
    if n is None or n.client_id != client_id:
        raise AgreementError("There is no such agreement of yours.", status=404,
                             error="not_found")
    if n.status not in (ACCEPTED, EXPIRED, TERMINATED):
        raise AgreementError("Report uses under an agreement you have accepted.", status=409,
                             error="conflict", field="status")
    payload = verify_signature(token, key_set, USE_REPORT)
    if payload.get("agreement") != grant_id:
        raise AgreementError("jws: `agreement` must be this agreement's id", status=403,
                             error="invalid_signature", field="jws")
    used_at = _text(payload, "used_at")
    try:
        datetime.fromisoformat(used_at)
    except ValueError:
        raise AgreementError("jws: `used_at` must be an ISO 8601 time", field="jws") from None
    event = UseReported(grant_id=grant_id, client_id=client_id,
                        purpose=_text(payload, "purpose"), processor=_text(payload, "processor"),
                        used_at=used_at, statement_by="vendor", jws=token)  # type: ignore[arg-type]
    vault.record(n.person_id, event, now)
    return event


def overdue_count(vault: Vault, person_id: str, now: datetime) -> int:
    """How many of the vendors' answers are past due (Home's flag)."""
    return vault.agreements.duties.overdue_count(person_id, now)


def tell_overdue(vault: Vault, now: datetime, *, mail: MailConfig | None) -> int:
    """The jobs: each person with notices newly overdue hears of them in one `ack_overdue`
    notification (her choices and digest honoured), and never again of the same notices;
    an answer that came in time never becomes overdue. Returns how many were notified.
    With email off nothing is marked, so nothing is lost until it is configured."""
    if mail is None:
        return 0
    told = 0
    for person_id, duty_ids in vault.agreements.duties.overdue_untold(now).items():
        with vault.transaction("write"):  # marked exactly when the notification is queued
            if vault.agreements.duties.mark_told(duty_ids, now) \
                    and notify_person(vault, person_id, "ack_overdue", now, mail=mail):
                told += 1
    return told


def compliance(vault: Vault, person_id: str, now: datetime) -> dict[str, dict[str, Any]]:
    """Per vendor: agreements accepted, notices sent, acknowledged, overdue (with dates),
    deletions confirmed, and the vendor's use reports."""
    out: dict[str, dict[str, Any]] = {}

    def entry(client_id: str) -> dict[str, Any]:
        return out.setdefault(client_id, {"accepted": [], "notices": [], "overdue": 0,
                                          "deletions": 0, "deletions_confirmed": 0,
                                          "uses": []})

    for n in vault.agreements.negotiations.for_person(person_id):
        if n.vendor_jws:
            entry(n.client_id)["accepted"].append(
                {"grant_id": n.grant_id, "agreements": n.record["agreements"],
                 "status": n.status})
    for d in vault.agreements.duties.for_person(person_id):
        row = entry(d.client_id)
        row["notices"].append({"id": d.id, "kind": d.kind, "sent_at": d.sent_at,
                               "due_at": d.due_at, "acknowledged_at": d.acknowledged_at,
                               "overdue": d.overdue(now)})
        row["overdue"] += d.overdue(now)
        if d.kind != PORTABILITY:
            row["deletions"] += 1
            row["deletions_confirmed"] += d.acknowledged_at is not None
    for e in vault.list_events(person_id, kinds=["use_reported"]):
        entry(e.payload["client_id"])["uses"].append(e.payload | {"logged_at": e.at})
    return out
