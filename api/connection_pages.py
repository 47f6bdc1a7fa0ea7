"""Connections and receipts: who has what of the person, why, until when; revoke at once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for

from .accounts import login_required
from .activity import category_words, purpose_words
from .clock import now
from .oauth.agreements import end_agreement
from .oauth.ownership import own_grant
from .oauth.receipts import receipt_view
from .store import get_vault

bp = Blueprint("connections", __name__)
CHART_DAYS = 30


def _vendor(client_id: str) -> dict:
    client = get_vault().agreements.clients.find(client_id)
    metadata = client.metadata if client else {}
    return {"id": client_id, "name": metadata.get("client_name") or client_id,
            "uri": metadata.get("client_uri"),
            "certifications": metadata.get("custos_certifications") or [],
            "verified": metadata.get("custos_verified_certifications") or [],
            "jurisdiction": metadata.get("custos_jurisdiction")}


def _own_grant(grant_id: str):
    return own_grant(g.person_id, grant_id)


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


def describe_grant(grant) -> dict:
    return {"grant": grant, "vendor": _vendor(grant.client_id), "live": grant.live(now()),
            "what": category_words(list(grant.categories)), "why": purpose_words(grant.purpose)}


@bp.get("/connections")
@login_required
def index():
    grants = [gr for gr in get_vault().agreements.grants.for_person(g.person_id)
              if not gr.extra.get("person")]  # agents acting for the person live in settings
    rows = sorted((describe_grant(gr) for gr in grants),
                  key=lambda r: (not r["live"], -r["grant"].created_at.timestamp()))
    charts = _daily_reads({r["grant"].id for r in rows if r["live"]})
    return render_template("connections.html", rows=rows, charts=charts, days=CHART_DAYS)


@bp.get("/connections/<grant_id>/revoke")
@login_required
def confirm_revoke(grant_id: str):
    return render_template("revoke.html", row=describe_grant(_own_grant(grant_id)))


@bp.post("/connections/<grant_id>/revoke")
@login_required
def revoke(grant_id: str):
    """Ends the agreement and every token of it before the page comes back."""
    row = describe_grant(_own_grant(grant_id))
    if end_agreement(grant_id, "revoked") is not None:
        flash(f"{row['vendor']['name']} no longer has access. They have been told to delete "
              f"what they hold.")
    return redirect(url_for("connections.index"))


@bp.get("/receipts")
@login_required
def receipts():
    grants = get_vault().agreements.grants.for_person(g.person_id)
    rows = sorted((describe_grant(gr) for gr in grants),
                  key=lambda r: -r["grant"].created_at.timestamp())
    return render_template("receipts.html", rows=rows)


@bp.get("/receipts/<grant_id>")
@login_required
def receipt(grant_id: str):
    grant = _own_grant(grant_id)
    view = receipt_view(grant)
    return render_template("receipt.html", row=describe_grant(grant), view=view,
                           pretty=json.dumps(view["receipt"], indent=2, ensure_ascii=False))


@bp.get("/receipts/<grant_id>.<fmt>")
@login_required
def download_receipt(grant_id: str, fmt: str):
    view = receipt_view(_own_grant(grant_id))
    if fmt == "json":
        body, mimetype = json.dumps(view["receipt"], indent=2, ensure_ascii=False), \
            "application/json"
    elif fmt == "jws":
        body, mimetype = view["jws"], "application/jose"
    else:
        abort(404)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="custos-receipt-{view["id"]}.{fmt}"'})
