"""The access log: every entry of the person's chain, filtered, exported and verified."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, time

from flask import Blueprint, Response, g, render_template, request
from flask_babel import gettext

from ..clock import now
from ..i18n import N_
from ..services import mandates
from ..services.vendors import vendor_names
from ..store import get_vault
from .accounts import login_required
from .activity import DECISION_WORDS, decision_word, describe, outcome, reason_words, reasons

bp = Blueprint("log", __name__, url_prefix="/log")
#: the filter's three words, as the page shows them
DECISIONS = {"allowed": N_("Allowed"), "refused": N_("Refused"), "asked": N_("Asked you")}
PAGE_SIZE = 50
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
    say = reason_words(g.person_id)
    for entry in reversed(entries):
        client, actor = entry.payload.get("client_id"), entry.payload.get("actor")
        if vendor and vendor not in (client, mandates.agent_of(actor)):  # or what it did as agent
            continue
        effect = outcome(entry)
        word = decision_word(entry)
        if decision and word != DECISION_WORDS.get(decision, decision):
            continue
        rows.append({
            "seq": entry.seq, "at": entry.at, "kind": entry.kind,
            "vendor": names.get(client, client) if client else "",
            "purpose": entry.payload.get("purpose") or "",
            "categories": entry.payload.get("categories") or [],
            "decision": effect or "", "word": word or "",
            "by": mandates.actor_words(actor, names.get) or "",
            "sentence": describe(entry, names.get),
            "reasons": reasons(entry, say),
        })
    return rows, names


#: what a decision of the terms led to, logged as the next entry: shown as one row with it
_OUTCOMES = ("request_submitted", "grant_changed")


def one_row_per_event(rows: list[dict]) -> list[dict]:
    """The page shows a vendor's request once: the terms' decision and what it led to (a
    request waiting in the inbox, an agreement made) are one row with the decision's reasons.
    The exports keep every entry."""
    out: list[dict] = []
    for row in rows:  # newest first: an outcome comes before its decision
        led_to = out[-1] if out else None
        if (row["kind"] == "decision_made" and led_to and led_to["kind"] in _OUTCOMES
                and led_to["seq"] == row["seq"] + 1 and led_to["vendor"] == row["vendor"]
                and led_to["purpose"] == row["purpose"]):
            led_to["reasons"] = led_to["reasons"] or row["reasons"]
            led_to["word"] = led_to["word"] or row["word"]
            continue
        out.append(row)
    return out


def _page(rows: list[dict], verified=None, args=None):
    """One page of the log, its rows grouped by day (newest first)."""
    checked = len(rows)
    rows = one_row_per_event(rows)
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    number = min(number, pages)
    shown = rows[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
    days: list[tuple] = []
    for row in shown:
        if not days or days[-1][0] != row["at"].date():
            days.append((row["at"].date(), []))
        days[-1][1].append(row)
    names = _vendor_names()
    args = request.args if args is None else args
    return render_template("log.html", days=days, total=len(rows), checked=checked,
                           page=number, pages=pages,
                           vendors=sorted(names.items(), key=lambda i: i[1]),
                           decisions=DECISIONS, args=args,
                           filters={k: v for k, v in args.items() if k != "page"},
                           verified=verified)


@bp.get("")
@login_required
def index():
    rows, _ = _rows()
    return _page(rows)


@bp.post("/verify")
@login_required
def verify():
    """Recompute this person's chain and say whether any entry was edited, removed or moved."""
    problems = get_vault().verify_log(g.person_id)
    rows, _ = _rows()
    return _page(rows, verified=problems, args={})


@bp.get("/export.<fmt>")
@login_required
def export(fmt: str):
    rows, _ = _rows()
    for row in rows:
        row["at"] = row["at"].isoformat()
        del row["word"]
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
        return Response(gettext("Choose csv or json."), status=404)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="custos-log-{stamp}.{fmt}"'})
