"""The access log: every entry of the person's chain, filtered, exported and verified."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, time

from flask import Blueprint, Response, g, render_template, request

from ..clock import now
from ..services import mandates
from ..services.vendors import vendor_names
from ..store import get_vault
from .accounts import login_required
from .activity import describe, outcome, reasons

bp = Blueprint("log", __name__, url_prefix="/log")
DECISIONS = ("allowed", "refused", "permit", "deny", "ask", "pending", "approved", "denied")
#: what makes a spreadsheet run a cell as a formula (OWASP, "CSV Injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text: a leading quote before a formula start."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _day(name: str, end: bool = False) -> datetime | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        day = datetime.fromisoformat(raw).date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def _vendor_names() -> dict[str, str]:
    return vendor_names(get_vault())


def _rows() -> tuple[list[dict], dict[str, str]]:
    """The filtered log, newest first, as dicts the page and the exports share."""
    names = _vendor_names()
    vendor, decision = request.args.get("vendor", ""), request.args.get("decision", "")
    entries = get_vault().list_events(g.person_id, since=_day("since"),
                                      until=_day("until", end=True))
    rows = []
    for entry in reversed(entries):
        client, actor = entry.payload.get("client_id"), entry.payload.get("actor")
        if vendor and vendor not in (client, mandates.agent_of(actor)):  # or what it did as agent
            continue
        effect = outcome(entry)
        if decision and effect != decision:
            continue
        rows.append({
            "seq": entry.seq, "at": entry.at, "kind": entry.kind,
            "vendor": names.get(client, client) if client else "",
            "purpose": entry.payload.get("purpose") or "",
            "categories": entry.payload.get("categories") or [],
            "decision": effect or "",
            "by": mandates.actor_words(actor, names.get) or "",
            "sentence": describe(entry, names.get),
            "reasons": reasons(entry),
        })
    return rows, names


@bp.get("")
@login_required
def index():
    rows, names = _rows()
    return render_template("log.html", rows=rows, vendors=sorted(names.items(), key=lambda i: i[1]),
                           decisions=DECISIONS, args=request.args, verified=None)


@bp.post("/verify")
@login_required
def verify():
    """Recompute this person's chain and say whether any entry was edited, removed or moved."""
    problems = get_vault().verify_log(g.person_id)
    rows, names = _rows()
    return render_template("log.html", rows=rows, vendors=sorted(names.items(), key=lambda i: i[1]),
                           decisions=DECISIONS, args={}, verified=problems)


@bp.get("/export.<fmt>")
@login_required
def export(fmt: str):
    rows, _ = _rows()
    for row in rows:
        row["at"] = row["at"].isoformat()
    stamp = now().strftime("%Y%m%d")
    if fmt == "json":
        body, mimetype = json.dumps(rows, indent=2, ensure_ascii=False), "application/json"
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["seq", "at", "kind", "vendor", "purpose",
                                                 "categories", "decision", "by", "sentence",
                                                 "reasons"])
        writer.writeheader()
        for row in rows:
            flat = {**row, "categories": " ".join(row["categories"]),
                    "reasons": " | ".join(row["reasons"])}
            writer.writerow({key: _cell(value) for key, value in flat.items()})
        body, mimetype = out.getvalue(), "text/csv"
    else:
        return Response("Choose csv or json.", status=404)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="custos-log-{stamp}.{fmt}"'})
