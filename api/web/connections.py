"""Connections and receipts: one card per vendor with everything it can read, why and until
when; end one agreement, or every agreement with a vendor at once; the signed receipts."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext, ngettext

from vault.grants import ACTIVE

from ..clock import now
from ..i18n import N_
from ..oauth.server import issuer
from ..services import duties, mandates
from ..services.acceptance import negotiation_of
from ..services.agreements import end_agreement, stop_vendor
from ..services.notify import queue_deletion_request, queue_portability_request
from ..services.ownership import grants_of, own_grant, own_vendor
from ..services.receipts import receipt_view
from ..services.vendors import find_vendor, vendor_names
from ..store import get_settings, get_vault
from .accounts import login_required
from .activity import category_words, describe, purpose_words

bp = Blueprint("connections", __name__)
CHART_DAYS = 30
ENDED = {"revoked": N_("Revoked"), "expired": N_("Expired"), "cut": N_("Ended by your terms"),
         "vendor_disabled": N_("Ended: the operator disabled the vendor"),
         "account_closed": N_("Ended: you closed your account")}


def _vendor(client_id: str) -> dict:
    client = find_vendor(get_vault(), client_id)
    metadata = client.metadata if client else {}
    return {"id": client_id, "name": metadata.get("client_name") or client_id,
            "uri": metadata.get("client_uri"),
            "certifications": metadata.get("custos_certifications") or [],
            "verified": metadata.get("custos_verified_certifications") or [],
            "jurisdiction": metadata.get("custos_jurisdiction"),
            "accepts": metadata.get("custos_accepts_agreements")}


def _own_grant(grant_id: str):
    return own_grant(get_vault(), g.person_id, grant_id)


def _daily_reads(grant_ids: set[str]) -> dict[str, list[int]]:
    """Allowed reads per agreement per day, over the last CHART_DAYS days, oldest first."""
    today = now().date()
    start = today - timedelta(days=CHART_DAYS - 1)
    counts: dict[str, Counter] = {gid: Counter() for gid in grant_ids}
    since = now() - timedelta(days=CHART_DAYS)
    for entry in get_vault().list_events(g.person_id, kinds=["access_attempted"], since=since):
        gid = entry.payload.get("grant_id")
        if gid in counts and entry.payload.get("outcome") == "allowed":
            counts[gid][(entry.at.date() - start).days] += 1
    return {gid: [c[i] for i in range(CHART_DAYS)] for gid, c in counts.items()}


def _state(grant, live: bool) -> str:
    if live:
        return N_("Active")
    if grant.status == ACTIVE:  # past its expiry, not yet swept by the jobs
        return N_("Expired")
    return ENDED.get(grant.end_reason or grant.status,
                     (grant.end_reason or grant.status).replace("_", " ").capitalize())


DECIDED = {"terms": N_("your terms"), "person": N_("you"), "person_narrowed": N_("you (narrowed)"),
           "agent": N_("your agent"), "agent_narrowed": N_("your agent (narrowed)")}


def _decided(grant) -> str:
    """Who made the agreement, in words: an agent by name (issue 13)."""
    words = gettext(DECIDED[grant.decided_by]) if grant.decided_by in DECIDED else str(
        grant.decided_by)
    if agent := mandates.agent_of(grant.extra.get("actor")):
        client = find_vendor(get_vault(), agent)
        name = (client.metadata.get("client_name") if client else None) or agent
        return words.replace(gettext("your agent"), gettext("your agent %(name)s", name=name))
    return words


def describe_grant(grant) -> dict:
    live = grant.live(now())
    return {"grant": grant, "vendor": _vendor(grant.client_id), "live": live,
            "state": _state(grant, live), "agent": mandates.is_agent(grant),
            "decided": _decided(grant),
            "negotiation": negotiation_of(get_vault(), grant.id),
            "what": category_words(list(grant.categories)), "why": purpose_words(grant.purpose)}


def _readable(rows: list[dict]) -> str:
    """Everything the live agreements among `rows` let the vendor read, oldest first."""
    seen = dict.fromkeys(c for r in sorted(rows, key=lambda r: r["grant"].created_at)
                         if r["live"] for c in r["grant"].categories)
    return category_words(list(seen))


def _vendor_cards() -> list[dict]:
    """One card per vendor with data agreements, newest first: live ones, ended ones apart."""
    cards: dict[str, dict] = {}
    for grant in grants_of(get_vault(), g.person_id):
        row = describe_grant(grant)
        card = cards.setdefault(grant.client_id, {"vendor": row["vendor"], "live": [],
                                                  "ended": [], "agent": False})
        if row["agent"]:  # an agent acting for the person: listed in settings, noted here
            card["agent"] = card["agent"] or row["live"]
        else:
            card["live" if row["live"] else "ended"].append(row)
    found = [c | {"what": _readable(c["live"])} for c in cards.values() if c["live"] or c["ended"]]
    charts = _daily_reads({r["grant"].id for c in found for r in c["live"]})
    for card in found:
        series = [charts[r["grant"].id] for r in card["live"]]
        card["reads"] = [sum(day) for day in zip(*series, strict=True)] or [0] * CHART_DAYS
    return found


def agents() -> list[dict]:
    """The agents acting for the person now: what each may do, and what each did lately."""
    vault = get_vault()
    live = [gr for gr in grants_of(vault, g.person_id)
            if mandates.is_agent(gr) and gr.live(now())]
    if not live:
        return []
    names = vendor_names(vault)
    events = vault.list_events(g.person_id, since=now() - timedelta(days=CHART_DAYS))
    found = []
    for grant in live:
        actor = mandates.agent(grant.client_id)
        did = [e for e in events if e.payload.get("actor") == actor][-5:][::-1]
        found.append(describe_grant(grant) | {
            "mandates": [mandates.WORDS[m] for m in mandates.of(grant)],
            "did": [(e, describe(e, names.get)) for e in did]})
    return found


@bp.get("/connections")
@login_required
def index():
    cards = _vendor_cards()
    record = duties.compliance(get_vault(), g.person_id, now())
    for card in cards:
        card["compliance"] = record.get(card["vendor"]["id"])
    return render_template("connections.html", live=[c for c in cards if c["live"]],
                           ended=[c for c in cards if not c["live"]], days=CHART_DAYS,
                           agents=agents())


def _still_read(grant) -> str | None:
    """What the vendor can still read under its other live agreements, in words, if any."""
    others = [describe_grant(gr) for gr in own_vendor(get_vault(), g.person_id, grant.client_id)
              if gr.id != grant.id and not mandates.is_agent(gr)]
    return _readable(others) if any(r["live"] for r in others) else None


@bp.get("/connections/<grant_id>/revoke")
@login_required
def confirm_revoke(grant_id: str):
    grant = _own_grant(grant_id)
    row = describe_grant(grant)
    return render_template("revoke.html", row=row, name=row["vendor"]["name"],
                           others=_still_read(grant))


@bp.post("/connections/<grant_id>/revoke")
@login_required
def revoke(grant_id: str):
    """Ends the agreement and every token of it before the page comes back."""
    grant = _own_grant(grant_id)
    row = describe_grant(grant)
    name = row["vendor"]["name"]
    ended = end_agreement(get_vault(), grant_id, "revoked", now=now(), issuer=issuer(),
                          actor=mandates.PERSON, ack_days=get_settings().duty_ack_days)
    if ended is not None and row["agent"]:
        flash(gettext("%(name)s no longer acts for you. Your other agents are unchanged.",
                      name=name))
    elif ended is not None:
        still = _still_read(grant)
        flash(gettext("%(name)s can no longer read your %(what)s under this agreement, and has "
                      "been told to delete it. %(name)s can still read your %(still)s under "
                      "another agreement.", name=name, what=row["what"], still=still) if still
              else gettext("%(name)s no longer has access. They have been told to delete what "
                           "they hold.", name=name))
    return redirect(url_for("connections.index"))


@bp.get("/connections/vendors/<client_id>/stop")
@login_required
def confirm_stop(client_id: str):
    rows = [describe_grant(gr) for gr in own_vendor(get_vault(), g.person_id, client_id)]
    return render_template("revoke.html", everything=True, name=_vendor(client_id)["name"],
                           rows=[r for r in rows if r["live"]], client_id=client_id)


@bp.post("/connections/vendors/<client_id>/stop")
@login_required
def stop(client_id: str):
    """Stop sharing everything with one vendor: every agreement ends at once, each notified."""
    own_vendor(get_vault(), g.person_id, client_id)
    name = _vendor(client_id)["name"]
    ended = stop_vendor(get_vault(), g.person_id, client_id, now=now(), issuer=issuer(),
                        ack_days=get_settings().duty_ack_days)
    if ended:
        flash(ngettext("%(name)s can no longer read anything of yours: %(num)s agreement ended. "
                       "They have been told to delete what they hold.",
                       "%(name)s can no longer read anything of yours: %(num)s agreements "
                       "ended. They have been told to delete what they hold.", len(ended),
                       name=name))
    else:
        flash(gettext("%(name)s could already read nothing of yours.", name=name))
    return redirect(url_for("connections.index"))


@bp.post("/connections/<grant_id>/portability")
@login_required
def ask_for_data(grant_id: str):
    """The `portability` duty: a signed request to the vendor for the person's data back."""
    grant = _own_grant(grant_id)
    name = _vendor(grant.client_id)["name"]
    if not grant.live(now()) or not duties.owes(get_vault(), grant, "portability"):
        flash(gettext("Your agreement with %(vendor)s does not include giving your data back.",
                      vendor=name))
    elif queue_portability_request(get_vault(), grant, now=now(), issuer=issuer(),
                                   ack_days=get_settings().duty_ack_days) is None:
        flash(gettext("%(vendor)s registered no address for requests; ask them directly.",
                      vendor=name))
    else:
        flash(gettext("%(vendor)s has been asked for your data back. It will appear on this "
                      "page when they answer.", vendor=name))
    return redirect(url_for("connections.index"))


