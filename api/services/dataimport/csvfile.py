"""The CSV template: one field per row, columns category, name, kind, value (docs/import.md).

`kind` may be left empty (text). A row that does not fit is skipped with its line number and
the problem; a file that is not this table at all is refused.
"""

from __future__ import annotations

import csv
import io

from policies import vocab

from ..field_kinds import KINDS as FIELD_KINDS
from .records import MAX_RECORDS, ImportRefused, Parsed, Skipped, check_field, decode

COLUMNS = ("category", "name", "kind", "value")


def template() -> str:
    """The downloadable template: the header row, ready for a spreadsheet."""
    return ",".join(COLUMNS) + "\r\n"


def read_csv(data: bytes) -> Parsed:
    """Every row checked like a typed-in field; the header must name the four columns."""
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        unknown = [h for h in header if h not in COLUMNS]
        if unknown or not {"category", "name", "value"} <= set(header):
            raise ImportRefused("Line 1 must name the columns category, name, kind and value "
                                f"(found: {', '.join(header)[:120] or 'nothing'}); download "
                                "the template.")
        fields, skipped = [], []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            where = f"line {reader.line_num}"
            if len(fields) + len(skipped) >= MAX_RECORDS:
                raise ImportRefused(f"The file has more than {MAX_RECORDS} rows.")
            if len(row) != len(header):
                skipped.append(Skipped(where=where, what=(row[1] if len(row) > 1 else "a row")
                                       [:80], reason=f"has {len(row)} cells where the header "
                                       f"has {len(header)}"))
                continue
            values = dict(zip(header, (c.strip() for c in row), strict=True))
            values["kind"] = values.get("kind") or "text"
            problem = _column_problem(values)
            checked = Skipped(where=where, what=values["name"][:80] or "a row",
                              reason=problem) if problem else check_field(values, where)
            (skipped if isinstance(checked, Skipped) else fields).append(checked)
    except csv.Error as exc:
        raise ImportRefused(f"Line {reader.line_num} is not CSV: {exc}.") from None
    return Parsed(source="CSV", fields=fields, skipped=skipped)


def _column_problem(values: dict[str, str]) -> str | None:
    """Problems said in the template's own words (the form's messages speak of a list)."""
    if not vocab.is_category(values["category"]):
        return (f"category: '{values['category'][:40]}' is not a category id such as "
                "contact.email (the list is on the import page)")
    if values["kind"] not in FIELD_KINDS:
        return f"kind: use one of {', '.join(FIELD_KINDS)}, or leave it empty for text"
    return None
