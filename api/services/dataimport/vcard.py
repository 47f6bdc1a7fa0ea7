"""A small strict reader of vCard 4 (RFC 6350) and jCard (RFC 7095) into one property list.

Why not a library: vobject, the maintained candidate on PyPI, applies vCard 3 rules to vCard 4
(it cuts a `data:` URI at its comma), counts lines wrongly in its errors and fails with an
AttributeError on a card inside a card. The grammar we need is one page of RFC 6350 §3.
vCard 3.0 (RFC 2426) shares that grammar for every property we map, so it is read too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .records import MAX_RECORDS, ImportRefused, decode, text_problem

# RFC 6350 §3.3: group and name are 1*(ALPHA / DIGIT / "-"); names are case-insensitive.
_NAME = re.compile(r"(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)")
# RFC 6350 §3.3: param-value = *SAFE-CHAR / DQUOTE *QSAFE-CHAR DQUOTE
_PARAM_VALUE = re.compile(r'"([^"\x00-\x08\x0a-\x1f\x7f]*)"|([^";:,\x00-\x08\x0a-\x1f\x7f]*)')
# RFC 6350 §3.4 (structured values split on ";", lists on ","); RFC 2426 §3 the same
STRUCTURED = {"N", "ADR", "GENDER", "ORG"}
LISTS = {"NICKNAME", "CATEGORIES"}
URI_VALUED = {"URL", "PHOTO", "LOGO", "SOUND", "GEO", "KEY", "SOURCE", "FBURL", "CALURI",
              "CALADRURI", "IMPP", "MEMBER", "RELATED", "UID"}


@dataclass(frozen=True, kw_only=True)
class Prop:
    """One property: `components` is a list of components, each a list of values."""

    name: str  # upper case
    params: dict[str, list[str]]  # names upper case
    components: list[list[str]]
    where: str  # "line 7, EMAIL" or "property 3 (email)"
    value_type: str = ""  # jCard's type, or a VALUE= parameter

    @property
    def text(self) -> str:
        """The whole value as one string (components joined as a person would read them)."""
        return " ".join(", ".join(v for v in c if v) for c in self.components if any(c)).strip()


def _unfold(text: str) -> list[tuple[int, str]]:
    """Logical lines with the number of their first physical line (RFC 6350 §3.2)."""
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(re.split(r"\r\n|\n|\r", text), start=1):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] = (lines[-1][0], lines[-1][1] + line[1:])
        elif line.strip():
            lines.append((number, line))
    return lines


def _split(value: str, separator: str) -> list[str]:
    """Split on unescaped separators, keeping escapes for the later `_unescape`."""
    parts, current, i = [], [], 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            current.append(value[i:i + 2])
            i += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    return parts + ["".join(current)]


def _unescape(value: str) -> str:
    """RFC 6350 §3.4: \\\\ \\, \\; \\n (or \\N); any other backslash stays as written."""
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _content_line(number: int, line: str) -> Prop:
    """`[group "."] name *(";" param) ":" value` (RFC 6350 §3.3)."""
    match = _NAME.match(line)
    if not match or match.end() == 0:
        raise ImportRefused(f"Line {number} is not a vCard property (it should start with a "
                            "name such as EMAIL:).")
    name, pos, params = match.group(2).upper(), match.end(), {}
    where = f"line {number}, {name[:40]}"
    while pos < len(line) and line[pos] == ";":
        key = re.match(r"[A-Za-z0-9-]+", line[pos + 1:])
        if not key:
            raise ImportRefused(f"Line {number} ({name[:40]}): a parameter has no name.")
        pos += 1 + key.end()
        values: list[str] = []
        if pos < len(line) and line[pos] == "=":
            while True:
                value = _PARAM_VALUE.match(line, pos + 1)
                values.append(value.group(1) if value.group(1) is not None else value.group(2))
                pos = value.end()
                if pos >= len(line) or line[pos] != ",":
                    break
            params.setdefault(key.group().upper(), []).extend(values)
        else:  # vCard 2.1/3.0 habit: a bare type such as TEL;WORK:
            params.setdefault("TYPE", []).append(key.group())
    if pos >= len(line) or line[pos] != ":":
        raise ImportRefused(f"Line {number} ({name[:40]}): expected ':' after the name and its "
                            "parameters (an unclosed quote?).")
    raw = line[pos + 1:]
    problem = text_problem(raw)
    if problem:
        raise ImportRefused(f"Line {number} ({name[:40]}) {problem}.")
    value_type = (params.get("VALUE") or [""])[0].lower()
    if name in URI_VALUED or value_type == "uri":
        components = [[raw]]
    elif name in STRUCTURED:
        components = [[_unescape(v) for v in _split(c, ",")] for c in _split(raw, ";")]
    elif name in LISTS:
        components = [[_unescape(v) for v in _split(raw, ",")]]
    else:
        components = [[_unescape(raw)]]
    return Prop(name=name, params=params, components=components, where=where,
                value_type=value_type)


def read_vcard(data: bytes) -> list[Prop]:
    """The properties of the one card in a .vcf file; a file of several cards is refused."""
    cards: list[list[Prop]] = []
    current: list[Prop] | None = None
    start = 0
    for number, line in _unfold(decode(data)):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if current is not None:
                raise ImportRefused(f"Line {number}: a card begins inside the card that began "
                                    f"on line {start} (END:VCARD missing?).")
            current, start = [], number
        elif upper == "END:VCARD":
            if current is None:
                raise ImportRefused(f"Line {number}: END:VCARD without a BEGIN:VCARD.")
            _check_card(current, start)
            cards.append(current)
            current = None
        elif current is None:
            raise ImportRefused(f"Line {number} is outside a card (before BEGIN:VCARD).")
        else:
            current.append(_content_line(number, line))
            if len(current) > MAX_RECORDS:
                raise ImportRefused(f"The card has more than {MAX_RECORDS} properties.")
    if current is not None:
        raise ImportRefused(f"The card that begins on line {start} never ends "
                            "(END:VCARD is missing).")
    return _one(cards)


def _check_card(props: list[Prop], start: int) -> None:
    """RFC 6350 §6.1.3: VERSION comes first; §6.2.1: FN is required. 2.1 reads differently."""
    if not props or props[0].name != "VERSION":
        raise ImportRefused(f"The card that begins on line {start} does not start with VERSION.")
    version = props[0].text
    if version not in ("4.0", "3.0"):
        raise ImportRefused(f"The card that begins on line {start} is vCard {version[:10]}; "
                            "Custos reads vCard 4.0 (and 3.0). Export it again as vCard 4.")
    if not any(p.name == "FN" for p in props):
        raise ImportRefused(f"The card that begins on line {start} has no FN (the full name "
                            "every vCard must have).")


def _one(cards: list[list[Prop]]) -> list[Prop]:
    if not cards:
        raise ImportRefused("The file holds no vCard (no BEGIN:VCARD line).")
    if len(cards) > 1:
        raise ImportRefused(f"The file holds {len(cards)} contact cards; your vault keeps data "
                            "about you only. Export your own card and import that one.")
    return [p for p in cards[0] if p.name != "VERSION"]


def read_jcard(document: Any) -> list[Prop]:
    """RFC 7095 §3: ["vcard", [[name, {params}, type, value, ...], ...]], or a list of them."""
    if isinstance(document, list) and document and document[0] != "vcard":
        cards = document
    else:
        cards = [document]
    return _one([_jcard(card, n) for n, card in enumerate(cards, start=1)])


def _jcard(card: Any, number: int) -> list[Prop]:
    if not (isinstance(card, list) and len(card) == 2 and card[0] == "vcard"
            and isinstance(card[1], list)):
        raise ImportRefused(f"Card {number} is not a jCard: expected [\"vcard\", [properties]] "
                            "(RFC 7095 section 3.2).")
    if len(card[1]) > MAX_RECORDS:
        raise ImportRefused(f"The card has more than {MAX_RECORDS} properties.")
    props = [_jcard_property(item, i) for i, item in enumerate(card[1], start=1)]
    if not props or props[0].name != "VERSION" or props[0].text != "4.0":
        raise ImportRefused("The jCard does not start with the property "
                            '["version", {}, "text", "4.0"] (RFC 7095 section 3.3.1.3).')
    if not any(p.name == "FN" for p in props):
        raise ImportRefused("The jCard has no fn (the full name every vCard must have).")
    return props


def _jcard_property(item: Any, index: int) -> Prop:
    """RFC 7095 §3.3: name (lower case), parameters object, type, then one or more values."""
    name = item[0] if isinstance(item, list) and item and isinstance(item[0], str) else "?"
    where = f"property {index} ({name[:30]})"
    if not (isinstance(item, list) and len(item) >= 4 and re.fullmatch(r"[a-z0-9-]+", name)
            and isinstance(item[1], dict) and isinstance(item[2], str)):
        raise ImportRefused(f"The jCard's {where} is not [name, {{parameters}}, type, value] "
                            "with a lower-case name (RFC 7095 section 3.3).")
    params: dict[str, list[str]] = {}
    for key, value in item[1].items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            raise ImportRefused(f"The jCard's {where}: parameter {key[:30]} must be text.")
        params[key.upper()] = values
    values = item[3:]
    if name.upper() in STRUCTURED and len(values) == 1 and isinstance(values[0], list):
        components = [_texts(c, where) for c in values[0]]
    else:
        components = [[v for value in values for v in _texts(value, where)]]
    problem = next((text_problem(v) for c in components for v in c if text_problem(v)), None)
    if problem:
        raise ImportRefused(f"The jCard's {where} {problem}.")
    return Prop(name=name.upper(), params=params, components=components, where=where,
                value_type=item[2].lower())


def _texts(value: Any, where: str) -> list[str]:
    if isinstance(value, list):
        return [t for v in value for t in _texts(v, where)]
    if isinstance(value, bool) or value is None:
        raise ImportRefused(f"The jCard's {where} has a value that is not text or a number.")
    if isinstance(value, int | float | str):
        return [str(value)]
    raise ImportRefused(f"The jCard's {where} has a value that is not text or a number.")
