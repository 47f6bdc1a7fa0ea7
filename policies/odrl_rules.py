"""One ODRL permission or prohibition to one Custos rule (JSON), for `policies.odrl_import`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from . import vocab
from .conditions import FIELD_OF, FIELDS, NUMBER
from .errors import OdrlError, UnknownConcept
from .odrl_common import (
    CUSTOS,
    DAYS,
    DCT,
    DURATION_PERIOD,
    HOURS,
    OAC,
    ODRL,
    vendor_id,
)

READ = {ODRL + "read", OAC + "Read"}
USE = {ODRL + "use"}
SHARE = {ODRL + "distribute", ODRL + "share"}
MODIFY = {ODRL + "modify"}  # a vendor adding records to the person's data (Custos `write`)
PASS_ON = {CUSTOS + "passOn"}  # records other vendors added, passed on (Custos `pass_on`)
PURPOSE = {ODRL + "purpose", OAC + "Purpose"}
NUMBER_OP = NUMBER.from_odrl
DURATION = re.compile(r"^P(?:(\d+)W|(\d+)D)$")
TICK = timedelta(microseconds=1)


def _name(iri: object) -> str:
    s = str(iri)
    return "odrl:" + s.removeprefix(ODRL) if s.startswith(ODRL) else s


class RuleBuilder:
    """Collects one rule's scope and conditions while reading its ODRL constraints."""

    def __init__(self, graph, node, effect: str, inherited: dict) -> None:
        from rdflib import URIRef

        self.g, self.node, self.effect, self.URIRef = graph, node, effect, URIRef
        self.inherited = inherited
        self.rule: dict = {"effect": effect}
        self.conditions: list[dict] = []

    def _objects(self, node, key: str) -> list:
        return list(self.g.objects(node, self.URIRef(ODRL + key)))

    def _own_or_inherited(self, key: str) -> list:
        return self._objects(self.node, key) or self.inherited.get(key, [])

    def _iri(self, value, what: str) -> str:
        from rdflib import URIRef

        if not isinstance(value, URIRef):
            raise OdrlError(
                f"unsupported {what}: only plain IRIs are read here (no collections or refinements)"
            )
        return str(value)

    def build(self, rule_id: str) -> dict:
        self.rule["id"] = rule_id
        title = self.g.value(self.node, self.URIRef(DCT + "title"))
        if title is not None:
            self.rule["label"] = str(title)
        agreement = self.g.value(self.node, self.URIRef(CUSTOS + "agreement"))
        if agreement is not None:
            self.rule["agreement"] = str(agreement)
        self._targets()
        self._actions()
        assignees = [
            vendor_id(self._iri(a, "odrl:assignee")) for a in self._own_or_inherited("assignee")
        ]
        if assignees:
            self.rule["vendors"] = assignees
        for duty in self._objects(self.node, "duty"):
            self._duty(duty)
        for c in self._objects(self.node, "constraint"):
            self._constraint(c)
        if self.conditions:
            self.rule["conditions"] = self.conditions
        return self.rule

    def _targets(self) -> None:
        cats = []
        for t in self._own_or_inherited("target"):
            iri = self._iri(t, "odrl:target")
            if iri.startswith(OAC):
                iri = "pd:" + iri.removeprefix(OAC)
            try:
                cats.append(vocab.category(iri).id)
            except UnknownConcept:
                raise OdrlError(
                    f"unsupported odrl:target <{iri}>: not a DPV personal-data category"
                ) from None
        if cats:
            self.rule["categories"] = cats

    def _actions(self) -> None:
        actions = {self._iri(a, "odrl:action") for a in self._own_or_inherited("action")}
        unknown = actions - READ - USE - SHARE - MODIFY - PASS_ON
        if unknown:
            raise OdrlError(
                f"unsupported action {_name(sorted(unknown)[0])}: Custos reads "
                "use, read, share/distribute, modify and custos:passOn"
            )
        if actions & (MODIFY | PASS_ON):
            named = (["write"] if actions & MODIFY else []) + \
                (["pass_on"] if actions & PASS_ON else [])
            actions -= MODIFY | PASS_ON
            self.rule["actions"] = (["read"] if actions else []) + named
            if not actions:
                return
        if not actions or actions & USE or (actions & READ and actions & SHARE):
            return
        if self.effect == "permit" and actions <= READ:
            self.conditions.append({"field": "third_party_sharing", "op": "eq", "value": False})
        elif actions <= SHARE:
            self.conditions.append({"field": "third_party_sharing", "op": "eq", "value": True})

    def _duty(self, duty) -> None:
        actions = [str(a) for a in self._objects(duty, "action")]
        extra = {str(p) for p in self.g.predicates(duty, None)} - {ODRL + "action"}
        extra.discard("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        if self.effect != "permit" or actions != [ODRL + "obtainConsent"] or extra:
            raise OdrlError(
                "unsupported odrl:duty: only a permission's duty to obtainConsent "
                "(Custos 'ask') is read"
            )
        self.rule["effect"] = "ask"

    def _constraint(self, c) -> None:
        for logical in ("and", "or", "xone", "andSequence"):
            members = self._list(c, logical)
            if members is None:
                continue
            if logical == "and":
                for m in members:
                    self._constraint(m)
                return
            if logical == "or" and all(self._is_purpose_isa(m) for m in members):
                self._scope_purposes([self._one_right(m) for m in members])
                return
            raise OdrlError(
                f"unsupported odrl:{logical} constraint (only odrl:and, and odrl:or "
                "of purpose isA, are read)"
            )
        allowed = {ODRL + k for k in ("leftOperand", "operator", "rightOperand")}
        for p in self.g.predicates(c, None):
            if str(p) not in allowed and not str(p).endswith("#type"):
                raise OdrlError(f"unsupported constraint property {_name(p)}")
        left, op = (
            self.g.value(c, self.URIRef(ODRL + "leftOperand")),
            self.g.value(c, self.URIRef(ODRL + "operator")),
        )
        rights = self._objects(c, "rightOperand")
        if left is None or op is None or not rights:
            raise OdrlError("a constraint needs leftOperand, operator and rightOperand")
        self._map(str(left), str(op).removeprefix(ODRL), rights)

    def _list(self, node, key: str) -> list | None:
        from rdflib.collection import Collection

        heads = self._objects(node, key)
        if not heads:
            return None
        items: list[Any] = []
        for h in heads:
            try:
                items.extend(Collection(self.g, h))
            except Exception:  # not an RDF list: the values themselves
                items.append(h)
        return items

    def _is_purpose_isa(self, m) -> bool:
        left = self.g.value(m, self.URIRef(ODRL + "leftOperand"))
        op = self.g.value(m, self.URIRef(ODRL + "operator"))
        return str(left) in PURPOSE and str(op) == ODRL + "isA"

    def _one_right(self, m) -> str:
        return str(self.g.value(m, self.URIRef(ODRL + "rightOperand")))

    def _scope_purposes(self, iris: list[str]) -> None:
        if "purposes" in self.rule:
            raise OdrlError("more than one purpose isA constraint on one rule")
        self.rule["purposes"] = iris

    def _map(self, left: str, op: str, rights: list) -> None:
        values = [r.toPython() if hasattr(r, "toPython") else r for r in rights]
        strings = [str(r) for r in rights]
        if left in PURPOSE and op == "isA":
            return self._scope_purposes(strings)
        if left == ODRL + "dateTime" and op in NUMBER_OP and len(values) == 1:
            return self._date(op, values[0])
        elif left == ODRL + "count" and op in ("lt", "lteq") and isinstance(values[0], int):
            per = self._interval()
            return self.rule.__setitem__(
                "frequency", {"max": values[0] + (op == "lteq"), "per": per}
            )
        elif left == ODRL + "timeInterval":
            return None  # read together with odrl:count
        elif left == ODRL + "elapsedTime" and op in ("lt", "lteq") and len(strings) == 1:
            return self._add("retention_days", NUMBER_OP[op], self._days(strings[0]))
        elif left == HOURS and op == "eq":
            start, _, end = strings[0].partition("/")
            return self.rule.__setitem__("hours", {"from": start, "to": end})
        elif left == DAYS and op == "isAnyOf":
            return self.rule.__setitem__("days", strings)
        elif left in FIELD_OF:
            return self._custom(FIELD_OF[left], op, values, strings)
        raise OdrlError(f"unsupported constraint: {_name(left)} {op}")

    def _add(self, field: str, op: str, value: object) -> None:
        self.conditions.append({"field": field, "op": op, "value": value})

    def _custom(self, field: str, op: str, values: list, strings: list) -> None:
        """A condition on one of the fields of `policies.conditions`, read by its kind."""
        f = FIELDS[field]
        if op not in f.kind.from_odrl:
            raise OdrlError(f"unsupported operator odrl:{op} for {field}")
        ours = f.kind.from_odrl[op]
        if f.odrl_values == "vendor":
            strings = [vendor_id(s) for s in strings]
        items = values if f.kind.typed else strings
        self._add(field, ours, items[0] if ours in f.kind.single and len(items) == 1 else items)

    def _interval(self) -> str:
        for c in self._objects(self.node, "constraint"):
            if str(self.g.value(c, self.URIRef(ODRL + "leftOperand"))) == ODRL + "timeInterval":
                period = DURATION_PERIOD.get(
                    str(self.g.value(c, self.URIRef(ODRL + "rightOperand")))
                )
                if period:
                    return period
        raise OdrlError(
            "unsupported odrl:count without an odrl:timeInterval of PT1H, P1D, P7D, P1M or P1Y"
        )

    def _days(self, duration: str) -> int:
        m = DURATION.match(duration)
        if not m:
            raise OdrlError(f"unsupported odrl:elapsedTime {duration!r}: use days (P30D) or weeks")
        return int(m.group(1)) * 7 if m.group(1) else int(m.group(2))

    def _date(self, op: str, value: object) -> None:
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise OdrlError(f"odrl:dateTime needs a timezone-aware xsd:dateTime, got {value!r}")
        start, end = self.rule.get("valid_from"), self.rule.get("valid_until")
        lo = {"gt": value + TICK, "gteq": value, "eq": value}.get(op)
        hi = {"lt": value, "lteq": value + TICK, "eq": value + TICK}.get(op)
        if lo is not None:
            self.rule["valid_from"] = (
                max(lo, datetime.fromisoformat(start)).isoformat() if start else lo.isoformat()
            )
        if hi is not None:
            self.rule["valid_until"] = (
                min(hi, datetime.fromisoformat(end)).isoformat() if end else hi.isoformat()
            )
        if op == "neq":
            raise OdrlError("unsupported constraint: odrl:dateTime neq")
