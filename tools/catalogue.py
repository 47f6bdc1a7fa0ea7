"""The translation catalogue, from the source: extract, update German, compile.

    python tools/catalogue.py          # writes messages.pot, updates de/messages.po, compiles .mo

Prints how many msgids still lack German (empty or fuzzy). The test
tests/api/test_languages.py extracts the same way (`extract()`) and fails on any of them.
Babel's Python API, the same as `pybabel extract -F babel.cfg -k _l -k N_ -k T_ -k lazy_gettext
-k ngettext:1,2 --no-location` then `pybabel update --no-fuzzy-matching` and `pybabel compile`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "api" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
LANGUAGES = ("de",)
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "N_": None, "T_": None, "lazy_gettext": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2)}


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    """Every msgid the source asks for now (babel.cfg says which files, and how)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    catalog = Catalog(project="custos", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def missing(catalog: Catalog, template: Catalog) -> list[str]:
    """The template's msgids that `catalog` does not translate (absent, empty or fuzzy)."""
    def translated(message) -> bool:
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        return not message.fuzzy and all(strings)

    out = []
    for m in template:
        if not m.id:
            continue
        have = catalog.get(m.id, m.context)
        if have is None or not translated(have):
            out.append(m.id if isinstance(m.id, str) else m.id[0])
    return out


def main() -> int:
    template = extract()
    with open(TEMPLATE, "wb") as f:
        write_po(f, template, no_location=True, omit_header=False)
    for language in LANGUAGES:
        with open(po_path(language), "rb") as f:
            catalog = read_po(f, locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        with open(po_path(language), "wb") as f:
            write_po(f, catalog, no_location=True, ignore_obsolete=True)
        with open(po_path(language).with_suffix(".mo"), "wb") as f:
            write_mo(f, catalog)
        left = missing(catalog, template)
        print(f"{language}: {len(template)} msgids, {len(left)} without a translation")
        for msgid in left:
            print("   ", repr(msgid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
