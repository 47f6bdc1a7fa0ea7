"""Standard agreements a person adopts in one step, modelled on IEEE 7012 "MyTerms" and Customer
Commons. Each expands into ordinary rules the person can read, change or drop like their own.

Ids are stable and public: the IEEE 7012-2025 roster ids (`SD-BASE`, `SD-BASE-DP`, `PDC-INTENT`)
where one fits, as listed by the secondary sources in docs/agreements.md (the standard's own
text was not available); Custos's earlier ids stay as aliases, so stored terms keep working.
The texts are Custos's own words (docs/agreements.md says what each follows).

Duties that no access rule can express (portability, deletion on request) are listed as `duties`:
the server writes them into the agreement record and consent receipt the vendor signs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import TermsError
from .schema import load_terms

NO_SHARING = {"field": "third_party_sharing", "op": "eq", "value": True}
PROFILING = [
    "Marketing",
    "Personalisation",
    "ServiceUsageAnalytics",
    "SellDataToThirdParties",
    "SellInsightsFromData",
]


def N_(text: str) -> str:
    """Marks a title or summary for the pages' translations (pybabel -k N_)."""
    return text


@dataclass(frozen=True, kw_only=True)
class Agreement:
    """One standard agreement: what it is called, what it says, and the rules it stands for."""

    id: str
    title: str
    summary: str
    modelled_on: str
    rules: tuple[dict, ...]
    duties: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "modelled_on": self.modelled_on,
            "aliases": list(self.aliases),
            "rules": list(expand(self.id)),
            "duties": list(self.duties),
        }


def _service_rules() -> tuple[dict, ...]:
    return (
        {
            "id": "no-tracking",
            "effect": "deny",
            "purposes": PROFILING,
            "label": "No tracking, profiling, advertising or selling of my data",
        },
        {
            "id": "no-sharing",
            "effect": "deny",
            "conditions": [NO_SHARING],
            "label": "No sharing with third parties",
        },
        {
            "id": "service",
            "effect": "permit",
            "purposes": ["ServiceProvision"],
            "label": "Use my data to deliver the service I asked for",
        },
    )


ROSTER: tuple[Agreement, ...] = (
    Agreement(
        id="SD-BASE",
        aliases=("service-delivery-only",),
        title=N_("Service delivery only"),
        summary=N_("Use my data only to provide the service I asked for: no tracking, no "
        "profiling, no advertising and no sharing with third parties."),
        modelled_on="IEEE 7012 MyTerms SD-BASE; Customer Commons #NoStalking",
        rules=_service_rules(),
    ),
    Agreement(
        id="SD-BASE-DP",
        aliases=("service-delivery-portable",),
        title=N_("Service delivery only, with portability"),
        summary=N_("As 'service delivery only', and you give me my data back in a machine-readable "
        "form whenever I ask."),
        modelled_on="IEEE 7012 MyTerms SD-BASE with data portability",
        rules=_service_rules(),
        duties=("portability",),
    ),
    Agreement(
        id="PDC-INTENT",
        aliases=("intent-casting",),
        title=N_("Data for intent casting"),
        summary=N_("Vendors may see what I intend to buy, with my preferences, only to answer with "
        "an offer; they keep it at most 30 days and share it with no one. No cold "
        "marketing."),
        modelled_on="Customer Commons intent casting; IEEE 7012 MyTerms",
        rules=(
            {
                "id": "answer-intents",
                "effect": "permit",
                "purposes": ["SellProductsToDataSubject", "DirectMarketing"],
                # claims where a raw value is not needed: an age bracket, not the age
                "categories": ["preferences", "demographics.age_bracket", "demographics.over_18",
                               "address.postal_area", "household.size_bracket"],
                "conditions": [
                    {"field": "answers_intent", "op": "eq", "value": True},
                    {"field": "retention_days", "op": "lte", "value": 30},
                    {"field": "third_party_sharing", "op": "eq", "value": False},
                ],
                "label": "Show my intents and preferences to vendors who answer them with an offer",
            },
            {
                "id": "no-cold-marketing",
                "effect": "deny",
                "purposes": ["Marketing"],
                "conditions": [{"field": "answers_intent", "op": "eq", "value": False}],
                "label": "No marketing that does not answer one of my intents",
            },
        ),
    ),
    Agreement(
        id="delete-on-request",
        title=N_("Delete on request"),
        summary=N_("Keep nothing longer than a year, and delete my data as soon as I ask."),
        modelled_on="IEEE 7012 MyTerms; GDPR Art. 17",
        rules=(
            {
                "id": "at-most-a-year",
                "effect": "deny",
                "conditions": [{"field": "retention_days", "op": "gt", "value": 365}],
                "label": "Keep nothing longer than a year",
            },
        ),
        duties=("delete-on-request",),
    ),
)


def roster() -> list[Agreement]:
    """Every standard agreement, in the order the UI shows them."""
    return list(ROSTER)


def find(agreement_id: object) -> Agreement | None:
    """One agreement by its id or an alias; None for anything else."""
    for a in ROSTER:
        if agreement_id == a.id or agreement_id in a.aliases:
            return a
    return None


def agreement(agreement_id: str) -> Agreement:
    """One agreement by id or alias; an unknown id is a `TermsError` naming the field."""
    found = find(agreement_id)
    if found is None:
        raise TermsError("unknown agreement",
                         {"agreements": [f"unknown agreement {str(agreement_id)[:60]!r}"]})
    return found


def canonical(ids: object) -> list[str]:
    """The stable ids of the roster agreements among `ids` (aliases resolved, unknown and
    repeated ones left out), in the order given."""
    found = [find(i) for i in ids] if isinstance(ids, list | tuple) else []
    return list(dict.fromkeys(a.id for a in found if a is not None))


def duties_of(ids: list[str]) -> list[str]:
    """Every duty the given agreements carry, each once, sorted."""
    return sorted({d for i in canonical(ids) for d in agreement(i).duties})


def expand(agreement_id: str) -> list[dict]:
    """The agreement's rules as ordinary terms JSON, ids prefixed by the agreement id."""
    a = agreement(agreement_id)
    return [{**r, "id": f"{a.id}:{r['id']}", "agreement": a.id} for r in a.rules]


def adopt(terms: dict, agreement_id: str) -> dict:
    """Terms JSON with the agreement's rules added (denies first) and the adoption recorded.

    Adopting twice changes nothing. The result is validated; the server then bumps the version.
    """
    a = agreement(agreement_id)
    if a.id in canonical(terms.get("agreements", [])):
        return terms
    new = [r for r in expand(a.id)]
    denies = [r for r in new if r["effect"] == "deny"]
    rest = [r for r in new if r["effect"] != "deny"]
    out = {
        **terms,
        "rules": denies + list(terms.get("rules", [])) + rest,
        "agreements": list(terms.get("agreements", [])) + [a.id],
    }
    load_terms(out)
    return out


def drop(terms: dict, agreement_id: str) -> dict:
    """Terms JSON without the agreement and the rules it brought (under its id or an alias)."""
    names = {agreement_id} | ({a.id, *a.aliases} if (a := find(agreement_id)) else set())
    return {
        **terms,
        "rules": [r for r in terms.get("rules", []) if r.get("agreement") not in names],
        "agreements": [i for i in terms.get("agreements", []) if i not in names],
    }
