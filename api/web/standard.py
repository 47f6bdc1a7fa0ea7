"""The public texts of the standard agreements, at stable addresses anyone can open.

`/standard-agreements` lists the roster; `/standard-agreements/<id>` is an agreement in plain
words; `/standard-agreements/<id>/odrl` is the same agreement as an ODRL 2.2 policy (JSON-LD).
The agreement record a vendor signs links here (`texts`), so both sides read the same words.
An alias (an earlier Custos id) redirects to the stable id.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for
from flask_babel import gettext

from policies.agreements import Agreement, expand, find, roster
from policies.odrl_export import export_odrl
from policies.schema import load_terms

from ..oauth.server import issuer

bp = Blueprint("standard_agreements", __name__)


@bp.app_template_filter("agreement_title")
def agreement_title(agreement_id: str) -> str:
    """An agreement's title in plain words, for the person's pages (the id is jargon)."""
    found = find(agreement_id)
    return f"“{gettext(found.title)}”" if found else agreement_id


def _known(agreement_id: str) -> Agreement:
    found = find(agreement_id)
    if found is None:
        abort(404)
    return found


@bp.get("/standard-agreements")
def index():
    return render_template("standard_agreements.html", roster=roster(), issuer=issuer())


@bp.get("/standard-agreements/<agreement_id>")
def show(agreement_id: str):
    found = _known(agreement_id)
    if found.id != agreement_id:
        return redirect(url_for(".show", agreement_id=found.id), 301)
    return render_template("standard_agreement.html", a=found, rules=expand(found.id),
                           issuer=issuer())


@bp.get("/standard-agreements/<agreement_id>/odrl")
def odrl(agreement_id: str):
    """The agreement's rules as an ODRL Set policy; `uid` is this address."""
    found = _known(agreement_id)
    if found.id != agreement_id:
        return redirect(url_for(".odrl", agreement_id=found.id), 301)
    terms = load_terms({"default": "ask", "rules": expand(found.id), "agreements": [found.id]})
    policy = export_odrl(terms) | {"uid": f"{issuer()}/standard-agreements/{found.id}",
                                   "dct:title": found.title, "dct:description": found.summary}
    if found.duties:
        policy["custos:duties"] = " ".join(found.duties)
    response = jsonify(policy)
    response.mimetype = "application/ld+json"
    return response
