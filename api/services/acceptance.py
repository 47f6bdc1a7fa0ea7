"""Two-sided agreements: the person proffers her standard agreements, the vendor answers.

Every agreement made under terms that adopted standard agreements (`SD-BASE`, ...) opens a
record in the IEEE 7012 status "pending response". The vendor fetches the record, signs it as
a JWS (RFC 7515) with its own key, registered as `jwks` or at `jwks_uri` (RFC 7591 section 2),
and posts the signature back; Custos verifies it, countersigns, and only then releases data.
A vendor may instead refuse (the agreement ends) or counter with one other agreement of the
roster (it goes to the person's inbox; if she agrees, the vendor confirms by signing the new
record). The statuses follow docs/agreements.md.

Flask-free: every function takes the vault, the time and the issuer (and, to sign, the
server's signer) as arguments.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from policies.agreements import canonical, duties_of, find
from vault import Vault
from vault.grants import Grant
from vault.negotiations import (
    ACCEPTED,
    CONFIRM,
    COUNTERED,
    EXPIRED,
    OPEN,
    PENDING,
    REFUSED,
    TERMINATED,
    Negotiation,
)

Signer = Callable[[dict, str], str]
#: what a vendor may sign with: asymmetric algorithms only (a shared secret would let Custos
#: forge the vendor's acceptance); "none" is never accepted (RFC 7515 section 10.7 / RFC 8725
#: section 3.1: the recipient MUST choose the algorithms it accepts).
VENDOR_ALGORITHMS = ["ES256", "ES384", "EdDSA", "PS256", "RS256"]
RECORD_TYPE = "myterms-record+jwt"
#: explicit types of what a vendor signs (RFC 8725 section 3.11): one signed message can never
#: be taken for another (an acknowledgement for an acceptance, say)
ACCEPTANCE, ACKNOWLEDGEMENT, USE_REPORT = ("myterms-acceptance+jwt", "myterms-ack+jwt",
                                           "myterms-use+jwt")


class AgreementError(Exception):
    """A vendor's answer that cannot be taken; `status` is the HTTP status to answer with."""

    def __init__(self, description: str, *, status: int = 400, field: str | None = None,
                 error: str = "invalid_request") -> None:
        super().__init__(description)
        self.description, self.status, self.field, self.error = description, status, field, error


def named(ids: list[str]) -> str:
    """"agreement SD-BASE" or "agreements SD-BASE and PDC-INTENT", for messages."""
    if len(ids) == 1:
        return f"agreement {ids[0]}"
    return f"agreements {', '.join(ids[:-1])} and {ids[-1]}"


def text_url(issuer: str, agreement_id: str) -> str:
    """Where an agreement's human text is published (the ODRL form is at `.../odrl`)."""
    return f"{issuer}/standard-agreements/{agreement_id}"


def proffered(vault: Vault, person_id: str, terms_version: int) -> list[str]:
    """The stable ids of the standard agreements adopted in that version of the terms."""
    if not terms_version:
        return []
    stored = vault.agreements.terms.get(person_id, terms_version)
    if stored is None:
        raise LookupError(f"no terms version {terms_version} of this person")
    return canonical(stored.body.get("agreements"))


def not_accepted(metadata: dict, agreements: list[str]) -> list[str]:
    """The proffered agreements a vendor's published list leaves out; none when it published
    no list (it may still accept each one by signing)."""
    published = metadata.get("custos_accepts_agreements")
    if published is None:
        return []
    return [a for a in agreements if a not in canonical(published)]


def build_record(grant: Grant, agreements: list[str], *, issuer: str, subject: str) -> dict:
    """The agreement record both sides sign: what was proffered, with which duties, for what.

    It names the person only by the vendor's pairwise subject; no personal value."""
    return {
        "type": "myterms-agreement", "iss": issuer, "aud": grant.client_id,
        "agreement": grant.id, "sub": subject, "agreements": agreements,
        "texts": {a: text_url(issuer, a) for a in agreements},
        "duties": duties_of(agreements), "purpose": grant.purpose,
        "categories": list(grant.categories), "retention_days": grant.retention_days,
        "third_party_sharing": grant.third_party_sharing,
        "made_at": grant.created_at.isoformat(), "expires_at": grant.expires_at.isoformat(),
    }


def open_negotiation(vault: Vault, grant: Grant, *, issuer: str, subject: str,
                     now: datetime) -> Negotiation | None:
    """Proffer the person's agreements for a new agreement; None when she adopted none, or
    when the agreement is with her own agent (it takes no data away)."""
    agreements = proffered(vault, grant.person_id, grant.terms_version)
    if not agreements or not grant.categories:
        return None
    record = build_record(grant, agreements, issuer=issuer, subject=subject)
    return vault.agreements.negotiations.open(grant.id, grant.person_id, grant.client_id,
                                              record, now)


def _own(vault: Vault, grant_id: str, client_id: str) -> Negotiation:
    found = vault.agreements.negotiations.find(grant_id)
    if found is None or found.client_id != client_id:
        raise AgreementError("There is no such agreement of yours awaiting an answer.",
                             status=404, error="not_found")
    return found


def _waiting(n: Negotiation, *states: str) -> None:
    if n.status not in states:
        raise AgreementError(f"The agreement is {n.status}; nothing to answer.", status=409,
                             error="conflict", field="status")


def _change(vault: Vault, n: Negotiation, now: datetime, expect: tuple[str, ...],
            **changes: Any) -> Negotiation:
    """Change the record if it is still in one of `expect` (checked under the lock)."""
    done = vault.agreements.negotiations.change(n.grant_id, now, expect=expect, **changes)
    if done is None:
        raise AgreementError("The agreement was answered meanwhile; nothing changed.",
                             status=409, error="conflict", field="status")
    return done


