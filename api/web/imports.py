"""Import pages: upload a file, see what it would add, change or leave out, then import it.

Thin views over `api.dataimport`: the preview writes nothing; "Import" sends back the checked
records and the plan's digest, and the service writes only if the plan is still the same.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from policies import vocab

from ..clock import now
from ..i18n import N_, T_, say
from ..oauth.server import issuer
from ..services.dataimport import ImportRefused, read_file
from ..services.dataimport.csvfile import template
from ..services.dataimport.plan import PlanChanged, apply_previewed, make_plan
from ..services.dataimport.records import MAX_BYTES, from_carried
from ..store import get_vault
from .accounts import login_required

bp = Blueprint("dataimport", __name__, url_prefix="/data/import")
TOO_BIG = T_("The file is larger than {mb} MB, the limit for an import.")
#: the import's refusals (api/services/dataimport), for the pages' translations (`say`)
REFUSALS = (
    N_("The file is empty."), T_("The file is {size} MB; the limit is {limit} MB."),
    N_("This JSON file is neither a Custos export nor a jCard."),
    N_("Custos reads a vCard (.vcf), a jCard (.json), its own export (.json) and its CSV "
       "template (.csv); this file is none of them."),
    T_("Line 1 must name the columns category, name, kind and value (found: {found}); "
       "download the template."),
    T_("The file has more than {most} rows."), T_("Line {line} is not CSV: {problem}."),
    T_("This export is {format}; this Custos reads {reads}. Export again from a matching "
       "version."),
    T_("The export holds more than {most} fields and intents."),
    T_("The file nests more than {most} levels deep."),
    N_("The file holds a number too long to be real."),
    T_("Line {line} contains a NUL character: this is not a text file."),
    T_("Line {line} is not UTF-8 text (byte {byte}); save the file as UTF-8 and try again."),
    N_("The preview could not be read; choose the file again."),
    T_("Line {line} is outside a card (before BEGIN:VCARD)."),
    T_("Line {line}: END:VCARD without a BEGIN:VCARD."),
    T_("The card that begins on line {line} never ends (END:VCARD is missing)."),
    T_("The card that begins on line {line} has no FN (the full name every vCard must have)."),
    T_("The card that begins on line {line} is vCard {version}; Custos reads vCard 4.0 (and "
       "3.0). Export it again as vCard 4."),
)


@bp.url_value_preprocessor
def _room_for_a_file(endpoint, values) -> None:
    """Runs before the CSRF check reads the form: an import may exceed the app's 1 MB cap."""
    request.max_content_length = MAX_BYTES + 64 * 1024
    request.max_form_memory_size = 2 * MAX_BYTES  # the preview carries the checked records


@bp.errorhandler(RequestEntityTooLarge)
def _too_big(exc):
    return _index(error=gettext(TOO_BIG).format(mb=MAX_BYTES // 1048576), status=413)


@bp.get("")
@login_required
def index():
    return _index()


def _index(error: str | None = None, status: int = 200):
    return render_template("import.html", error=error, categories=vocab.categories()), status


@bp.get("/template.csv")
@login_required
def csv_template():
    return Response(template(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="custos-import-template.csv"'})


@bp.post("")
@login_required
def preview():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _index(error=gettext("Choose a file to import."), status=400)
    data = upload.stream.read(MAX_BYTES + 1)
    try:
        parsed = read_file(upload.filename, data)
    except ImportRefused as exc:
        return _index(error=say(str(exc)), status=400)
    return _preview(parsed, make_plan(get_vault(), g.person_id, parsed, now()))


def _preview(parsed, plan, changed: bool = False):
    return render_template("import_preview.html", plan=plan, source=parsed.source,
                           carried=parsed.carried(), changed=changed), 409 if changed else 200


@bp.post("/apply")
@login_required
def apply():
    try:
        parsed = from_carried(request.form.get("carried", ""))
    except ImportRefused as exc:
        return _index(error=say(str(exc)), status=400)
    try:
        plan = apply_previewed(get_vault(), g.person_id, parsed,
                               request.form.get("digest", ""), now(), issuer=issuer())
    except PlanChanged as exc:
        return _preview(parsed, exc.plan, changed=True)
    flash(gettext("Imported your %(source)s file: %(added)s added, %(changed)s changed, "
                  "%(skipped)s left out.", source=parsed.source, added=plan.count("add"),
                  changed=plan.count("update"), skipped=plan.count("skip")))
    return redirect(url_for("pages.data"))
