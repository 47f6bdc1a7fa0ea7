"""Export Custos terms as an ODRL 2.2 policy in JSON-LD (DPV purposes and categories).

The policy imports back (`policies.odrl_import`) to terms with the same decisions. The butler's
offer rules are not part of the export: ODRL has nothing to say about offers.
"""

from __future__ import annotations

from . import vocab
from .conditions import FIELDS
from .model import PASS_ON, READ, WRITE, Condition, Effect, Rule, Terms
from .odrl_common import (
    CUSTOS,
    DAYS,
    HOURS,
    ODRL_CONTEXT_URL,
    OPERATOR,
    PERIOD_DURATION,
    rule_iri,
    vendor_iri,
)
from .schema import DAYS as DAY_NAMES

CONTEXT = [
    ODRL_CONTEXT_URL,
    {
        "dpv": "https://w3id.org/dpv#",
        "pd": "https://w3id.org/dpv/pd#",
        "dct": "http://purl.org/dc/terms/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "custos": CUSTOS,
    },
]


def _constraint(left: str, op: str, right: object) -> dict:
    return {"leftOperand": left, "operator": op, "rightOperand": right}


def _purpose_ref(name: str) -> dict:
    return {"@id": vocab.purpose(name).iri}


def _condition(c: Condition) -> dict:
    f = FIELDS[c.field]
    if f.odrl_values == "plain":
        return _constraint(f.odrl, OPERATOR[c.op],
                           list(c.value) if isinstance(c.value, tuple) else c.value)
    names = list(c.value) if isinstance(c.value, tuple) else [str(c.value)]
    refs = [_purpose_ref(n) if f.odrl_values == "purpose" else {"@id": vendor_iri(n)}
            for n in names]
    return _constraint(f.odrl, OPERATOR[c.op], refs[0] if c.op in f.kind.single else refs)


def _constraints(rule: Rule) -> list[dict]:
    out: list[dict] = []
    if rule.purposes is not None:
        isas = [_constraint("purpose", "isA", _purpose_ref(p)) for p in rule.purposes]
        out.append(isas[0] if len(isas) == 1 else {"or": isas})
    if rule.valid_from is not None:
        out.append(
            _constraint(
                "dateTime", "gteq", {"@value": rule.valid_from.isoformat(), "@type": "xsd:dateTime"}
            )
        )
    if rule.valid_until is not None:
        out.append(
            _constraint(
                "dateTime", "lt", {"@value": rule.valid_until.isoformat(), "@type": "xsd:dateTime"}
            )
        )
    if rule.frequency is not None:
        out.append(_constraint("count", "lt", rule.frequency.max))
        out.append(_constraint("timeInterval", "eq", PERIOD_DURATION[rule.frequency.per]))
    if rule.hours is not None:
        a, b = rule.hours
        out.append(_constraint(HOURS, "eq", f"{a.isoformat()}/{b.isoformat()}"))
    if rule.days is not None:
        out.append(_constraint(DAYS, "isAnyOf", [DAY_NAMES[d] for d in rule.days]))
    out.extend(_condition(c) for c in rule.conditions)
    return out


ACTION_NAMES = {READ: "use", WRITE: "modify", PASS_ON: "custos:passOn"}


def export_rule(rule: Rule) -> dict:
    """One rule as an ODRL permission (with an obtainConsent duty for 'ask') or prohibition."""
    actions = [ACTION_NAMES[a] for a in rule.actions]
    node: dict = {"uid": rule_iri(rule.id), "action": actions[0] if len(actions) == 1 else actions}
    if rule.label:
        node["dct:title"] = rule.label
    if rule.agreement:
        node["custos:agreement"] = rule.agreement
    if rule.categories is not None:
        node["target"] = [vocab.category(c).iri for c in rule.categories]
    if rule.vendors is not None:
        node["assignee"] = [vendor_iri(v) for v in rule.vendors]
    constraints = _constraints(rule)
    if constraints:
        node["constraint"] = constraints
    if rule.effect is Effect.ASK:
        node["duty"] = [{"action": "obtainConsent"}]
    return node


def export_odrl(terms: Terms) -> dict:
    """The whole terms as one ODRL Set policy (JSON-LD, ready for json.dumps)."""
    policy: dict = {
        "@context": CONTEXT,
        "@type": "Set",
        "uid": f"urn:custos:terms:v{terms.version}",
        "profile": "https://w3id.org/oac",
        "conflict": "prohibit",
        "custos:default": terms.default.value,
    }
    if terms.version:  # 0: never saved, so no version to carry
        policy["custos:version"] = terms.version
    if terms.agreements:
        policy["custos:agreements"] = " ".join(terms.agreements)
    permissions = [export_rule(r) for r in terms.rules if r.effect is not Effect.DENY]
    prohibitions = [export_rule(r) for r in terms.rules if r.effect is Effect.DENY]
    order = [rule_iri(r.id) for r in terms.rules]
    policy["custos:ruleOrder"] = " ".join(order)
    if permissions:
        policy["permission"] = permissions
    if prohibitions:
        policy["prohibition"] = prohibitions
    return policy