def verify_signature(token: object, key_set: dict | None, typ: str) -> dict:
    """The payload of a compact JWS signed with one of the vendor's keys, or an error naming
    why. RFC 7515 section 5.2: the signature MUST validate, else the JWS is rejected."""
    if not isinstance(token, str) or not token or len(token) > 65536:
        raise AgreementError("jws: a compact JWS (RFC 7515 section 7.1) is required",
                             field="jws")
    if not key_set:
        raise AgreementError("The vendor registered no public key (jwks or jwks_uri) to "
                             "verify its signature with.", status=403,
                             error="invalid_signature", field="jws")
    try:
        keys = KeySet.import_key_set(cast(Any, key_set))
        obj = jws.deserialize_compact(token, keys, algorithms=VENDOR_ALGORITHMS)
        payload = json.loads(obj.payload)
        kind = obj.headers().get("typ")
    except (JoseError, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise AgreementError("jws: the signature does not verify with the vendor's "
                             "registered keys", status=403, error="invalid_signature",
                             field="jws") from None
    if kind != typ:
        raise AgreementError(f"jws: the header's typ must be {typ!r} for this message",
                             status=403, error="invalid_signature", field="jws")
    if not isinstance(payload, dict):
        raise AgreementError("jws: the signed payload must be a JSON object", field="jws")
    return payload


def accept(vault: Vault, grant_id: str, client_id: str, token: object, key_set: dict | None,
           *, now: datetime, sign: Signer) -> Negotiation:
    """Verify the vendor's signature over the record and countersign: the agreement is
    accepted and data may flow. A payload other than the record itself is refused."""
    n = _own(vault, grant_id, client_id)
    _waiting(n, PENDING, CONFIRM)
    payload = verify_signature(token, key_set, ACCEPTANCE)
    if payload != n.record:
        raise AgreementError("jws: the signed payload is not this agreement's record; sign "
                             "the record exactly as served", status=403,
                             error="invalid_signature", field="jws")
    countersigned = sign({"record": n.record, "status": ACCEPTED, "acceptance": token,
                          "accepted_at": now.isoformat()}, RECORD_TYPE)
    return _change(vault, n, now, (PENDING, CONFIRM), status=ACCEPTED, vendor_jws=token,
                   custos_jws=countersigned)


def refuse(vault: Vault, grant_id: str, client_id: str, *, now: datetime) -> Negotiation:
    """The vendor does not accept: the record says so (the caller ends the agreement)."""
    n = _own(vault, grant_id, client_id)
    _waiting(n, *OPEN)
    return _change(vault, n, now, OPEN, status=REFUSED)


def counter(vault: Vault, grant_id: str, client_id: str, alternative: object, *,
            now: datetime) -> Negotiation:
    """The vendor proposes one other roster agreement instead; it waits for the person."""
    n = _own(vault, grant_id, client_id)
    _waiting(n, PENDING)
    found = find(alternative)
    if found is None:
        raise AgreementError("agreement: not an agreement of the roster "
                             "(GET /standard-agreements)", field="agreement")
    if [found.id] == n.record["agreements"]:
        raise AgreementError("agreement: that is the agreement proffered; accept it instead",
                             field="agreement")
    return _change(vault, n, now, (PENDING,), status=COUNTERED, counter=found.id)


def answer_counter(vault: Vault, grant_id: str, person_id: str, agree: bool, *,
                   now: datetime) -> Negotiation:
    """The person takes the vendor's counter-offer (the vendor must then confirm by signing
    the new record) or declines it (refused)."""
    n = vault.agreements.negotiations.find(grant_id)
    if n is None or n.person_id != person_id or n.status != COUNTERED or not n.counter:
        raise AgreementError("There is no counter-offer waiting for you here.", status=404,
                             error="not_found")
    if not agree:
        return _change(vault, n, now, (COUNTERED,), status=REFUSED)
    agreements = [n.counter]
    issuer = n.record["iss"]
    record = {**n.record, "agreements": agreements,
              "texts": {a: text_url(issuer, a) for a in agreements},
              "duties": duties_of(agreements)}
    return _change(vault, n, now, (COUNTERED,), status=CONFIRM, record=record)


def close(vault: Vault, grant_id: str, reason: str, *, now: datetime) -> Negotiation | None:
    """The agreement ended: its record says expired or terminated (a refusal stays one)."""
    n = vault.agreements.negotiations.find(grant_id)
    if n is None or n.status in (REFUSED, EXPIRED, TERMINATED):
        return n
    status = EXPIRED if reason == "expired" else TERMINATED
    return vault.agreements.negotiations.change(grant_id, now, status=status,
                                                expect=(*OPEN, ACCEPTED))


def vendor_record(vault: Vault, grant_id: str, client_id: str) -> Negotiation | None:
    """The vendor's own agreement's record; None for anyone else's or one without."""
    found = vault.agreements.negotiations.find(grant_id)
    return found if found is not None and found.client_id == client_id else None


def negotiation_of(vault: Vault, grant_id: str) -> Negotiation | None:
    """The agreement's two-sided record, if its terms proffered standard agreements."""
    return vault.agreements.negotiations.find(grant_id)


def countered(vault: Vault, person_id: str) -> list[Negotiation]:
    """The person's agreements a vendor answered with a counter-offer she has to answer."""
    return [n for n in vault.agreements.negotiations.for_person(person_id)
            if n.status == COUNTERED and n.counter]


def view(n: Negotiation) -> dict[str, Any]:
    """The signed record as both sides get it (the person's export holds the same members)."""
    return {"status": n.status, "record": n.record, "vendor_jws": n.vendor_jws,
            "custos_jws": n.custos_jws, "counter": n.counter}
