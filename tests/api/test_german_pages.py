"""Issue 10, languages: a German page (Accept-Language: de) has no English left in its main
content: terms with rules, the log, the inbox with a request, offers, connections, consent.

A cheap check: the words English sentences cannot do without (the, your, you, and, ...) must not
appear in `<main>`'s text or in its aria-label/title/placeholder/data-label attributes, once the
data a person or a vendor typed (names, offer texts) is taken out.
"""

from __future__ import annotations

import html
import re

import pytest

from policies import vocab
from tests.api.test_inbox_pages import pending  # noqa: F401  (fixture)
from tests.api.test_offer_pages import offers  # noqa: F401  (fixture)
from tests.conftest import save_terms
from tests.oauth.conftest import Flow, Vendors, pkce

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
ENGLISH = re.compile(r"\b(the|your|you|and|with|for|vendors?|allow|refuse|when|never|terms|"
                     r"offers?|agreements?|not|data|what|asks?|asked|which|none|nothing|only|"
                     r"from|until|this|is|are|read|shared?|kept|days?)\b", re.I)
#: what people and vendors typed (and DPV ids): not ours to translate
TYPED = ("W3C Data Privacy Vocabulary", "Acme Cars", "GreenWheels", "FumeMotors",
         "ada@example.org", "A 2026 electric hatchback, 420 km range", "An electric car",
         "Meets your standards", "FumeMotors is not b-corp certified")
#: the W3C DPV's purpose labels, offered as they are (a vocabulary's names, like its IRIs, are
#: not translated; the everyday purposes that stand for them are)
DPV = sorted((p.label for p in vocab.purposes()), key=len, reverse=True)
TERMS = {"default": "ask", "rules": [
    {"id": "service", "label": "Nur für den Dienst", "effect": "permit",
     "purposes": ["ServiceProvision"], "categories": ["contact", "address"],
     "frequency": {"max": 3, "per": "week"},
     "conditions": [{"field": "retention_days", "op": "lte", "value": 30},
                    {"field": "third_party_sharing", "op": "eq", "value": False}]},
    {"id": "no-phone", "label": "Kein Telefon", "effect": "deny",
     "categories": ["contact.phone"]},
    {"id": "offers", "label": "Angebote nur werktags", "effect": "ask",
     "purposes": ["SellProductsToDataSubject"], "categories": ["preferences"],
     "days": ["mon", "tue", "wed", "thu", "fri"]},
]}


def english_in(page: str) -> list[str]:
    """The English words left in the main content of a page (text and labelling attributes)."""
    main = re.search(r'<main id="main">(.*)</main>', page, re.S)
    assert main, "the page has no <main>"
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", main.group(1), flags=re.S)
    said = re.findall(r'(?:aria-label|title|placeholder|data-label|alt)="([^"]*)"', body)
    text = " ".join([re.sub(r"<[^>]+>", " ", body), *said])
    text = html.unescape(text)
    for typed in sorted((*TYPED, *DPV), key=len, reverse=True):
        text = text.replace(typed, " ")
    text = re.sub(r"https?://\S+|\b[\w.-]+@[\w.-]+", " ", text)  # addresses and IRIs
    found = []
    for m in ENGLISH.finditer(text):
        found.append(text[max(0, m.start() - 40):m.end() + 40].replace("\n", " "))
    return found


def german(client, path: str) -> str:
    client.get("/")  # a flash from an earlier (English) request is shown once, here
    answer = client.get(path, headers=GERMAN)
    assert answer.status_code == 200, path
    page = answer.get_data(as_text=True)
    assert '<html lang="de">' in page
    return page


def test_terms_with_rules_in_german(auth, client, app):
    auth.signup()
    save_terms(client, TERMS)
    page = german(client, "/terms")
    assert ("Sie erlauben Anbietern, Ihre Kontaktdaten und Adresse zu nutzen, um den Dienst zu "
            "erbringen, um den Sie gebeten haben, höchstens 3-mal pro Woche, wenn sie sie "
            "höchstens 30 Tage aufbewahren") in page
    assert "Sie verbieten Anbietern, Ihre Telefonnummer zu nutzen" in page
    assert "am Mo, Di, Mi, Do oder Fr" in page
    assert "gewinnt „Kein Telefon“ (eine Ablehnung)" in page  # the engine's finding
    assert english_in(page) == []


def test_the_log_in_german(client, pending):  # noqa: F811
    page = german(client, "/log")
    assert english_in(page) == []


def test_the_inbox_with_a_request_in_german(client, pending):  # noqa: F811
    page = german(client, "/inbox")
    assert "Keine Ihrer Regeln betrifft dies" in page
    assert english_in(page) == []


