"""Every reason code Custos gives, in one registry: stable machine names, never renamed, only added.

A reason is a code a machine matches on and a sentence a person reads. The policy engine gives
the `rule.*`, `default.*` and `frequency.*` codes, the offer filter the `offer.*` ones; the
server and the butler give the few that come from outside the engine (an agreement that has
ended, the person overriding the butler, an item the butler leaves to the person). docs/policies.md
lists them all, and a test finds any code used in the source that is not here.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import Effect

# the policy engine (policies.evaluate)
RULE_PERMIT = "rule.permit"
RULE_DENY = "rule.deny"
RULE_ASK = "rule.ask"
FREQUENCY_EXCEEDED = "frequency.exceeded"
DEFAULT = {Effect.PERMIT: "default.permit", Effect.DENY: "default.deny", Effect.ASK: "default.ask"}
DEFAULT_NO_WRITE = "default.no_write"
DEFAULT_NO_PASS_ON = "default.no_pass_on"
RULE = {Effect.PERMIT: RULE_PERMIT, Effect.DENY: RULE_DENY, Effect.ASK: RULE_ASK}

# the offer filter (policies.offers)
OFFER_DELIVERED = "offer.delivered"
OFFER_BLOCKED = "offer.blocked_vendor"
OFFER_NO_INTENT = "offer.no_intent"
OFFER_EXPIRED = "offer.expired"
OFFER_INTENT_ENDED = "offer.intent_ended"
OFFER_CATEGORY = "offer.category_mismatch"
OFFER_BUDGET = "offer.over_budget"
OFFER_CURRENCY = "offer.currency_mismatch"
OFFER_CERTIFICATION = "offer.missing_certification"
OFFER_TOO_MANY = "offer.too_many"

# the butler, from the vendor's public document (clients/butler/accepts.py)
OFFER_AGREEMENTS_NOT_ACCEPTED = "offer.agreements_not_accepted"

# outside the engine: the server and the butler
AGREEMENT_ENDED = "agreement.ended"
AGREEMENT_NOT_ACCEPTED = "agreement.not_accepted"
OFFER_PERSON_OVERRIDE = "offer.person_override"
BUTLER_CANNOT_JUDGE = "butler.cannot_judge"

DECISION_CODES = (RULE_PERMIT, RULE_DENY, RULE_ASK, FREQUENCY_EXCEEDED, *DEFAULT.values(),
                  DEFAULT_NO_WRITE, DEFAULT_NO_PASS_ON)
OFFER_CODES = (OFFER_DELIVERED, OFFER_BLOCKED, OFFER_EXPIRED, OFFER_NO_INTENT, OFFER_INTENT_ENDED,
               OFFER_CATEGORY, OFFER_BUDGET, OFFER_CURRENCY, OFFER_CERTIFICATION, OFFER_TOO_MANY)

CODES: Mapping[str, str] = {
    AGREEMENT_NOT_ACCEPTED: "the vendor has not accepted, with its signature, the standard "
    "agreement(s) the person proffered",
    RULE_PERMIT: "one of the person's rules allows it",
    RULE_DENY: "one of the person's rules refuses it",
    RULE_ASK: "one of the person's rules says to ask them",
    FREQUENCY_EXCEEDED: "a rule's limit of accesses per period is used up",
    DEFAULT[Effect.PERMIT]: "no rule covers it; the terms' default allows it",
    DEFAULT[Effect.DENY]: "no rule covers it; the terms' default refuses it",
    DEFAULT[Effect.ASK]: "no rule covers it; the terms' default asks the person",
    DEFAULT_NO_WRITE: "no rule lets this vendor add records to the person's data",
    DEFAULT_NO_PASS_ON: "no rule lets this vendor read records that other vendors added",
    OFFER_DELIVERED: "the offer answers an intent and meets every offer rule",
    OFFER_BLOCKED: "the person blocked offers from this vendor",
    OFFER_NO_INTENT: "the offer answers none of the person's active intents",
    OFFER_EXPIRED: "the offer is past its valid_until date",
    OFFER_INTENT_ENDED: "the intent it answers has ended (past its end date, or no longer active)",
    OFFER_CATEGORY: "the offer's category is not the intent's",
    OFFER_BUDGET: "the price is over the intent's budget",
    OFFER_CURRENCY: "the price is in another currency than the budget",
    OFFER_CERTIFICATION: "the vendor lacks a certification the person requires",
    OFFER_TOO_MANY: "the vendor already sent as many offers as the person accepts per period",
    AGREEMENT_ENDED: "the agreement has ended (revoked, expired or cut by new terms)",
    OFFER_AGREEMENTS_NOT_ACCEPTED: "the vendor published which standard agreements it accepts, "
    "and the list leaves out one the person adopted",
    OFFER_PERSON_OVERRIDE: "the person decided the offer themselves, over the butler",
    BUTLER_CANNOT_JUDGE: "the butler left the item to the person, saying why",
}
