"""The condition fields of a rule, each defined once: kind, getter, words, ODRL operand, form.

Validation (`schema`), compilation (`compile`), sentences (`sentences`), ODRL export and import
and the person's rule form (`api/web/terms_form.py`) all read this table, so a field added here is
complete everywhere or a test says where not (`tests/policies/test_conditions.py`). The kind of
a field decides its operators, which values fit, and how ODRL writes its operators.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from . import vocab
from .model import Condition, Request
from .odrl_common import CUSTOS, OAC, ODRL

INF = float("inf")
#: a translation function, msgid -> words (the pages pass their gettext); `same` keeps English
Tr = Callable[[str], str]


def same(text: str) -> str:
    return text


def N_(text: str) -> str:
    """Marks words for the pages' translations (pybabel -k N_); the engine keeps English."""
    return text


def join(words: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def _strings(v: object) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v)


@dataclass(frozen=True, kw_only=True)
class Kind:
    """What a field holds: its operators, which values fit, and the ODRL operators it reads."""

    name: str
    operators: tuple[str, ...]
    fits: Callable[[object, str], bool]  # (value as JSON, operator) -> acceptable shape
    single: frozenset[str]  # operators that take one value, not a list
    typed: bool  # ODRL values are literals (numbers, booleans), not IRIs or strings
    from_odrl: Mapping[str, str]  # ODRL operator -> Custos operator


_ONE_OR_LIST = frozenset({"eq", "ne"})
TEXT = Kind(name="text", operators=("eq", "ne", "in", "not_in"),
            fits=lambda v, op: isinstance(v, str) if op in _ONE_OR_LIST else _strings(v),
            single=_ONE_OR_LIST, typed=False,
            from_odrl={"eq": "eq", "neq": "ne", "isAnyOf": "in", "isNoneOf": "not_in"})
SET = Kind(name="set", operators=("has", "has_all", "has_any", "has_none"),
           fits=lambda v, op: isinstance(v, str) or _strings(v), single=frozenset(), typed=False,
           from_odrl={"isAllOf": "has_all", "isAnyOf": "has_any", "isNoneOf": "has_none",
                      "eq": "has_any", "neq": "has_none"})
NUMBER = Kind(name="number", operators=("eq", "ne", "lt", "lte", "gt", "gte"),
              fits=lambda v, op: isinstance(v, int | float) and not isinstance(v, bool) and v >= 0,
              single=frozenset({"eq", "ne", "lt", "lte", "gt", "gte"}), typed=True,
              from_odrl={"eq": "eq", "neq": "ne", "lt": "lt", "lteq": "lte", "gt": "gt",
                         "gteq": "gte"})
BOOL = Kind(name="bool", operators=("eq",), fits=lambda v, op: isinstance(v, bool),
            single=frozenset({"eq"}), typed=True, from_odrl={"eq": "eq"})
# exact purpose tests (ODRL eq, isAnyOf, isNoneOf); a rule's scope uses `purposes` instead
PURPOSE = Kind(name="purpose", operators=TEXT.operators,
               fits=lambda v, op: isinstance(v, str) if op in _ONE_OR_LIST else _strings(v),
               single=_ONE_OR_LIST, typed=False, from_odrl=TEXT.from_odrl)
KINDS = (TEXT, SET, NUMBER, BOOL, PURPOSE)


@dataclass(frozen=True, kw_only=True)
class FormInput:
    """How the person's rule form offers a field: the input's name and the operator it means;
    `choices` maps an input's submitted values to condition values (for yes/no inputs)."""

    name: str
    op: str
    choices: Mapping[str, object] | None = None


@dataclass(frozen=True, kw_only=True)
class ConditionField:
    """One field a condition can test, with everything every part of Custos needs of it."""

    name: str
    kind: Kind
    get: Callable[[Request], Any]  # the request's value the condition tests
    phrase: Callable[..., str]  # (operator, value, tr=same) -> words after "when ..."
    odrl: str  # the ODRL left operand (full IRI)
    odrl_values: Literal["plain", "vendor", "purpose"] = "plain"  # how ODRL writes values
    form: FormInput | None = None  # None: not on the rule form (API and ODRL only)


def _values(value: object, tr: Tr = same) -> str:
    return join(list(value), tr("or")) if isinstance(value, tuple) else str(value)


def _vendor_is(what: str) -> Callable[..., str]:
    def phrase(op: str, v: Any, tr: Tr = same) -> str:
        template = N_("{what} is {values}") if op in ("eq", "in") else N_("{what} is not {values}")
        return tr(template).format(what=tr(what), values=_values(v, tr))
    return phrase


