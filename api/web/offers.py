"""Offers: what vendors sent in answer to intents, delivered or filtered by the butler."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from policies.codes import OFFER_PERSON_OVERRIDE

from ..clock import now
from ..errors import InvalidInput
from ..services.offer_actions import decide_offer
from ..services.ownership import offers_of, own_offer
from ..store import get_vault
from .accounts import login_required
from .connections import _vendor
from .forms import INTENT_CATEGORIES
from .offer_rules import block_in_terms
from .terms import current
from .terms_words import rules_of

bp = Blueprint("offers", __name__, url_prefix="/offers")
TABS = {"delivered": "Delivered", "filtered": "Filtered out", "received": "Not yet decided"}


def _intent_texts() -> dict[str, str]:
    return {i.id: i.data.get("text", "") for i in get_vault().list_intents(g.person_id)}


@bp.get("")
@login_required
def index():
    tab = request.args.get("status", "delivered")
    if tab not in TABS:
        tab = "delivered"
    intent = request.args.get("intent") or None
    offers = [o for o in offers_of(get_vault(), g.person_id)
              if intent is None or o.intent_id == intent]
    counts = {key: sum(1 for o in offers if o.status == key) for key in TABS}
    shown = [o for o in offers if o.status == tab]
    blocked = set(rules_of(current()[1])["blocklist"])
    return render_template("offers.html", tab=tab, tabs=TABS, counts=counts, offers=shown,
                           intents=_intent_texts(), vendor=_vendor, blocked=blocked,
                           intent=intent, categories=INTENT_CATEGORIES)


@bp.post("/<offer_id>")
@login_required
def decide(offer_id: str):
    """The person overrides the butler: deliver a filtered offer anyway, or filter one."""
    action = request.form.get("decision", "")
    if action not in ("deliver", "filter"):
        raise InvalidInput("Choose deliver or filter.", fields={"decision": ["unknown"]})
    reason = {"code": OFFER_PERSON_OVERRIDE, "text": "You decided this yourself"}
    try:
        offer = decide_offer(get_vault(), g.person_id, offer_id, action, [reason], by="person",
                             now=now())
    except InvalidInput as refused:  # expired, or its intent ended: say so beside the offers
        flash(" ".join(refused.fields.get("decision", [])) or refused.description, "error")
        status = own_offer(get_vault(), g.person_id, offer_id).status
        return redirect(url_for("offers.index", status=status))
    flash("Delivered to you." if action == "deliver" else "Filtered out.")
    return redirect(url_for("offers.index", status=offer.status))


@bp.post("/<offer_id>/block")
@login_required
def block(offer_id: str):
    """Blocking a vendor is a change of terms (offers.blocklist), previewed like any other."""
    return block_in_terms(own_offer(get_vault(), g.person_id, offer_id).client_id)
