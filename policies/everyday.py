"""Everyday purposes: what a person means ("send me offers I asked for") mapped onto DPV.

The one table behind the rule builder's choices and the rule sentences. Each row names the DPV
purposes it stands for; a rule stores those DPV ids, never the row, so the engine, ODRL and the
receipts keep speaking DPV. A DPV purpose belongs to the first row that holds it or a broader
purpose of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import vocab


def N_(text: str) -> str:
    """Marks a choice for the pages' translations (pybabel -k N_); the table keeps English."""
    return text


@dataclass(frozen=True, kw_only=True)
class Everyday:
    """One everyday purpose: its id, the words of the choice, the verb phrase of a sentence."""

    id: str
    choice: str  # as the person picks it: "Send me offers I asked for"
    act: str  # as a sentence says it: "send you offers"
    purposes: tuple[str, ...]  # DPV purpose ids


TABLE: tuple[Everyday, ...] = (
    Everyday(id="deliver", choice=N_("Deliver what I ordered"), act=N_("deliver what you ordered"),
             purposes=("RequestedServiceProvision", "CustomerOrderManagement",
                       "PaymentManagement")),
    Everyday(id="account", choice=N_("Run my account and answer my questions"),
             act=N_("run your account and answer your questions"),
             purposes=("AccountManagement", "ServiceRegistration", "IdentityAuthentication",
                       "CustomerCare", "CustomerClaimsManagement")),
    Everyday(id="offers", choice=N_("Send me offers I asked for"), act=N_("send you offers"),
             purposes=("SellProductsToDataSubject", "ProvideProductRecommendations")),
    Everyday(id="marketing", choice=N_("Advertise to me"), act=N_("advertise to you"),
             purposes=("Marketing",)),
    Everyday(id="personalise", choice=N_("Personalise what I see"),
             act=N_("personalise what you see"),
             purposes=("Personalisation",)),
    Everyday(id="improve", choice=N_("Improve their service"), act=N_("improve their service"),
             purposes=("ServiceOptimisation", "ServiceUsageAnalytics")),
    Everyday(id="sell", choice=N_("Sell or share my data"), act=N_("sell or share it"),
             purposes=("SellDataToThirdParties", "SellInsightsFromData")),
    Everyday(id="research", choice=N_("Research and statistics"),
             act=N_("do research or statistics"),
             purposes=("ResearchAndDevelopment", "ProvideOfficialStatistics")),
    Everyday(id="safety", choice=N_("Keep to the law and prevent fraud"),
             act=N_("keep to the law or prevent fraud"),
             purposes=("LegalCompliance", "FraudPreventionAndDetection", "EnforceSecurity")),
)
BY_ID = {e.id: e for e in TABLE}
#: broad DPV purposes that no row holds, in a sentence's words
ACTS = {"ServiceProvision": N_("provide the service you asked for")}


def expand(ids: list[str]) -> list[str]:
    """The DPV purposes of the chosen rows, in table order, each once (unknown ids dropped:
    the form offers only the table's)."""
    out: list[str] = []
    for e in TABLE:
        if e.id in ids:
            out += [p for p in e.purposes if p not in out]
    return out


def split(purposes: list[str]) -> tuple[list[str], list[str]]:
    """(rows whose purposes are all present, the DPV purposes no chosen row accounts for)."""
    chosen = [e.id for e in TABLE if set(e.purposes) <= set(purposes)]
    covered = set(expand(chosen))
    return chosen, [p for p in purposes if p not in covered]


def row_of(purpose: str) -> Everyday | None:
    """The first row that holds this purpose or a broader one."""
    for e in TABLE:
        if any(vocab.narrower_or_equal(purpose, p) for p in e.purposes):
            return e
    return None


def acts(purposes: tuple[str, ...], tr: Callable[[str], str] = str) -> list[str]:
    """What a rule's purposes let vendors do, as phrases after "use your data": "to send you
    offers", "for account management"; each phrase once. `tr` translates (the pages' gettext;
    DPV labels stay English)."""
    out: list[str] = []
    for p in purposes:
        row = row_of(p)
        if row is not None:
            phrase = tr(N_("to {act}")).format(act=tr(row.act))
        elif p in ACTS:
            phrase = tr(N_("to {act}")).format(act=tr(ACTS[p]))
        else:
            phrase = tr(N_("for {purpose}")).format(purpose=vocab.purpose(p).label.lower())
        if phrase not in out:
            out.append(phrase)
    return out
