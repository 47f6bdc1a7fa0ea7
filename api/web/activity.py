"""Plain-language sentences for log entries, so the person reads what happened, not a code."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask_babel import gettext

from policies import everyday, vocab
from policies.errors import UnknownConcept
from policies.sentences import reason_sayer
from vault.events import LoggedEvent

from ..i18n import N_
from ..services import judge, mandates
from ..store import get_vault

_SENTENCES = {
    "account_created": N_("You created your vault."),
    "signed_in": N_("You signed in."),
    "signed_out": N_("You signed out."),
    "sessions_ended": N_("You signed out everywhere ({count} sessions ended)."),
    "password_changed": N_("You changed your password."),
    "email_changed": N_("You changed your email address."),
    "email_verified": N_("You confirmed your email address."),
    "notifications_changed": N_("You changed which emails you get ({via})."),
    "field_added": N_("You added “{name}”."),
    "field_changed": N_("You changed “{name}”."),
    "field_deleted": N_("You deleted “{name}”."),
    "intent_added": N_("You declared an intent."),
    "intent_changed": N_("You changed an intent (now {status})."),
    "data_exported": N_("You exported everything."),
    "data_imported": N_("You imported a {source} file: {added} added, {updated} changed, "
                        "{skipped} left out."),
    "access_attempted": N_("{vendor} {verb} {categories} {purpose}."),
    "decision_made": N_("{vendor} asked for {categories} {purpose}; your terms answered: "
                        "{decision_word}."),
    "grant_changed": N_("Agreement with {vendor} {change}: {categories} {purpose}."),
    "terms_changed": N_("You saved version {version} of your terms ({rules} rules)."),
    "request_submitted": N_("{vendor} asked for {categories} {purpose}: {decision_word}."),
    "request_decided": N_("You answered the request from {vendor}: {decision_word}."),
    "token_reuse_detected": N_("An old key of {vendor} was used again, as if copied; all "
                               "its keys were cancelled."),
    "offer_received": N_("{vendor} sent an offer ({status})."),
    "offer_decided": N_("An offer was {decision}."),
    "terms_proposed": N_("A change to your terms was proposed. It would let vendors get more, "
                         "so it waits for you in your inbox."),
    "terms_proposal_decided": N_("You {decision} a proposed change to your terms."),
    "agent_changed_access": N_("Alert: what vendors may get changed ({action}): {categories}, "
                               "for {vendors}."),
    "record_written": N_("{vendor} {record_verb} “{name}” ({record_category}) to your data."),
    "negotiation_changed": N_("Your agreement {agreement_words} with {vendor}: {status}."),
    "duty_changed": N_("Notice to {vendor} to confirm {kind_words}: {change}."),
    "use_reported": N_("{vendor} says it used your data for “{stated_purpose}”, by "
                       "“{processor}” (the vendor's own statement, signed by it; not something "
                       "Custos saw)."),
}
#: what an agent did that changed what vendors may get, in words
AGENT_ACTIONS = {"approved": N_("a request approved"),
                 "terms_changed": N_("your terms restricted"),
                 "ended": N_("agreements ended"), "data_added": N_("data added"),
                 "data_changed": N_("data changed"), "data_deleted": N_("data deleted"),
                 "intent_shown": N_("an intent shown to vendors"),
                 "intent_changed": N_("an intent vendors see changed")}

#: how an agreement changed, in words
CHANGES = {"vendor_disabled": N_("ended (the operator disabled the vendor)"),
           "account_closed": N_("ended (you closed your account)"),
           "cut": N_("ended by a change of your terms"),
           "created": N_("created"), "revoked": N_("revoked"), "expired": N_("expired")}

#: every decision an entry can record, in one of three words
DECISION_WORDS = {"allowed": "allowed", "permit": "allowed", "approved": "allowed",
                  "refused": "refused", "deny": "refused", "denied": "refused",
                  "ask": "asked", "pending": "asked"}
#: the three words as a sentence says them
_SAID = {"allowed": N_("allowed"), "refused": N_("refused"), "asked": N_("ask you")}

#: where the person changed her email choices (stored in English by services/mail.py)
VIA = {"in Settings": N_("in Settings"),
       "by an email's unsubscribe link": N_("by an email's unsubscribe link")}

#: kinds grouped for the log filter
DECISION_KINDS = ("access_attempted", "decision_made", "request_submitted", "request_decided")


def category_words(ids: list[str]) -> str:
    """'email address and city' from ['contact.email', 'address.city']."""
    labels = []
    for ident in ids or []:
        try:
            label = vocab.category(ident).label
            said = gettext(label)  # German keeps its capitals; English is lower-cased
            labels.append(label.lower() if said == label else said)
        except UnknownConcept:  # an id from an older vocabulary still reads
            labels.append(ident)
    if not labels:
        return gettext("nothing")
    return labels[0] if len(labels) == 1 else gettext("%(some)s and %(last)s", some=", ".join(
        labels[:-1]), last=labels[-1])


def purpose_words(ident: str | None) -> str:
    if not ident:
        return gettext("no stated purpose")
    try:
        return vocab.purpose(ident).label.lower()
    except UnknownConcept:
        return ident


def outcome(entry: LoggedEvent) -> str | None:
    """The decision an entry records, as the engine or the vault wrote it: allowed/deny/..."""
    payload = entry.payload
    for key in ("outcome", "effect", "decision", "status"):
        if key in payload and entry.kind in DECISION_KINDS:
            return str(payload[key])
    return None


def decision_word(entry: LoggedEvent) -> str | None:
    """The decision in one of three words, for the page: allowed, refused or asked."""
    raw = outcome(entry)
    return DECISION_WORDS.get(raw, raw) if raw else None


def reason_words(person_id: str) -> Callable[[Mapping], str]:
    """Says a stored reason in the page's language: rule sentences from the person's current
    rules (when the rule is unchanged), the default's sentences by their msgid, else as
    stored (policies.sentences.say_reason)."""
    rules = {r.id: r for r in judge.current_terms(get_vault(), person_id).terms.rules}
    return reason_sayer(rules, gettext)


def reasons(entry: LoggedEvent, say: Callable[[Mapping], str] | None = None) -> list[str]:
    return [(say(r) if say else r.get("text") or r.get("sentence") or r.get("code", ""))
            for r in entry.payload.get("reasons") or [] if isinstance(r, dict)]


def describe(entry: LoggedEvent, vendor_name: Callable[[str], str] | None = None) -> str:
    """One sentence for an entry, saying which agent acted when one did (issue 13)."""
    sentence = _sentence(entry, vendor_name)
    agent = mandates.agent_of(entry.payload.get("actor"))
    if agent is None:
        return sentence
    name = (vendor_name(agent) if vendor_name else None) or agent
    if sentence.startswith("You "):  # an English sentence (German ones start otherwise)
        return f"Your agent {name} {sentence[4:]}"
    return gettext("%(sentence)s (by your agent %(agent)s).", sentence=sentence.removesuffix("."),
                   agent=name)


def _sentence(entry: LoggedEvent, vendor_name: Callable[[str], str] | None) -> str:
    """One sentence for an entry; unknown kinds fall back to their name."""
    template = _SENTENCES.get(entry.kind)
    fallback = entry.kind.replace("_", " ").capitalize() + "."
    if template is None:
        return fallback
    template = gettext(template)
    payload = dict(entry.payload)
    client = payload.get("client_id")
    values = {
        **payload,
        "vendor": (vendor_name(client) if vendor_name and client else client)
        or gettext("A vendor"),
        "categories": category_words(payload.get("released")
                                     if payload.get("outcome") == "allowed"
                                     else payload.get("categories")),
        "purpose": everyday.acts((payload["purpose"],), gettext)[0] if vocab.is_purpose(
            payload.get("purpose") or "") else gettext("for %(purpose)s", purpose=purpose_words(
                payload.get("purpose"))),
        "decision_word": gettext(_SAID.get(decision_word(entry) or "", ""))
        if entry.kind != "request_submitted" or payload.get("status") != "pending"
        else gettext("waiting for your answer"),
        "verb": gettext("read") if payload.get("outcome") == "allowed"
        else gettext("was refused"),
        "change": gettext(CHANGES[payload["change"]]) if payload.get("change") in CHANGES
        else str(payload.get("change", "")).replace("_", " "),
        "decision": {"accept": gettext("accepted"), "decline": gettext("declined")}.get(
            payload.get("decision"), payload.get("decision")),
        "action": gettext(AGENT_ACTIONS[payload["action"]]) if payload.get("action")
        in AGENT_ACTIONS else payload.get("action"),
        "vendors": ", ".join((vendor_name(v) if vendor_name else v) or v
                             for v in payload.get("vendors", [])) or gettext("no current vendor"),
        "record_verb": gettext("added") if payload.get("outcome") == "added"
        else gettext("was refused adding"),
        "record_category": category_words([payload.get("category", "")]),
        "via": gettext(VIA[payload["via"]]) if payload.get("via") in VIA
        else payload.get("via", ""),
        "agreement_words": ", ".join(payload.get("agreements") or []),
        "kind_words": gettext("the deletion") if payload.get("duty") == "delete"
        else gettext("that it deleted your data"),
        "stated_purpose": payload.get("purpose"),
    }
    if entry.kind == "agent_changed_access" and not payload.get("vendors"):
        return gettext("Alert: what vendors may get changed (%(action)s).",
                       action=values["action"])
    if entry.kind == "offer_message":
        said = {("person", "message"): N_("You wrote to {vendor} about its offer."),
                ("vendor", "message"): N_("{vendor} wrote to you about its offer."),
                ("person", "accepted"): N_("You accepted an offer from {vendor}."),
                ("person", "declined"): N_("You declined an offer from {vendor}.")}
        found = said.get((payload.get("sender"), payload.get("entry")))
        return gettext(found).format(vendor=values["vendor"]) if found else fallback
    if entry.kind == "grant_changed" and not payload.get("categories"):
        # an agreement with no data is an agent acting for the person (the butler)
        if payload.get("change") == "created":
            return gettext("Agent %(vendor)s authorised to act for you.", vendor=values["vendor"])
        return gettext("Agent %(vendor)s %(change)s: it no longer acts for you.",
                       vendor=values["vendor"], change=values["change"])
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return fallback
