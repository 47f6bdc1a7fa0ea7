"""Languages: English and German through Flask-Babel, chosen by a setting or the browser.

The setting lives in the signed session cookie (this browser), so choosing a language needs
no account and says nothing about the person. Dates and numbers follow the chosen locale
(Babel's CLDR data); the clock stays UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # N_ is imported by modules api/services reach (api/web/forms.py): no Flask
    from flask import Flask

#: the languages with a complete catalogue, in the order the setting offers them
LANGUAGES = {"en": "English", "de": "Deutsch"}


def N_(text: str) -> str:
    """Marks a word for translation (pybabel -k N_) where it is defined; pages translate it
    when they show it (`_(word)`)."""
    return text


#: the msgids with {placeholders} that code fills in before a page shows the text (marshmallow's
#: "{min} to {max} characters", the butler's reasons): `say` finds the msgid again, translated
TEMPLATES: list[str] = []


def T_(text: str) -> str:
    """Marks a template (pybabel -k T_) whose filled-in text a page may show: `say` recognises
    the English result and says it in the page's language, values kept."""
    if text not in TEMPLATES:
        TEMPLATES.append(text)
    return text


@lru_cache(maxsize=512)
def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(template)), re.S)


def resay(text: str, templates: Iterable[str], tr: Callable[[str], str]) -> str:
    """`text` in `tr`'s language: a msgid itself, or a filled-in template, re-filled in the
    translation with the same values; anything else as it is."""
    said = tr(text)
    if said != text:
        return said
    for template in templates:
        found = _pattern(template).fullmatch(text)
        if found:
            translated = tr(template)
            try:
                values = {k: tr(v) for k, v in found.groupdict().items()}  # "week": "Woche"
                return translated.format(**values) if translated != template else text
            except (KeyError, IndexError, ValueError):
                return text
    return text


def say(text: str) -> str:
    """An English message (a msgid, or a T_ template filled in) in the request's language."""
    from flask_babel import gettext

    return resay(str(text), TEMPLATES, lambda msgid: gettext(msgid) if msgid else msgid)


def select_locale() -> str:
    """The language chosen in Settings, else the browser's Accept-Language, else English."""
    from flask import request, session

    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


def init_app(app: Flask) -> None:
    from flask_babel import Babel, get_locale

    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    app.add_template_global(LANGUAGES, "languages")
    app.add_template_filter(say, "say")
    app.add_template_global(lambda: str(get_locale() or "en"), "page_language")
