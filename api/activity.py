"""Plain-language sentences for log entries, so the person reads what happened, not a code."""

from __future__ import annotations

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
}


def describe(entry: LoggedEvent) -> str:
    """One sentence for an entry; unknown kinds fall back to their name."""
    template = _SENTENCES.get(entry.kind)
    if template is None:
        return entry.payload.get("sentence") or entry.kind.replace("_", " ").capitalize() + "."
    try:
        return template.format(**entry.payload)
    except (KeyError, IndexError):
        return entry.kind.replace("_", " ").capitalize() + "."
