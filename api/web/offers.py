"""Offers: what vendors sent in answer to intents, delivered or filtered by the butler."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from policies import vocab
from policies.codes import OFFER_PERSON_OVERRIDE
from vault.messages import PERSON

from ..clock import now
from ..errors import InvalidInput
from ..i18n import N_
from ..oauth.server import issuer
from ..services import offer_replies
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
TABS = {"delivered": N_("Delivered"), "filtered": N_("Filtered out"),
        "received": N_("Not yet decided")}


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
    flash(gettext("Delivered to you.") if action == "deliver" else gettext("Filtered out."))
    return redirect(url_for("offers.index", status=offer.status))


def _thread_page(offer_id: str, form=None, errors=None, status: int = 200):
    vault = get_vault()
    offer = own_offer(vault, g.person_id, offer_id)
    thread = offer_replies.thread(vault, offer)
    intent = next((i for i in vault.list_intents(g.person_id) if i.id == offer.intent_id), None)
    return render_template(
        "offer_thread.html", offer=offer, v=_vendor(offer.client_id), thread=thread,
        answer=offer_replies.answered(thread), needs=offer_replies.needs(offer),
        intents=_intent_texts(), categories=INTENT_CATEGORIES, concept=vocab.category,
        days=[d for d in (7, 30, 90) if d <= offer_replies.MAX_DAYS],
        default_days=offer_replies.DEFAULT_DAYS, form=form or {}, errors=errors or {},
        intent=intent), status


def _answered(offer_id: str, action) -> object:
    """Run one of the person's answers; a refusal shows the page again, saying why."""
    try:
        action(own_offer(get_vault(), g.person_id, offer_id))
    except offer_replies.ReplyRefused as refused:
        field = "form" if refused.field == "offer" else refused.field  # no input to point at
        return _thread_page(offer_id, request.form, {field: [str(refused)]}, 400)
    return None


@bp.get("/<offer_id>/thread")
@login_required
def thread(offer_id: str):
    """The offer, its channel with the vendor, and the person's answers: accept, decline."""
    return _thread_page(offer_id)


@bp.post("/<offer_id>/messages")
@login_required
def write(offer_id: str):
    """Ask a question or answer the vendor, through Custos: the vendor never sees her email."""
    refused = _answered(offer_id, lambda offer: offer_replies.send(
        get_vault(), now(), offer, sender=PERSON, text=request.form.get("text", ""),
        issuer=issuer(), mail=None))  # her own message: nothing to email her
    if refused:
        return refused
    flash(gettext("Sent. The vendor sees it under the name it knows you by, never your email."))
    return redirect(url_for("offers.thread", offer_id=offer_id))


@bp.post("/<offer_id>/accept")
@login_required
def accept(offer_id: str):
    """Accept: a short agreement for what she ticked (what the vendor needs, or less)."""
    days = request.form.get("days", "")
    if not (days.isascii() and days.isdigit() and len(days) <= 3):
        return _thread_page(offer_id, request.form, {"days": [gettext("Choose how long.")]}, 400)
    refused = _answered(offer_id, lambda offer: offer_replies.accept(
        get_vault(), now(), offer, categories=request.form.getlist("category"),
        duration_days=int(days), issuer=issuer()))
    if refused:
        return refused
    flash(gettext("Accepted. The vendor has been told, and you can write to each other here."))
    return redirect(url_for("offers.thread", offer_id=offer_id))


@bp.post("/<offer_id>/decline")
@login_required
def decline(offer_id: str):
    refused = _answered(offer_id, lambda offer: offer_replies.decline(
        get_vault(), now(), offer, issuer=issuer()))
    if refused:
        return refused
    flash(gettext("Declined. The vendor has been told."))
    return redirect(url_for("offers.thread", offer_id=offer_id))


@bp.post("/<offer_id>/block")
@login_required
def block(offer_id: str):
    """Blocking a vendor is a change of terms (offers.blocklist), previewed like any other."""
    return block_in_terms(own_offer(get_vault(), g.person_id, offer_id).client_id)
