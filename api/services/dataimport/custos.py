"""Custos's own export (`custos-export/1`, docs/export.md) read back: data, intents, terms.

Agreements, requests, offers, sessions and the log are listed as skipped with why: an
agreement is a promise between two parties at one time and is made again, never copied.
"""

from __future__ import annotations

from typing import Any

from .records import (
    MAX_RECORDS,
    ImportRefused,
    Parsed,
    Skipped,
    check_field,
    check_intent,
    check_terms,
)

FORMAT = "custos-export/1"
NOT_IMPORTED = {
    "agreements": "agreements are not imported: each vendor asks again and you agree again",
    "requests": "requests belong to the old vault's agreements",
    "offers": "offers answered the old vault's intents; vendors answer again",
    "sessions": "sign-ins belong to the old vault",
    "audit_log": "the old vault's log stays in the file; this vault keeps its own log",
}


def is_export(document: Any) -> bool:
    """A JSON object that says it is a Custos export (of any version)."""
    return isinstance(document, dict) and str(document.get("format", "")).startswith(
        "custos-export/")


def read_export(document: dict[str, Any]) -> Parsed:
    """Fields, intents and the newest terms version, each checked like typed-in input."""
    if document.get("format") != FORMAT:
        raise ImportRefused(f"This export is {str(document.get('format'))[:40]}; this Custos "
                            f"reads {FORMAT}. Export again from a matching version.")
    items = {key: document.get(key) or [] for key in ("fields", "intents", "terms")}
    for key, value in items.items():
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ImportRefused(f"The export's {key} must be a list of objects.")
    if len(items["fields"]) + len(items["intents"]) > MAX_RECORDS:
        raise ImportRefused(f"The export holds more than {MAX_RECORDS} fields and intents.")
    skipped: list[Skipped] = []
    fields, intents = [], []
    for i, item in enumerate(items["fields"]):
        checked = check_field(item, f"data item {i + 1}")
        (skipped if isinstance(checked, Skipped) else fields).append(checked)
    for i, item in enumerate(items["intents"]):
        checked = check_intent(item.get("data"), f"intent {i + 1}")
        (skipped if isinstance(checked, Skipped) else intents).append(checked)
    terms = None
    if items["terms"]:
        newest = max(items["terms"], key=lambda t: t.get("version")
                     if isinstance(t.get("version"), int) else -1)
        checked = check_terms(newest.get("terms"), f"terms version {newest.get('version')}")
        terms = None if isinstance(checked, Skipped) else checked
        if isinstance(checked, Skipped):
            skipped.append(checked)
    for key, reason in NOT_IMPORTED.items():
        count = len(document.get(key) or []) if isinstance(document.get(key), list) else 0
        if count:
            skipped.append(Skipped(where=key.replace("_", " "), what=f"{count} entries",
                                   reason=reason))
    return Parsed(source="Custos export", fields=fields, intents=intents, terms=terms,
                  skipped=skipped)
