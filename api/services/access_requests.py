"""A vendor asks for data outside a browser (`POST /api/v1/requests`): the person's terms
answer at once (approved: the agreement is made; denied), or it waits in the person's inbox.

The vendor names the person by the pairwise subject it was given, which only finds persons it
has had agreements with; the decision is logged with its reasons either way.
"""

from __future__ import annotations

from datetime import datetime

from policies import Effect
from vault import Vault
from vault.agreement_events import DecisionMade
from vault.clients import Client
from vault.requests import APPROVED, DENIED, PENDING, AccessRequest

from . import acceptance, judge, mandates
from .agreements import make_agreement
from .details import DataAccess
from .errors import CustosError, NotFound
from .mail import MailConfig, notify_person
from .ownership import vendors_own
from .subject import person_for_subject


def known_persons(vault: Vault, client_id: str) -> list[str]:
    """Persons this vendor may know a subject of: those it has had agreements with."""
    grants = vault.agreements.grants.for_client(client_id)
    return list(dict.fromkeys(g.person_id for g in grants))


def submit(vault: Vault, client: Client, subject: str, access: DataAccess, *, now: datetime,
           issuer: str, mail: MailConfig | None = None) -> tuple[AccessRequest, list[str]]:
    """Judge the request by the person's current terms and store it with its answer; with
    the ids of the standard agreements the person proffers (docs/agreements.md). A vendor
    that published what it accepts and does not accept one of them is refused (403
    `agreement_refused`, naming them) before anything is judged. One that waits tells the
    person (`notify_person`, in the request's transaction)."""
    person_id = person_for_subject(vault, subject, client.client_id,
                                   known_persons(vault, client.client_id), now)
    if person_id is None:
        raise NotFound("No person with this subject has dealt with you.")
    compiled = judge.current_terms(vault, person_id)
    proffered = acceptance.proffered(vault, person_id, compiled.version)
    missing = acceptance.not_accepted(client.metadata, proffered)
    if missing:
        refused = CustosError(f"You do not accept the person's {acceptance.named(missing)}, "
                              "proffered to every vendor.",
                              fields={"agreements": missing})
        refused.status_code, refused.error = 403, "agreement_refused"
        raise refused
    decision = judge.judge(compiled, judge.vendor_of(client.client_id, client.metadata),
                           access, now)
    vault.record(person_id, DecisionMade(
        client_id=client.client_id, purpose=access.purpose,
        categories=list(access.categories), effect=decision.effect.value, context="request",
        terms_version=decision.terms_version, reasons=judge.reasons_for_person(decision)), now)
    status = {Effect.PERMIT: APPROVED, Effect.DENY: DENIED}.get(decision.effect, PENDING)
    grant = None
    if status == APPROVED:
        grant = make_agreement(vault, person_id, client.client_id, access,
                               decided_by="terms", terms_version=compiled.version,
                               actor=mandates.TERMS, now=now, issuer=issuer)
    stored = {"access": access.as_detail(), "reasons": judge.reasons_for_person(decision),
              "purpose": access.purpose, "categories": list(access.categories),
              "terms_version": compiled.version}
    with vault.transaction("write"):
        req = vault.agreements.requests.submit(person_id, client.client_id, stored, status,
                                               now, grant.id if grant else None)
        if status == PENDING:
            notify_person(vault, person_id, "request_waiting", now, mail=mail)
    return req, proffered


def vendor_request(vault: Vault, client_id: str, request_id: str) -> AccessRequest:
    """The vendor's own request."""
    req: AccessRequest = vendors_own(vault.agreements.requests.get, request_id, client_id,
                                     "request")
    return req


def proffered_to(vault: Vault, client: Client, subject: str, *, now: datetime) -> list[str]:
    """Pre-flight: which agreements a person the vendor already knows (by its pairwise
    subject) proffers under her current terms; NotFound for anyone else."""
    person_id = person_for_subject(vault, subject, client.client_id,
                                   known_persons(vault, client.client_id), now)
    if person_id is None:
        raise NotFound("No person with this subject has dealt with you.")
    version = vault.agreements.terms.current_version(person_id)
    return acceptance.proffered(vault, person_id, version)