@bp.post("/connections/<grant_id>/deletion")
@login_required
def ask_to_delete(grant_id: str):
    """The `delete-on-request` duty: a signed request to delete what the vendor holds now,
    confirmed by its signed answer; the agreement itself goes on (Revoke ends it)."""
    grant = _own_grant(grant_id)
    name = _vendor(grant.client_id)["name"]
    if not grant.live(now()) or not duties.owes(get_vault(), grant, "delete-on-request"):
        flash(gettext("Your agreement with %(vendor)s does not include deleting on request.",
                      vendor=name))
    elif queue_deletion_request(get_vault(), grant, now=now(), issuer=issuer(),
                                ack_days=get_settings().duty_ack_days) is None:
        flash(gettext("%(vendor)s registered no address for requests; ask them directly.",
                      vendor=name))
    else:
        flash(gettext("%(vendor)s has been asked to delete what it holds about you, and to "
                      "confirm it.", vendor=name))
    return redirect(url_for("connections.index"))


@bp.get("/connections/returns/<duty_id>.json")
@login_required
def returned(duty_id: str):
    """What a vendor gave back (from its signed answer), as a file."""
    data = duties.returned_data(get_vault(), g.person_id, duty_id[:64])
    if data is None:
        abort(404)
    return Response(json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition":
                             f'attachment; filename="returned-{duty_id[:36]}.json"'})


@bp.get("/receipts")
@login_required
def receipts():
    grants = grants_of(get_vault(), g.person_id)
    rows = sorted((describe_grant(gr) for gr in grants),
                  key=lambda r: -r["grant"].created_at.timestamp())
    return render_template("receipts.html", rows=rows)


@bp.get("/receipts/<grant_id>")
@login_required
def receipt(grant_id: str):
    grant = _own_grant(grant_id)
    view = receipt_view(get_vault(), grant)
    return render_template("receipt.html", row=describe_grant(grant), view=view,
                           pretty=json.dumps(view["receipt"], indent=2, ensure_ascii=False))


@bp.get("/receipts/<grant_id>.<fmt>")
@login_required
def download_receipt(grant_id: str, fmt: str):
    view = receipt_view(get_vault(), _own_grant(grant_id))
    if fmt == "json":
        body, mimetype = json.dumps(view["receipt"], indent=2, ensure_ascii=False), \
            "application/json"
    elif fmt == "jws":
        body, mimetype = view["jws"], "application/jose"
    else:
        abort(404)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="custos-receipt-{view["id"]}.{fmt}"'})
