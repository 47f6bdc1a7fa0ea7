"""vCard properties onto the "My data" categories (DPV), each unmapped one skipped with why.

The table follows RFC 6350 §6: what a property means decides its category, and its TYPE
parameter (home, work, cell) goes into the field's name, so two emails stay two fields.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from .records import ImportRefused, Parsed, Skipped, check_field
from .vcard import Prop

# RFC 6350 §6.2.2 N and §6.3.1 ADR: component positions -> (category, name)
N_PARTS = [("identity.name", "Family name"), ("identity.name", "Given name"),
           ("identity.name", "Additional names"), ("identity.name", "Honorific prefix"),
           ("identity.name", "Honorific suffix")]
ADR_PARTS = [(None, "PO box"), (None, "Extended address"), ("address.street", "Street"),
             ("address.city", "City"), ("address.region", "Region"),
             ("address.postal", "Postal code"), ("address.country", "Country")]
# name -> (category, field name, kind) for single-valued properties
SIMPLE = {
    "FN": ("identity.name", "Full name", "text"),
    "NICKNAME": ("identity.name", "Nickname", "text"),
    "EMAIL": ("contact.email", "Email", "email"),
    "TEL": ("contact.phone", "Phone", "phone"),
    "LANG": ("demographics.language", "Language", "text"),
    "TITLE": ("professional.job", "Job title", "text"),
    "ROLE": ("professional.job", "Role", "text"),
    "ORG": ("professional.employer", "Organisation", "text"),
    "URL": ("contact", "Website", "url"),
    "GEO": ("location.gps", "Position", "text"),
}
# RFC 6350 §6.2.7: the sex component's letters
SEX = {"M": "male", "F": "female", "O": "other", "N": "none or not applicable",
       "U": "unknown"}
TYPE_WORDS = {"home": "home", "work": "work", "cell": "mobile", "fax": "fax", "pager": "pager",
              "text": "text", "video": "video", "textphone": "textphone"}
KINDS = {"org": "an organisation", "group": "a group", "location": "a place"}  # RFC 6350 §6.1.4
ABOUT_THE_CARD = {"PRODID", "REV", "UID", "SOURCE", "CLIENTPIDMAP", "XML"}
WHY_NOT = {
    "PHOTO": "pictures are not imported, only text",
    "LOGO": "pictures are not imported, only text",
    "SOUND": "sounds are not imported, only text",
    "KEY": "public keys have no category in Custos",
    "NOTE": "notes are free text with no category; add what matters on My data",
    "CATEGORIES": "contact-list tags say nothing about you",
    "ANNIVERSARY": "Custos has no category for anniversaries",
    "IMPP": "Custos has no category for messaging addresses",
    "TZ": "Custos has no category for time zones",
    "MEMBER": "group members are other people",
    "RELATED": "related people are other people's data",
    "FBURL": "calendar addresses have no category in Custos",
    "CALURI": "calendar addresses have no category in Custos",
    "CALADRURI": "calendar addresses have no category in Custos",
}
_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?")


def to_parsed(props: list[Prop], source: str) -> Parsed:
    """Map every property; each candidate is checked like a typed-in field."""
    fields: list[dict[str, Any]] = []
    skipped: list[Skipped] = []
    taken: set[tuple[str, str]] = set()
    for prop in props:
        kind = prop.text.lower()[:20]
        if prop.name == "KIND" and kind not in ("", "individual"):
            raise ImportRefused(f"The card describes {KINDS.get(kind, 'something')} (KIND:"
                                f"{kind}), not a person; import your own card.")
        found = _map(prop)
        if isinstance(found, Skipped):
            skipped.append(found)
            continue
        for values in found:
            values["name"] = _unique(values["category"], values["name"], taken)
            checked = check_field(values, prop.where)
            if isinstance(checked, Skipped):
                skipped.append(checked)
            else:
                taken.add((checked["category"], checked["name"].casefold()))
                fields.append(checked)
    return Parsed(source=source, fields=fields, skipped=skipped)


def _map(prop: Prop) -> list[dict[str, Any]] | Skipped:
    name = prop.name[:40]
    if name in ABOUT_THE_CARD or name == "KIND":
        return Skipped(where=prop.where, what=name, reason="describes the card, not you")
    if name in WHY_NOT:
        return Skipped(where=prop.where, what=name, reason=WHY_NOT[name])
    if name.startswith("X-"):
        return Skipped(where=prop.where, what=name, reason="a private extension Custos "
                       "does not know")
    if name == "N":
        return _parts(prop, N_PARTS)
    if name == "ADR":
        return _parts(prop, ADR_PARTS)
    if name == "BDAY":
        return _birthday(prop)
    if name == "GENDER":
        parts = prop.components + [[], []]
        sex = ", ".join(parts[0]).strip().upper()
        value = ", ".join(v for v in parts[1] if v.strip()) or SEX.get(sex, "")
        if sex and sex not in SEX:
            return Skipped(where=prop.where, what=name, reason=f"'{sex[:10]}' is not one of "
                           "M, F, O, N or U (RFC 6350 section 6.2.7)")
        return [_field("demographics.gender", "Gender", "text", value)]
    if name in SIMPLE:
        category, label, kind = SIMPLE[name]
        value = prop.text
        if name == "TEL":
            value = re.sub(r"^tel:", "", value, flags=re.I).split(";")[0]
        elif name == "GEO":
            value = re.sub(r"^geo:", "", value, flags=re.I)
        return [_field(category, _typed(label, prop), kind, value)]
    return Skipped(where=prop.where, what=name, reason="Custos has no category for it")


def _field(category: str, name: str, kind: str, value: str) -> dict[str, Any]:
    return {"category": category, "name": name, "kind": kind, "value": value}


def _typed(label: str, prop: Prop) -> str:
    """'Email (work)': the TYPE parameter in words, so a person tells the fields apart."""
    types = [TYPE_WORDS[t.lower()] for v in prop.params.get("TYPE", [])
             for t in v.split(",") if t.lower() in TYPE_WORDS]
    return f"{label} ({', '.join(dict.fromkeys(types))})" if types else label


def _parts(prop: Prop, parts: list[tuple[str | None, str]]) -> list[dict[str, Any]] | Skipped:
    """One field per non-empty component; ADR's PO box and extended address join the street."""
    if len(prop.components) > len(parts):
        return Skipped(where=prop.where, what=prop.name, reason=f"has {len(prop.components)} "
                       f"parts where vCard defines {len(parts)}")
    values = [", ".join(v for v in c if v.strip()) for c in prop.components]
    values += [""] * (len(parts) - len(values))
    if prop.name == "ADR":  # RFC 6350 §6.3.1: the first two SHOULD be empty; keep them anyway
        values[2] = ", ".join(v for v in (values[2], values[1], values[0]) if v)
    return [_field(category, _typed(label, prop), "text", value)
            for (category, label), value in zip(parts, values, strict=True)
            if category and value]


def _birthday(prop: Prop) -> list[dict[str, Any]] | Skipped:
    """RFC 6350 §6.2.5: a date (basic or, as jCard writes it, extended format) or text."""
    text = prop.text
    if prop.value_type == "text":
        return Skipped(where=prop.where, what="BDAY",
                       reason=f"the birthday is written as words ('{text[:40]}'), not a date")
    match = _DATE.fullmatch(text)
    if not match:
        return Skipped(where=prop.where, what="BDAY", reason=f"'{text[:40]}' is not a whole "
                       "date with year, month and day")
    try:
        value = date(*(int(p) for p in match.groups()))
    except ValueError:
        return Skipped(where=prop.where, what="BDAY",
                       reason=f"'{text[:40]}' is not a date in the calendar")
    return [_field("demographics.birthdate", "Date of birth", "date", value.isoformat())]


def _unique(category: str, name: str, taken: set[tuple[str, str]]) -> str:
    """'Email', then 'Email 2': two properties of one kind become two fields, not a merge."""
    candidate, n = name, 1
    while (category, candidate.casefold()) in taken:
        n += 1
        candidate = f"{name} {n}"
    return candidate
