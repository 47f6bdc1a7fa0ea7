"""Plain-language sentences for log entries, so the person reads what happened, not a code."""

from __future__ import annotations

from collections.abc import Callable

from policies import vocab
from policies.errors import UnknownConcept
from vault.events import LoggedEvent

_SENTENCES = {
    "account_created": "You created your vault.",
    "signed_in": "You signed in.",
    "signed_out": "You signed out.",
    "sessions_ended": "You signed out everywhere ({count} sessions ended).",
    "password_changed": "You changed your password.",
    "field_added": "You added “{name}”.",
    "field_changed": "You changed “{name}”.",
    "field_deleted": "You deleted “{name}”.",
    "intent_added": "You declared an intent.",
    "intent_changed": "You changed an intent (now {status}).",
    "data_exported": "You exported everything.",
    "data_imported": "You imported a {source} file: {added} added, {updated} changed, "
                     "{skipped} left out.",
    "access_attempted": "{vendor} {verb} {categories} for {purpose}.",
    "decision_made": "Your terms answered {vendor} ({purpose}, {categories}): {effect}.",
    "grant_changed": "Agreement with {vendor} {change}: {categories} for {purpose}.",
    "terms_changed": "You saved version {version} of your terms ({rules} rules).",
    "request_submitted": "{vendor} asked for {categories} for {purpose}: {status}.",
    "request_decided": "The request from {vendor} was answered: {decision}.",
    "token_reuse_detected": "A used credential of {vendor} came back; its tokens were revoked.",
    "offer_received": "{vendor} sent an offer ({status}).",
    "offer_decided": "An offer was {decision}.",
    "negotiation_changed": "Your agreement {agreement_words} with {vendor}: {status}.",
    "duty_changed": "Notice to {vendor} to confirm {kind_words}: {change}.",
    "use_reported": "{vendor} says it used your data for “{stated_purpose}”, by "
                    "“{processor}” (the vendor's own statement, signed by it; not something "
                    "Custos saw).",
}

#: how an agreement changed, in words
CHANGES = {"vendor_disabled": "ended (the operator disabled the vendor)",
           "account_closed": "ended (you closed your account)",
           "cut": "ended by a change of your terms"}

#: kinds grouped for the log filter
DECISION_KINDS = ("access_attempted", "decision_made", "request_submitted", "request_decided")


def category_words(ids: list[str]) -> str:
    """'email address and city' from ['contact.email', 'address.city']."""
    labels = []
    for ident in ids or []:
        try:
            labels.append(vocab.category(ident).label.lower())
        except UnknownConcept:  # an id from an older vocabulary still reads
            labels.append(ident)
    if not labels:
        return "nothing"
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def purpose_words(ident: str | None) -> str:
    if not ident:
        return "no stated purpose"
    try:
        return vocab.purpose(ident).label.lower()
    except UnknownConcept:
        return ident


def outcome(entry: LoggedEvent) -> str | None:
    """The decision an entry records, for the filter and the badge: allowed/refused/ask..."""
    payload = entry.payload
    for key in ("outcome", "effect", "decision", "status"):
        if key in payload and entry.kind in DECISION_KINDS:
            return str(payload[key])
    return None


def reasons(entry: LoggedEvent) -> list[str]:
    return [r.get("text") or r.get("sentence") or r.get("code", "")
            for r in entry.payload.get("reasons") or [] if isinstance(r, dict)]


def describe(entry: LoggedEvent, vendor_name: Callable[[str], str] | None = None) -> str:
    """One sentence for an entry; unknown kinds fall back to their name."""
    template = _SENTENCES.get(entry.kind)
    fallback = entry.kind.replace("_", " ").capitalize() + "."
    if template is None:
        return fallback
    payload = dict(entry.payload)
    client = payload.get("client_id")
    values = {
        **payload,
        "vendor": (vendor_name(client) if vendor_name and client else client) or "A vendor",
        "categories": category_words(payload.get("released")
                                     if payload.get("outcome") == "allowed"
                                     else payload.get("categories")),
        "purpose": purpose_words(payload.get("purpose")),
        "verb": "read" if payload.get("outcome") == "allowed" else "was refused",
        "agreement_words": ", ".join(payload.get("agreements") or []),
        "kind_words": "the deletion" if payload.get("duty") == "delete"
        else "that it deleted your data",
        "stated_purpose": payload.get("purpose"),
        "change": CHANGES.get(payload.get("change"), str(payload.get("change", "")).replace(
            "_", " ")),
    }
    if entry.kind == "grant_changed" and not payload.get("categories"):
        # an agreement with no data is an agent acting for the person (the butler)
        verb = "authorised" if payload.get("change") == "created" else payload.get("change")
        return f"Agent {values['vendor']} {verb} to act for you."
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return fallback
