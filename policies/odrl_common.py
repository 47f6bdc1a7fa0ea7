"""What ODRL import and export share: namespaces, the Custos profile terms, and value mappings.

Custos terms say more than ODRL 2.2 core can (retention, sharing, certifications, time of day,
'ask'); those travel as constraints whose left operands live in the Custos profile namespace
`urn:custos:odrl:`, and 'ask' as a permission with an `obtainConsent` duty.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

ODRL = "http://www.w3.org/ns/odrl/2/"
ODRL_CONTEXT_URL = "http://www.w3.org/ns/odrl.jsonld"
OAC = "https://w3id.org/oac#"
CUSTOS = "urn:custos:odrl:"
RULE_PREFIX = "urn:custos:rule:"
VENDOR_PREFIX = "urn:custos:vendor:"
DCT = "http://purl.org/dc/terms/"

# A condition field's left operand is defined with the field, in `policies.conditions`.
HOURS = CUSTOS + "timeOfDay"
DAYS = CUSTOS + "dayOfWeek"

# Custos operator -> ODRL operator (each kind reads its own back: `conditions.Kind.from_odrl`)
OPERATOR = {
    "eq": "eq",
    "ne": "neq",
    "lt": "lt",
    "lte": "lteq",
    "gt": "gt",
    "gte": "gteq",
    "in": "isAnyOf",
    "not_in": "isNoneOf",
    "has": "isAllOf",
    "has_all": "isAllOf",
    "has_any": "isAnyOf",
    "has_none": "isNoneOf",
}

PERIOD_DURATION = {"hour": "PT1H", "day": "P1D", "week": "P7D", "month": "P1M", "year": "P1Y"}
DURATION_PERIOD = {v: k for k, v in PERIOD_DURATION.items()} | {"P1W": "week"}


def rule_iri(rule_id: str) -> str:
    return RULE_PREFIX + quote(rule_id, safe="")


def vendor_iri(vendor_id: str) -> str:
    """Vendors that already are IRIs stay so; plain ids get the Custos vendor URN."""
    return vendor_id if ":" in vendor_id else VENDOR_PREFIX + quote(vendor_id, safe="")


def vendor_id(iri: str) -> str:
    return unquote(iri.removeprefix(VENDOR_PREFIX)) if iri.startswith(VENDOR_PREFIX) else iri


def rule_id(iri: str | None, fallback: str) -> str:
    """A readable rule id from an ODRL rule's uid (its last segment), or the fallback."""
    if not iri or iri.startswith("_:") or iri.startswith("N") and ":" not in iri:
        return fallback
    if iri.startswith(RULE_PREFIX):
        return unquote(iri.removeprefix(RULE_PREFIX))
    tail = iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
    return tail.rsplit(":", 1)[-1] if tail.startswith("urn:") else tail or fallback
