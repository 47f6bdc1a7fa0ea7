"""A broader category never releases a more precise value than granted (issue 9 item 18):
a request for age gets age in whole years, worked out by the vault; the date of birth leaves
only when `demographics.birthdate` itself was asked for and granted. The consent page says
exactly what will leave."""

from __future__ import annotations

import json
import re

import pytest

from api.services.details import DETAILS_TYPE
from tests.oauth.test_person_vendor import bearer, vendor_token

BORN = "1984-11-26"  # the clock starts on 2026-11-25: her 42nd birthday is tomorrow


def scope(*categories: str) -> str:
    return " ".join(f"data:{c}" for c in categories) + " purpose:ServiceProvision retention:30"


@pytest.fixture
def born(app, person) -> str:
    vault = app.extensions["custos.vault"]
    vault.add_field(person, category="demographics.birthdate", name="Date of birth",
                    kind="date", value=BORN, now=app.extensions["custos.clock"]())
    return person


def _read(client, vendor, agreement: str) -> dict:
    answer = client.get(f"/api/v1/agreements/{agreement}/data",
                        headers=bearer(vendor_token(client, vendor)))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _shown(body: dict) -> str:
    """The read's answer as text, without its random identifiers (the agreement id and the
    pairwise subject may contain any digits, such as "41")."""
    return str({k: v for k, v in body.items() if k not in ("agreement", "sub")})


def _fields(body: dict) -> list[tuple]:
    return [(f["category"], f["value"], f["derived"]) for f in body["fields"]]


@pytest.mark.parametrize("asked", ["demographics.age", "demographics"])
def test_age_is_released_in_whole_years_never_the_date_of_birth(born, vendor, flow, client,
                                                                clock, asked):
    body = flow.read(flow.tokens(vendor, scope=scope(asked))["access_token"]).get_json()
    assert _fields(body) == [("demographics.age", 41, True)]
    assert BORN not in _shown(body) and "1984" not in _shown(body)
    clock.advance(days=1)  # her birthday
    assert _fields(_read(client, vendor, body["agreement"])) == [("demographics.age", 42, True)]


def test_the_date_of_birth_leaves_when_granted_by_name(born, vendor, flow):
    tokens = flow.tokens(vendor, scope=scope("demographics.birthdate", "contact.email"))
    assert sorted(_fields(flow.read(tokens["access_token"]).get_json())) == [
        ("contact.email", "ada@example.org", False), ("demographics.birthdate", BORN, False)]


def test_the_consent_page_says_exactly_what_leaves(born, vendor, flow, client):
    url = flow.authorize_url(vendor, scope=scope("demographics.age", "contact.email"),
                             challenge="x" * 43)
    page = client.get(url).get_data(as_text=True)
    assert "Age in years: 41" in page and "Email: ada@example.org" in page
    assert "Your date of birth itself stays here" in page
    assert BORN not in page
    asked = client.get(flow.authorize_url(vendor, scope=scope("demographics.birthdate"),
                                          challenge="x" * 43)).get_data(as_text=True)
    assert f"Date of birth: {BORN}" in asked and "Age in years" not in asked
    both = client.get(flow.authorize_url(vendor, scope=scope("demographics.age",
                                                             "demographics.birthdate"),
                                         challenge="x" * 43)).get_data(as_text=True)
    assert "Age in years: 41" in both and f"Date of birth: {BORN}" in both
    assert "stays here" not in both  # its own row says it leaves


def _details(*categories: str) -> str:
    return json.dumps([{"type": DETAILS_TYPE, "purpose": "ServiceProvision",
                        "categories": list(categories), "retention_days": 30}])


