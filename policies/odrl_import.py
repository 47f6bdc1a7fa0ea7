"""Import an ODRL 2.2 policy (JSON-LD or Turtle, read with rdflib) as Custos terms.

Supported: permissions and prohibitions; DPV personal-data targets (and OAC's); actions use,
read and share/distribute; assignees; constraints on purpose (eq, neq, isA with DPV subsumption,
isAnyOf, isNoneOf, an `or` of isA), dateTime, recipient, count with timeInterval, elapsedTime,
and the Custos profile operands. Anything else raises `OdrlError` naming the construct.
"""

from __future__ import annotations

import json
import warnings
from importlib import resources

from .errors import OdrlError, TermsError
from .model import Terms
from .odrl_common import CUSTOS, DCT, OAC, ODRL, ODRL_CONTEXT_URL, rule_id
from .odrl_rules import RuleBuilder
from .schema import load_terms

POLICY_TYPES = ("Policy", "Set", "Offer", "Agreement")
RULE_KEYS = {
    ODRL + k for k in ("uid", "target", "action", "assignee", "assigner", "constraint", "duty")
} | {DCT + "title", DCT + "description", CUSTOS + "agreement"}
POLICY_KEYS = {
    ODRL + k
    for k in (
        "uid",
        "permission",
        "prohibition",
        "profile",
        "conflict",
        "assigner",
        "target",
        "assignee",
        "action",
    )
} | {CUSTOS + k for k in ("version", "default", "agreements", "ruleOrder",
                                   "duties")}  # duties: implied by the agreement ids
INHERITED = ("target", "assignee", "action")


def _context() -> dict:
    text = resources.files("policies").joinpath("data", "odrl-context.json").read_text("utf-8")
    return json.loads(text)["@context"]


def _inline_contexts(node: object) -> object:
    """Swap the ODRL context URL for the packaged copy; refuse any other remote context."""
    if isinstance(node, list):
        return [_inline_contexts(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, object] = {}
    for key, value in node.items():
        if key == "@context":
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, str) and item.rstrip("/") != ODRL_CONTEXT_URL:
                    raise OdrlError(
                        f"unsupported JSON-LD context {item!r}: "
                        "only the ODRL context is known offline; inline the others"
                    )
            out[key] = [_context() if isinstance(i, str) else i for i in items]
        else:
            out[key] = _inline_contexts(value)
    return out


def parse_graph(text: str, format: str | None = None):
    """An rdflib graph from JSON-LD or Turtle text (format guessed from the first character)."""
    from rdflib import Graph

    fmt = format or ("json-ld" if text.lstrip()[:1] in "{[" else "turtle")
    graph = Graph()
    try:
        with warnings.catch_warnings():
            # rdflib 7's JSON-LD parser warns about its own use of ConjunctiveGraph
            warnings.simplefilter("ignore", DeprecationWarning)
            if fmt == "json-ld":
                doc = _inline_contexts(json.loads(text))
                graph.parse(data=json.dumps(doc), format="json-ld")
            else:
                graph.parse(data=text, format=fmt)
    except OdrlError:
        raise
    except Exception as e:  # rdflib raises many kinds; the person needs one clear line
        raise OdrlError(
            f"not a readable ODRL policy ({fmt}): {str(e).splitlines()[0][:200]}"
        ) from None
    return graph


def _short(iri: object) -> str:
    s = str(iri)
    for ns, prefix in ((ODRL, "odrl:"), (CUSTOS, "custos:"), (OAC, "oac:"), (DCT, "dct:")):
        if s.startswith(ns):
            return prefix + s.removeprefix(ns)
    return s


def _policy(graph) -> object:
    from rdflib import RDF, URIRef

    found = {s for t in POLICY_TYPES for s in graph.subjects(RDF.type, URIRef(ODRL + t))}
    for p in ("permission", "prohibition", "obligation"):
        found |= set(graph.subjects(URIRef(ODRL + p), None))
    if not found:
        raise OdrlError("no ODRL policy found (expected a Set, Offer, Agreement or Policy)")
    if len(found) > 1:
        raise OdrlError(f"{len(found)} ODRL policies in one document; import them one at a time")
    return found.pop()


def _check_keys(graph, node, allowed: set[str], where: str) -> None:
    from rdflib import RDF

    for pred in set(graph.predicates(node, None)):
        if pred != RDF.type and str(pred) not in allowed:
            raise OdrlError(f"unsupported ODRL construct {_short(pred)} on {where}")


def odrl_to_terms_json(text: str, format: str | None = None) -> dict:
    """Custos terms JSON for an ODRL policy (not yet validated)."""
    from rdflib import URIRef

    graph = parse_graph(text, format)
    policy = _policy(graph)
    _check_keys(
        graph,
        policy,
        POLICY_KEYS | {DCT + k for k in ("description", "source", "title", "creator", "issued")},
        "the policy",
    )
    one = lambda s, p: graph.value(s, URIRef(p))  # noqa: E731
    conflict = one(policy, ODRL + "conflict")
    if conflict is not None and str(conflict) != ODRL + "prohibit":
        raise OdrlError(
            f"unsupported odrl:conflict {_short(conflict)}: Custos resolves "
            "conflicts as odrl:prohibit (deny overrides)"
        )
    inherited = {k: list(graph.objects(policy, URIRef(ODRL + k))) for k in INHERITED}
    rules = []
    for kind, effect in (("permission", "permit"), ("prohibition", "deny")):
        for n, node in enumerate(sorted(graph.objects(policy, URIRef(ODRL + kind)), key=str), 1):
            _check_keys(graph, node, RULE_KEYS, f"{kind} {_short(node)}")
            builder = RuleBuilder(graph, node, effect, inherited)
            rid = rule_id(str(node) if not _blank(node) else None, f"{kind}-{n}")
            rules.append(builder.build(rid))
    order = one(policy, CUSTOS + "ruleOrder")
    if order is not None:
        rank = {rule_id(i, i): k for k, i in enumerate(str(order).split())}
        rules.sort(key=lambda r: rank.get(r["id"], len(rank)))
    terms: dict = {"rules": rules}
    for key in ("version", "default"):
        value = one(policy, CUSTOS + key)
        if value is not None:
            terms[key] = value.toPython()
    agreements = list(graph.objects(policy, URIRef(CUSTOS + "agreements")))
    if agreements:
        terms["agreements"] = [w for a in agreements for w in str(a).split()]
    return terms


def _blank(node) -> bool:
    from rdflib import BNode

    return isinstance(node, BNode)


def import_odrl(text: str, format: str | None = None) -> Terms:
    """Validated Custos terms for an ODRL policy; `OdrlError` names what cannot be imported."""
    data = odrl_to_terms_json(text, format)
    try:
        return load_terms(data)
    except TermsError as e:
        raise OdrlError(f"the ODRL policy does not make valid terms: {e}", e.messages) from None
