"""What every import format produces: checked records, skipped items with why, and refusals.

A format reader turns a file into a `Parsed` value; each record is checked here with the very
schemas the pages use (`api.forms`, `policies.load_terms`), so an import can never store what
the person could not have typed. Flask-free: the service layer takes it as it is.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from marshmallow import ValidationError

from policies import TermsError, load_terms

from ...web.forms import FieldSchema, IntentSchema

MAX_BYTES = 4 * 1024 * 1024  # the largest file accepted (a Custos export with a long log)
MAX_RECORDS = 1000  # fields and intents together, per file
MAX_DEPTH = 32  # JSON nesting; a Custos export needs 8


class ImportRefused(Exception):
    """The whole file is refused; the message names the line or property and the problem."""


@dataclass(frozen=True, kw_only=True)
class Skipped:
    """Something in the file that will not be imported, and why, in plain words."""

    where: str
    what: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Parsed:
    """A file's importable records (already checked) and what it leaves out."""

    source: str  # "vCard", "jCard", "CSV", "Custos export"
    fields: list[dict[str, Any]] = field(default_factory=list)  # category, name, kind, value
    intents: list[dict[str, Any]] = field(default_factory=list)  # {"data": ..., "where": ...}
    terms: dict[str, Any] | None = None  # {"body": ..., "where": ...}
    skipped: list[Skipped] = field(default_factory=list)

    def carried(self) -> str:
        """The preview form carries this JSON to the Import button (read back by `carried`)."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored (NUL, control characters, lone surrogates), or None."""
    for char in text:
        if char == "\x00":
            return "contains a NUL character"
        if 0xD800 <= ord(char) <= 0xDFFF:
            return "contains characters that are not valid Unicode"
        if unicodedata.category(char) == "Cc" and char not in "\t\n\r":
            return f"contains the control character U+{ord(char):04X}"
    return None


def check_field(values: dict[str, Any], where: str) -> dict[str, Any] | Skipped:
    """A field as the My data form would accept it, or a Skipped naming the problem."""
    what = str(values.get("name") or values.get("category") or "a field")[:80]
    raw = {k: values.get(k) for k in ("category", "name", "kind", "value")}
    if isinstance(raw["value"], int | float) and not isinstance(raw["value"], bool):
        raw["value"] = str(raw["value"])  # an older export may hold a number
    for key, text in raw.items():
        if text is not None and not isinstance(text, str):
            return Skipped(where=where, what=what, reason=f"{key}: must be text")
        problem = text_problem(text or "")
        if problem:
            return Skipped(where=where, what=what, reason=f"{key}: {problem}")
    try:
        data = FieldSchema().load({k: v for k, v in raw.items() if v is not None})
    except ValidationError as exc:
        return Skipped(where=where, what=what, reason=_first(exc.normalized_messages()))
    return {**data, "where": where}


def check_intent(data: Any, where: str) -> dict[str, Any] | Skipped:
    """An intent as the Intents form would accept it, or a Skipped naming the problem."""
    if not isinstance(data, dict):
        return Skipped(where=where, what="an intent", reason="not an intent (an object)")
    what = str(data.get("text") or "an intent")[:80]
    problem = nested_text_problem(data)
    if problem:
        return Skipped(where=where, what=what, reason=problem)
    try:
        loaded = IntentSchema().load(data)
    except ValidationError as exc:
        return Skipped(where=where, what=what, reason=_first(exc.normalized_messages()))
    return {"data": loaded, "where": where}


def check_terms(body: Any, where: str) -> dict[str, Any] | Skipped:
    """Terms the policy engine accepts (the Terms page's own check), or a Skipped."""
    what = "your terms"
    if not isinstance(body, dict):
        return Skipped(where=where, what=what, reason="not a terms document (an object)")
    body = {k: v for k, v in body.items() if k != "version"}  # the vault numbers versions
    problem = nested_text_problem(body)
    if problem:
        return Skipped(where=where, what=what, reason=problem)
    try:
        load_terms(body, version=0)
    except TermsError as exc:
        return Skipped(where=where, what=what, reason=str(exc))
    return {"body": body, "where": where}


