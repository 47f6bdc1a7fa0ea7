"""Issue 10, languages: English and German through Flask-Babel, chosen by the browser's
Accept-Language or by a setting; dates and numbers per locale; the catalogue is complete
and the compiled one is current and shipped."""

from __future__ import annotations

import configparser
import fnmatch
import importlib.util
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "api" / "translations" / "de" / "LC_MESSAGES"
GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def test_the_browser_language_chooses_german_and_english_stays_the_default(client):
    german = client.get("/", headers=GERMAN).get_data(as_text=True)
    assert '<html lang="de">' in german
    assert "Ihre Daten, Ihre Absichten, Ihre Bedingungen." in german
    english = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Your data, your intents, your terms." in english
    missing = client.get("/no-such-page", headers=GERMAN)
    assert missing.status_code == 404 and "Seite nicht gefunden" in missing.get_data(as_text=True)


def test_the_setting_wins_over_the_browser_and_can_be_given_back(auth, client):
    auth.signup()
    assert "In drei Schritten loslegen" not in client.get("/").get_data(as_text=True)
    answer = auth.post("/settings/language", {"lang": "de"}, page="/settings")
    assert answer.status_code == 302
    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Ihr Tresor" in home and "In drei Schritten loslegen" in home
    assert "<strong>0</strong> Felder, alle verschlüsselt." in home
    auth.post("/settings/language", {"lang": ""}, page="/settings")
    assert "Your vault" in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True)


def test_an_unknown_language_is_refused_by_name_and_changes_nothing(auth, client):
    auth.signup()
    answer = auth.post("/settings/language", {"lang": "xx"}, page="/settings")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'id="lang-error"' in page
    assert "Choose one of the listed languages." in page
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_dates_and_numbers_follow_the_locale(auth, client):
    auth.signup()
    english = client.get("/log").get_data(as_text=True)
    assert "Wednesday, November 25, 2026" in english  # the test clock's day
    german = client.get("/log", headers=GERMAN).get_data(as_text=True)
    assert "Mittwoch, 25. November 2026" in german
    assert "2 Einträge, neueste zuerst" in german
    assert "Sie haben Ihren Tresor angelegt." in german  # the log's own sentences too
    verified = auth.post("/log/verify", {}, page="/log", headers=GERMAN).get_data(as_text=True)
    assert "Geprüft: alle 2 Einträge sind unversehrt" in verified


def _catalogue_tool():
    spec = importlib.util.spec_from_file_location("catalogue", ROOT / "tools" / "catalogue.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_german_catalogue_is_complete_and_compiled():
    """Extracted from the source now (not from a messages.pot someone may have forgotten to
    regenerate): every msgid has German, the placeholders match, and the .mo is current."""
    tool = _catalogue_tool()
    # Babel's Jinja extractor skips a template it cannot parse, silently: parse them all first
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.i18n"])
    for template in (ROOT / "api" / "templates").rglob("*.html"):
        env.parse(template.read_text(encoding="utf-8"), name=str(template))
    wanted = tool.extract()
    with open(CATALOG / "messages.po", "rb") as f:
        german = read_po(f, locale="de")
    with open(CATALOG / "messages.mo", "rb") as f:
        compiled = read_mo(f)
    untranslated = tool.missing(german, wanted)
    assert untranslated == [], (
        f"{len(untranslated)} strings lack German: run python tools/catalogue.py, translate "
        f"them in {CATALOG / 'messages.po'}, run it again")
    assert [(m.id, errors) for m, errors in german.check()] == []

    def pairs(catalog, only=None):
        def plain(value):
            return tuple(value) if isinstance(value, list | tuple) else value

        return {plain(m.id): plain(m.string) for m in catalog
                if m.id and not m.fuzzy and (only is None or m.id in only)}

    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in wanted if m.id}
    current = {k: v for k, v in pairs(german).items()
               if (k if isinstance(k, str) else k[0]) in ids}
    assert {k: v for k, v in pairs(compiled).items()
            if (k if isinstance(k, str) else k[0]) in ids} == current, (
        "the .mo is stale: run python tools/catalogue.py")


def test_pip_install_ships_the_compiled_catalogue():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    patterns = [p.strip() for p in config["options.package_data"]["api"].split(",")]
    assert any(fnmatch.fnmatch("translations/de/LC_MESSAGES/messages.mo", p) for p in patterns)


def test_the_terms_page_and_its_errors_in_german(auth, client):
    auth.signup()
    page = client.get("/terms", headers=GERMAN).get_data(as_text=True)
    for words in ("Ihre Bedingungen", "Mir Angebote schicken, um die ich gebeten habe",
                  "Vorlieben", "Nur zur Erbringung des Dienstes", "Eine Regel hinzufügen"):
        assert words in page
    answer = auth.post("/terms/rules", {"effect": "deny"}, page="/terms", headers=GERMAN)
    refused = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Bitte prüfen Sie Ihre Eingaben" in refused
    assert "Geben Sie der Regel einen Namen, in Ihren Worten." in refused


def test_my_data_and_intents_in_german_with_numbers_per_locale(auth, client):
    auth.signup()
    auth.post("/intents", {"category": "vehicles", "text": "Ein Elektroauto", "budget": "30000",
                           "currency": "EUR", "visibility": "hidden"}, page="/intents")
    data = client.get("/data", headers=GERMAN).get_data(as_text=True)
    assert "Ein Feld hinzufügen" in data and "E-Mail-Adresse" in data
    intents = client.get("/intents", headers=GERMAN).get_data(as_text=True)
    assert "Neue Absicht" in intents and "Budget: 30.000" in intents
    assert "Budget: 30,000" in client.get("/intents").get_data(as_text=True)