@pytest.mark.parametrize("how", ["scope", "authorization_details"])
def test_a_vendor_asking_over_18_gets_yes_and_nothing_else(born, vendor, flow, client, clock,
                                                          how):
    """The claim is requestable both ways; the receipt names the claim, never a value."""
    asked = {"scope": scope("demographics.over_18")} if how == "scope" else {
        "scope": "", "authorization_details": _details("demographics.over_18")}
    page = client.get(flow.authorize_url(vendor, challenge="x" * 43, **asked))
    html = page.get_data(as_text=True)
    assert "Over 18: yes" in html and BORN not in html and not re.search(r"\b41\b", html)
    body = flow.read(flow.tokens(vendor, **asked)["access_token"]).get_json()
    assert _fields(body) == [("demographics.over_18", True, True)]
    assert BORN not in _shown(body) and "41" not in _shown(body)
    receipt = client.get(f"/api/v1/agreements/{body['agreement']}/receipt",
                         headers=bearer(vendor_token(client, vendor))).get_json()["receipt"]
    categories = receipt["services"][0]["purposes"][0]["piiCategory"]
    assert categories == ["urn:custos:pd:Over18"]
    assert BORN not in json.dumps(receipt) and "true" not in json.dumps(categories)


def test_over_18_turns_yes_on_the_birthday(app, person, vendor, flow, client, clock):
    """Her 18th birthday is tomorrow on the injected clock: the same agreement reads no, then
    yes."""
    app.extensions["custos.vault"].add_field(person, category="demographics.birthdate",
                                             name="Date of birth", kind="date",
                                             value="2008-11-26", now=clock())
    body = flow.read(flow.tokens(vendor, scope=scope("demographics.over_18"))[
        "access_token"]).get_json()
    assert _fields(body) == [("demographics.over_18", False, True)]
    clock.advance(days=1)
    assert _fields(_read(client, vendor, body["agreement"])) == [
        ("demographics.over_18", True, True)]


@pytest.mark.parametrize("claims_only", [False, True])
def test_terms_can_say_only_claims_never_raw_values(app, born, vendor, flow, client, clock,
                                                    claims_only):
    """`claims_only`: a stored age stays home and the worked-out one leaves instead; the date
    of birth stays home even when asked for by name."""
    vault = app.extensions["custos.vault"]
    vault.add_field(born, category="demographics.age", name="Age", kind="number", value="39",
                    now=clock())
    if claims_only:
        vault.agreements.terms.save(born, {"default": "ask", "rules": [],
                                           "claims_only": ["demographics"]}, clock())
    asked = scope("demographics", "demographics.birthdate")
    page = client.get(flow.authorize_url(vendor, scope=asked, challenge="x" * 43))
    html = page.get_data(as_text=True)
    body = flow.read(flow.tokens(vendor, scope=asked)["access_token"]).get_json()
    if claims_only:
        assert _fields(body) == [("demographics.age", 41, True)]
        # 39 as a number of its own: a random CSRF token may contain the two digits
        assert "Age in years: 41" in html and BORN not in html
        assert not re.search(r"(?<![\w.-])39(?![\w-]|\.\w)", html)
    else:
        assert sorted(_fields(body)) == [("demographics.age", "39", False),
                                         ("demographics.birthdate", BORN, False)]


def test_claims_only_must_name_categories(app, born, clock):
    from policies import TermsError, load_terms

    with pytest.raises(TermsError, match="claims_only"):
        load_terms({"default": "ask", "rules": [], "claims_only": ["nope"]})


def test_only_claims_of_an_address_leave_country_region_and_postal_area(app, person, vendor,
                                                                        flow, clock):
    """With `claims_only: [address]`, a vendor granted the address parts gets the country,
    the region and the postal area, never the street, the city or the postal code."""
    vault = app.extensions["custos.vault"]
    for category, name, value in (("address.street", "Street", "Jungfernstieg 1"),
                                  ("address.postal", "Postal code", "20095"),
                                  ("address.region", "Region", "Hamburg"),
                                  ("address.country", "Country", "Germany")):
        vault.add_field(person, category=category, name=name, kind="text", value=value,
                        now=clock())
    vault.agreements.terms.save(person, {"default": "ask", "rules": [],
                                         "claims_only": ["address"]}, clock())
    asked = scope("address.street", "address.city", "address.postal", "address.region",
                  "address.country", "address.postal_area")
    body = flow.read(flow.tokens(vendor, scope=asked)["access_token"]).get_json()
    assert sorted(_fields(body)) == [("address.country", "Germany", True),
                                     ("address.postal_area", "20", True),
                                     ("address.region", "Hamburg", True)]
    assert "Jungfernstieg" not in _shown(body) and "20095" not in _shown(body)
    assert "London" not in _shown(body)  # the city the person fixture stored stays home too