def nested_text_problem(value: Any, path: str = "") -> str | None:
    """The first unstorable string anywhere in a JSON value, named by its path."""
    if isinstance(value, str):
        problem = text_problem(value)
        return f"{path or 'value'}: {problem}" if problem else None
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, item in items:
        problem = (text_problem(key) if isinstance(key, str) else None) or \
            nested_text_problem(item, f"{path}.{key}" if path else str(key))
        if problem:
            return problem
    return None


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply a JSON value nests, counting no further than `limit` + 1."""
    if limit < 0 or not isinstance(value, dict | list):
        return 0
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((depth(v, limit - 1) for v in items), default=0)


def _first(messages: dict) -> str:
    """'value: Enter a date as YYYY-MM-DD.' from marshmallow's nested messages."""
    key, problem = next(iter(messages.items()))
    while isinstance(problem, dict):
        inner, problem = next(iter(problem.items()))
        key = f"{key}.{inner}"
    text = problem[0] if isinstance(problem, list) and problem else problem
    return f"{key}: {text}"


def parse_json(text: str) -> Any:
    """json.loads, with deep nesting and NaN refused in words instead of a crash."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ImportRefused(f"The file nests more than {MAX_DEPTH} levels deep.") from None
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"Line {exc.lineno}, column {exc.colno}: this is not valid JSON "
                            f"({exc.msg}).") from None
    except ValueError:  # an integer of more than 4,300 digits (CVE-2020-10735's limit)
        raise ImportRefused("The file holds a number too long to be real.") from None
    if depth(value) > MAX_DEPTH:
        raise ImportRefused(f"The file nests more than {MAX_DEPTH} levels deep.")
    return value


def _no_constant(name: str) -> Any:
    raise ImportRefused(f"The file holds {name}, which is not a JSON number.")


def decode(data: bytes) -> str:
    """UTF-8 only (RFC 6350 §3.1, RFC 8259 §8.1); a bad byte or a NUL is refused by line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ImportRefused(f"Line {line} contains a NUL character: this is not a text file.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportRefused(f"Line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                            "save the file as UTF-8 and try again.") from None


def from_carried(text: str) -> Parsed:
    """The previewed records back from the form, checked again: a form can be edited."""
    lost = ImportRefused("The preview could not be read; choose the file again.")
    try:
        doc = parse_json(text) if text else None
    except ImportRefused:
        raise lost from None
    if not isinstance(doc, dict) or not all(
            isinstance(doc.get(k), list) for k in ("fields", "intents", "skipped")):
        raise lost
    records = doc["fields"] + doc["intents"] + doc["skipped"]
    if not all(isinstance(r, dict) for r in records) or len(records) > 3 * MAX_RECORDS:
        raise lost
    where = [str(r.get("where", ""))[:60] for r in records]
    fields = [check_field(r, w) for r, w in zip(doc["fields"], where, strict=False)]
    intents = [check_intent(r.get("data"), w)
               for r, w in zip(doc["intents"], where[len(fields):], strict=False)]
    terms = check_terms(doc["terms"].get("body"), str(doc["terms"].get("where", ""))[:60]) \
        if isinstance(doc.get("terms"), dict) else None
    checked = [*fields, *intents, terms]
    if any(isinstance(c, Skipped) for c in checked):
        raise lost
    skipped = [Skipped(where=str(s.get("where", ""))[:60], what=str(s.get("what", ""))[:80],
                       reason=str(s.get("reason", ""))[:300]) for s in doc["skipped"]]
    return Parsed(source=str(doc.get("source", ""))[:20], fields=fields, intents=intents,
                  terms=terms, skipped=skipped)