def _claimed(how: str) -> Callable[..., str]:
    def phrase(op: str, v: Any, tr: Tr = same) -> str:
        if op == "has_none":
            return tr(N_("the vendor is not {how} {values}")).format(how=tr(how),
                                                                     values=_values(v, tr))
        values = join(list(v), tr(N_("and"))) if op != "has_any" else _values(v, tr)
        return tr(N_("the vendor is {how} {values}")).format(how=tr(how), values=values)
    return phrase


_NUMBERS = {"eq": N_("exactly"), "ne": N_("other than"), "lt": N_("less than"),
            "lte": N_("at most"), "gt": N_("more than"), "gte": N_("at least")}


def _recipients(op: str, v: Any, tr: Tr = same) -> str:
    template = N_("they do not share it with {who}") if op == "has_none" else N_(
        "they share it with {who}")
    return tr(template).format(who=_values(v, tr) if op != "has_all" else join(list(v), tr("and")))


def _purpose(op: str, v: Any, tr: Tr = same) -> str:
    names = [v] if isinstance(v, str) else list(v)
    words = join([vocab.purpose(n).label.lower() for n in names], tr("or"))
    template = N_("the purpose is exactly {words}") if op in ("eq", "in") else N_(
        "the purpose is not exactly {words}")
    return tr(template).format(words=words)


def _days(n: object) -> str:
    return N_("day") if n == 1 else N_("days")


def _retention(q: Request) -> float:
    return INF if q.retention_days is None else q.retention_days  # unstated: kept forever


def _kept(op: str, v: Any, tr: Tr = same) -> str:
    return tr(N_("they keep it {how} {num} {days}")).format(how=tr(_NUMBERS[op]), num=v,
                                                             days=tr(_days(v)))


def _either(yes: str, no: str) -> Callable[..., str]:
    return lambda op, v, tr=same: tr(yes if v else no)


_FIELDS = (
    ConditionField(name="vendor.id", kind=TEXT, get=lambda q: q.vendor.id,
                   phrase=_vendor_is(N_("the vendor")), odrl=CUSTOS + "vendor",
                   odrl_values="vendor"),
    ConditionField(name="vendor.certifications", kind=SET,
                   get=lambda q: q.vendor.certifications, phrase=_claimed(N_("claiming")),
                   odrl=CUSTOS + "certification",
                   form=FormInput(name="certifications", op="has_all")),
    ConditionField(name="vendor.verified_certifications", kind=SET,
                   get=lambda q: q.vendor.verified_certifications,
                   phrase=_claimed(N_("verified as")), odrl=CUSTOS + "verifiedCertification"),
    ConditionField(name="vendor.jurisdiction", kind=TEXT, get=lambda q: q.vendor.jurisdiction,
                   phrase=_vendor_is(N_("the vendor's jurisdiction")),
                   odrl=CUSTOS + "jurisdiction",
                   form=FormInput(name="jurisdictions", op="in")),
    ConditionField(name="retention_days", kind=NUMBER, get=_retention,
                   phrase=_kept,
                   odrl=CUSTOS + "retentionDays",
                   form=FormInput(name="max_retention", op="lte")),
    ConditionField(name="third_party_sharing", kind=BOOL, get=lambda q: q.third_party_sharing,
                   phrase=_either(N_("they share it with others"),
                                  N_("they do not share it with anyone")),
                   odrl=CUSTOS + "thirdPartySharing",
                   form=FormInput(name="sharing", op="eq",
                                  choices={"none": False, "shared": True})),
    ConditionField(name="recipients", kind=SET, get=lambda q: q.recipients, phrase=_recipients,
                   odrl=ODRL + "recipient", odrl_values="vendor"),
    ConditionField(name="answers_intent", kind=BOOL, get=lambda q: q.intent is not None,
                   phrase=_either(N_("it answers one of your intents"),
                                  N_("it answers none of your intents")),
                   odrl=CUSTOS + "answersIntent",
                   form=FormInput(name="intent_only", op="eq", choices={"1": True})),
    ConditionField(name="purpose", kind=PURPOSE, get=lambda q: q.purpose, phrase=_purpose,
                   odrl=ODRL + "purpose", odrl_values="purpose"),
)
FIELDS: Mapping[str, ConditionField] = {f.name: f for f in _FIELDS}
# ODRL left operand -> field, for import (OAC writes the purpose as oac:Purpose)
FIELD_OF: Mapping[str, str] = {f.odrl: f.name for f in _FIELDS} | {OAC + "Purpose": "purpose"}


def phrase(c: Condition, tr: Tr = same) -> str:
    """One condition in words: 'they keep it at most 30 days' (through `tr`, see Tr)."""
    return FIELDS[c.field].phrase(c.op, c.value, tr)