def test_offers_in_german(app, client, offers):  # noqa: F811
    # one more, filtered by the butler's own words (policies/offers.py)
    vault, clock = app.extensions["custos.vault"], app.extensions["custos.clock"]
    third = vault.agreements.offers.receive(offers["person"], offers["intent"],
                                            offers["bad_client"], {"category": "vehicles",
                                                                   "price": "31000",
                                                                   "currency": "EUR"}, clock())
    vault.agreements.offers.decide(third.id, {"action": "filter", "by": "butler", "reasons": [
        {"code": "offer.over_budget", "text": "It costs 31000 EUR, over your budget of 30000 EUR"},
        {"code": "offer.too_many", "text": "You accept at most 3 offers per week from one "
                                           "vendor, and FumeMotors already sent that many"}],
        "override": False}, clock())
    filtered = german(client, "/offers?status=filtered")
    assert "Es kostet 31000 EUR, mehr als Ihr Budget von 30000 EUR" in filtered
    assert "höchstens 3 Angebote pro Woche von einem Anbieter" in filtered
    for path in ("/offers", "/offers?status=filtered", "/offers?status=received",
                 "/offers/rules", f"/offers/{offers['good']}/thread"):
        assert english_in(german(client, path)) == [], path


def test_connections_in_german(auth, client, pending):  # noqa: F811
    page = german(client, "/connections")
    assert english_in(page) == []
    grant = re.search(r"/connections/([0-9a-f-]{36})/revoke", page).group(1)
    ended = auth.post(f"/connections/{grant}/revoke", {}, page=f"/connections/{grant}/revoke",
                      headers=GERMAN, follow_redirects=True).get_data(as_text=True)
    assert "Acme Cars hat keinen Zugriff mehr" in ended and "Widerrufen" in ended
    assert english_in(ended) == []


@pytest.mark.parametrize("terms", [None, TERMS])
def test_consent_in_german(app, auth, client, terms):
    auth.signup()
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@example.org").id
    clock = app.extensions["custos.clock"]
    for category, value in (("contact.email", "ada@example.org"), ("address.city", "London")):
        vault.add_field(person, category=category, name=category, kind="text", value=value,
                        now=clock())
    if terms:
        save_terms(client, terms)
    vendor = Vendors(client).register()
    page = german(client, Flow(client).authorize_url(vendor, challenge=pkce()[1]))
    assert english_in(page.replace("London", "")) == []
    if terms:  # the rule's sentence is the reason under the ticked category
        assert "Sie erlauben Anbietern, Ihre Kontaktdaten und Adresse zu nutzen" in page


def test_form_messages_in_german_and_english_with_their_values(auth, client):
    """Marshmallow fills in {min} and {max} before a page sees the message: the page finds the
    msgid again (api.i18n.say) and says it in German with the same values."""
    auth.signup()
    form = {"category": "vehicles", "text": "Ab", "visibility": "hidden"}
    german_page = auth.post("/intents", form, page="/intents", headers=GERMAN)
    assert german_page.status_code == 400
    assert "Sagen Sie in 3 bis 500 Zeichen, was Sie möchten." in german_page.get_data(
        as_text=True)
    english = auth.post("/intents", form, page="/intents").get_data(as_text=True)
    assert "Say what you want in 3 to 500 characters." in english
    wrong = auth.post("/data", {"category": "contact.phone", "name": "Telefon", "value": "abc"},
                      page="/data", headers=GERMAN).get_data(as_text=True)
    assert "Geben Sie eine Telefonnummer ein" in wrong


def test_the_api_keeps_the_engines_english(app):
    """The sentence builder's default is English; only the pages pass a translation."""
    from policies import load_terms
    from policies.sentences import rule_sentence

    rules = load_terms(TERMS, version=1).rules
    assert rule_sentence(rules[1]) == ("You refuse to let vendors use your telephone number for "
                                       "any purpose")


def test_the_import_says_its_refusals_in_german(auth, client):
    """A refusal (api/services/dataimport, English) names the line, said in German."""
    from tests.conftest import csrf_token
    from tests.dataimport.conftest import BOUNDARY, multipart

    auth.signup()

    def upload(data: bytes, filename: str):
        token = csrf_token(client.get("/data/import"))
        return client.post("/data/import", data=multipart(token, filename, data),
                           content_type=f"multipart/form-data; boundary={BOUNDARY}",
                           headers=GERMAN)

    refused = upload(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\n", "me.vcf")
    assert refused.status_code == 400
    assert ("Die Karte, die in Zeile 1 beginnt, endet nie (END:VCARD fehlt)."
            in refused.get_data(as_text=True))
    assert "Die Datei ist leer." in upload(b"", "me.vcf").get_data(as_text=True)
