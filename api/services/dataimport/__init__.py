"""Data flows in: the person's own data from vCard 4 / jCard, the Custos export or a CSV file.

`read_file` turns an upload into checked records (`records.Parsed`), `plan.make_plan` says what
each would do to the vault (add, update, skip), `plan.apply_previewed` writes exactly that.
No module here imports Flask: they take the vault and `now` as arguments.
"""

from __future__ import annotations

from .csvfile import read_csv
from .custos import is_export, read_export
from .records import MAX_BYTES, ImportRefused, Parsed, decode, parse_json
from .vcard import read_jcard, read_vcard
from .vcard_map import to_parsed

__all__ = ["ImportRefused", "Parsed", "read_file"]


def read_file(filename: str, data: bytes) -> Parsed:
    """Recognise the format by content (then by name) and read it; ImportRefused says why not."""
    if not data.strip():
        raise ImportRefused("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"The file is {len(data) / 1048576:.1f} MB; the limit is "
                            f"{MAX_BYTES // 1048576} MB.")
    text = decode(data).lstrip()
    if text[:11].upper() == "BEGIN:VCARD":
        return to_parsed(read_vcard(data), "vCard")
    if text[:1] in "[{":
        document = parse_json(text)
        if is_export(document):
            return read_export(document)
        if isinstance(document, list):
            return to_parsed(read_jcard(document), "jCard")
        raise ImportRefused("This JSON file is neither a Custos export nor a jCard.")
    if filename.lower().endswith(".csv") or text.split("\n", 1)[0].lower().startswith(
            ("category", "name", "kind", "value")):
        return read_csv(data)
    raise ImportRefused("Custos reads a vCard (.vcf), a jCard (.json), its own export "
                        "(.json) and its CSV template (.csv); this file is none of them.")
