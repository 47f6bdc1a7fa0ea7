"""Agent mandates: what a person lets her agent (the butler, or any client) do for her.

One owner for the concept. Each mandate is a scope value (`mandate:<name>`) the agent asks for
and the person grants one by one on the consent screen; the agreement keeps the granted ones in
`extra["mandates"]`, and a token carries only those it was issued with (api/oauth/scopes.py).
No mandate lets an agent make any vendor get more than the person's terms already allow:
answering is bounded by the current terms (person_actions.decide_request), and a terms change
that permits more waits for the person (services/proposals.py).

Every action also has an actor, written into the log, the agreement and the receipt:
`person`, `agent:<client_id>`, `terms` (the terms decided automatically) or `operator`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from vault import Vault
from vault.grants import Grant
from vault.mandate_events import AgentChangedAccess

from ..i18n import N_
from .errors import CustosError
from .mail import MailConfig, notify_person

PREFIX = "mandate:"
OFFERS, ANSWER, TERMS_READ, TERMS_PROPOSE = "offers", "answer", "terms_read", "terms_propose"
LOG, INTENTS, DATA = "log", "intents", "data"

# The words the person reads on the consent screen and on Connections, in this order.
WORDS: dict[str, str] = {
    OFFERS: N_("read the offers you receive and sort them (deliver or filter)"),
    ANSWER: N_("answer waiting requests, but only as your terms already say; see and end "
            "your agreements"),
    TERMS_READ: N_("read your terms"),
    TERMS_PROPOSE: N_("propose changes to your terms: a change that only restricts applies at "
                   "once, anything that lets vendors get more waits for you in the inbox"),
    LOG: N_("read your log"),
    INTENTS: N_("read and manage your intents"),
    DATA: N_("read and change your data"),
}

PERSON, TERMS, OPERATOR = "person", "terms", "operator"
AGENT = "agent:"


class OutsideMandate(CustosError):
    """The agent holds the mandate but this action goes beyond it (403, names the field)."""

    status_code, error = 403, "outside_mandate"
    description = "An agent may not do this for the person."


def scope(name: str) -> str:
    """The scope value of one mandate."""
    return PREFIX + name


def all_scopes() -> list[str]:
    """Every mandate scope, for `scopes_supported` and the butler."""
    return [scope(n) for n in WORDS]


def parse(item: str) -> str | None:
    """The mandate a scope value names; None if it is not a mandate; ValueError if unknown."""
    if not item.startswith(PREFIX):
        return None
    name = item.removeprefix(PREFIX)
    if name not in WORDS:
        raise ValueError(item)
    return name


def of(grant: Grant | None) -> tuple[str, ...]:
    """The mandates an agreement (as a token carries it) grants, in the canonical order."""
    granted = set(grant.extra.get("mandates") or ()) if grant is not None else set()
    return tuple(n for n in WORDS if n in granted)


def is_agent(grant: Grant) -> bool:
    """An agreement made for an agent to act for the person (with or without data).
    `person` marks agreements made before mandates: still agents, with no mandate left."""
    return bool(grant.extra.get("mandates") or grant.extra.get("person"))


def ordered(names: Iterable[str]) -> tuple[str, ...]:
    chosen = set(names)
    return tuple(n for n in WORDS if n in chosen)


def agent(client_id: str) -> str:
    """The actor of an agent's action."""
    return AGENT + client_id


def agent_of(actor: str | None) -> str | None:
    """The client id of an agent actor, else None."""
    return actor.removeprefix(AGENT) if actor and actor.startswith(AGENT) else None


def actor_words(actor: str | None, name_of: Callable[[str], str | None]) -> str | None:
    """Who did it, in plain words ("your agent Butler"); None when the entry does not say."""
    if not actor:
        return None
    if client_id := agent_of(actor):
        return f"your agent {name_of(client_id) or client_id}"
    return {PERSON: "you", TERMS: "your terms, automatically",
            OPERATOR: "the operator"}.get(actor, actor)


def alert(vault: Vault, person_id: str, event: AgentChangedAccess, now: datetime, *,
          mail: MailConfig | None) -> None:
    """Her agent changed what vendors may get: the alert (Home, log) and, as she chose, the
    `agent_changed` email (services/mail.py), both in the caller's transaction. The one
    place either happens (person_actions and person_data call it; proposals through
    person_actions.replace_terms)."""
    vault.record(person_id, event, now)
    notify_person(vault, person_id, "agent_changed", now, mail=mail)
