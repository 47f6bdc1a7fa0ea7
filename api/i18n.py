"""Languages: English and German through Flask-Babel, chosen by a setting or the browser.

The setting lives in the signed session cookie (this browser), so choosing a language needs
no account and says nothing about the person. Dates and numbers follow the chosen locale
(Babel's CLDR data); the clock stays UTC.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # N_ is imported by modules api/services reach (api/web/forms.py): no Flask
    from flask import Flask

#: the languages with a complete catalogue, in the order the setting offers them
LANGUAGES = {"en": "English", "de": "Deutsch"}


def N_(text: str) -> str:
    """Marks a word for translation (pybabel -k N_) where it is defined; pages translate it
    when they show it (`_(word)`)."""
    return text


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
    app.add_template_global(lambda: str(get_locale() or "en"), "page_language")
