"""The vCard 4 (RFC 6350) and jCard (RFC 7095) reader, one case per rule it must keep."""

from __future__ import annotations

import json
import re

import pytest

from api.services.dataimport import ImportRefused, read_file


def card(*lines: str, version: str = "4.0", end: str = "\r\n") -> bytes:
    body = ["BEGIN:VCARD", f"VERSION:{version}", "FN:Ada Lovelace", *lines, "END:VCARD"]
    return (end.join(body) + end).encode()


def values(parsed) -> dict[str, str]:
    return {f["name"]: f["value"] for f in parsed.fields}


def test_folded_lines_are_unfolded():
    """RFC 6350 §3.2: CRLF followed by one space or tab continues the line."""
    parsed = read_file("a.vcf", card("NOTE:x", "TITLE:Mathema\r\n tician and\r\n\t writer"))
    assert values(parsed)["Job title"] == "Mathematician and writer"


def test_bare_newlines_are_read_too():
    parsed = read_file("a.vcf", card("EMAIL:ada@example.org", end="\n"))
    assert values(parsed)["Email"] == "ada@example.org"


def test_escapes_and_structured_values():
    """RFC 6350 §3.4: \\, \\; \\\\ and \\n; N and ADR split on unescaped ';' and ','."""
    parsed = read_file("a.vcf", card(r"N:O\;Hara;Ada,Augusta;;;", r"ORG:Analytical\, Ltd.",
                                     r"ADR:;;1 Main St\nFlat 2;Paris;;75001;France"))
    got = values(parsed)
    assert got["Family name"] == "O;Hara" and got["Given name"] == "Ada, Augusta"
    assert got["Organisation"] == "Analytical, Ltd."
    assert got["Street"] == "1 Main St\nFlat 2" and got["Postal code"] == "75001"


def test_quoted_parameters_may_hold_colons_and_semicolons():
    """RFC 6350 §3.3: a DQUOTE'd param-value may contain ':' ';' ','."""
    parsed = read_file("a.vcf", card('EMAIL;TYPE="home,work";X-NOTE="a:b;c":ada@example.org'))
    assert values(parsed)["Email (home, work)"] == "ada@example.org"


def test_a_uri_value_is_not_split_at_its_comma():
    parsed = read_file("a.vcf", card("URL:https://example.org/a,b", "PHOTO:data:image/png;"
                                     "base64,AAAA"))
    assert values(parsed)["Website"] == "https://example.org/a,b"
    assert [s.what for s in parsed.skipped] == ["PHOTO"]


def test_each_property_has_one_category_and_the_rest_say_why():
    parsed = read_file("a.vcf", card(
        "TEL;VALUE=uri;TYPE=cell:tel:+44-20-7946-0000;ext=12", "BDAY:18151210",
        "GENDER:F;woman", "LANG:en-GB", "NICKNAME:Ada,Enchantress", "GEO:geo:51.5,-0.1",
        "NOTE:hello", "X-SKYPE:ada", "UID:urn:uuid:1", "IMPP:xmpp:ada@example.org"))
    by_name = {f["name"]: (f["category"], f["value"]) for f in parsed.fields}
    assert by_name["Phone (mobile)"] == ("contact.phone", "+44-20-7946-0000")
    assert by_name["Date of birth"] == ("demographics.birthdate", "1815-12-10")
    assert by_name["Gender"] == ("demographics.gender", "woman")
    assert by_name["Language"] == ("demographics.language", "en-GB")
    assert by_name["Nickname"] == ("identity.name", "Ada, Enchantress")
    assert by_name["Full name"] == ("identity.name", "Ada Lovelace")
    assert {s.what: s.reason for s in parsed.skipped} == {
        "NOTE": "notes are free text with no category; add what matters on My data",
        "X-SKYPE": "a private extension Custos does not know",
        "UID": "describes the card, not you",
        "IMPP": "Custos has no category for messaging addresses"}


def test_two_properties_of_one_kind_stay_two_fields():
    parsed = read_file("a.vcf", card("EMAIL:a@example.org", "EMAIL:b@example.org"))
    assert values(parsed) == {"Full name": "Ada Lovelace", "Email": "a@example.org",
                              "Email 2": "b@example.org"}


@pytest.mark.parametrize("bday, fate", [
    ("BDAY:19851012", "1985-10-12"),
    ("BDAY:1985-10-12", "1985-10-12"),  # extended format, as jCard writes it
    ("BDAY:19851012T0830Z", "1985-10-12"),
    ("BDAY:--1012", "is not a whole date"),  # RFC 6350 §4.3.1: no year
    ("BDAY:1985", "is not a whole date"),
    ("BDAY:19900230", "is not a date in the calendar"),
    ("BDAY;VALUE=text:circa 1800", "written as words"),
])
def test_birthdays(bday, fate):
    parsed = read_file("a.vcf", card(bday))
    if fate[0].isdigit():
        assert values(parsed)["Date of birth"] == fate
    else:
        [skip] = parsed.skipped
        assert skip.where == "line 4, BDAY" and fate in skip.reason


def test_a_value_the_form_would_refuse_is_left_out_with_the_forms_words():
    parsed = read_file("a.vcf", card("EMAIL:not-an-email", "TEL:call me", "GENDER:Q"))
    reasons = {s.where: s.reason for s in parsed.skipped}
    assert reasons["line 4, EMAIL"].startswith("value: Enter an email address")
    assert reasons["line 5, TEL"].startswith("value: Enter a phone number")
    assert "M, F, O, N or U" in reasons["line 6, GENDER"]


def test_vcard_3_is_read_and_2_1_is_refused_in_words():
    assert values(read_file("a.vcf", card("EMAIL;WORK:a@example.org", version="3.0"))) == {
        "Full name": "Ada Lovelace", "Email (work)": "a@example.org"}
    with pytest.raises(ImportRefused, match="vCard 2.1; Custos reads vCard 4.0"):
        read_file("a.vcf", card(version="2.1"))


@pytest.mark.parametrize("data, message", [
    (b"BEGIN:VCARD\r\nFN:Ada\r\nVERSION:4.0\r\nEND:VCARD\r\n", "does not start with VERSION"),
    (b"BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:a@b.example\r\nEND:VCARD\r\n", "has no FN"),
    (card() + card(), "holds 2 contact cards"),
    (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nBEGIN:VCARD\r\n", "Line 4: a card begins inside"),
    (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\n", "begins on line 1 never ends"),
    (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nEND:VCARD\r\nEMAIL:x\r\n", "Line 5 is outside"),
    (card("this is not a property"), "Line 4 (THIS): expected ':'"),
    (card(";TYPE=x:y"), "Line 4 is not a vCard property"),
    (card('EMAIL;TYPE="home:a@b.example'), "Line 4 (EMAIL): expected ':'"),
    (card("NOTE:a\x00b"), "Line 4 contains a NUL character"),
    (card("NOTE:caf\xe9").replace(b"caf\xc3\xa9", b"caf\xe9"), "Line 4 is not UTF-8"),
    (card("NOTE:bell\x07"), "Line 4 (NOTE) contains the control character U+0007"),
    (card("KIND:org"), "describes an organisation (KIND:org), not a person"),
    (card(*["EMAIL:a@b.example"] * 1001), "more than 1000 properties"),
])
def test_a_file_that_is_not_one_good_card_is_refused_naming_the_line(data, message):
    with pytest.raises(ImportRefused, match=re.escape(message)):
        read_file("a.vcf", data)


JCARD = ["vcard", [
    ["version", {}, "text", "4.0"],
    ["fn", {}, "text", "Ada Lovelace"],
    ["n", {}, "text", ["Lovelace", "Ada", ["Augusta", "King"], "", ""]],
    ["email", {"type": "work", "group": "item1"}, "text", "ada@example.org"],
    ["tel", {"type": ["work", "voice"]}, "uri", "tel:+1-555-555-5555;ext=5555"],
    ["adr", {"type": "home"}, "text", ["", "", "12 St James Sq", "London", "", "SW1Y", "UK"]],
    ["bday", {}, "date-and-or-time", "1815-12-10"],
    ["gender", {}, "text", ["F", ""]],
    ["nickname", {}, "text", "Ada", "Enchantress"],
]]


def test_jcard_reads_like_its_vcard():
    """RFC 7095 §3.3: [name, params, type, value...]; structured values as arrays."""
    parsed = read_file("me.json", json.dumps(JCARD).encode())
    got = values(parsed)
    assert parsed.source == "jCard"
    assert got["Additional names"] == "Augusta, King" and got["Email (work)"] == \
        "ada@example.org"
    assert got["Phone (work)"] == "+1-555-555-5555" and got["Street (home)"] == \
        "12 St James Sq"
    assert got["Date of birth"] == "1815-12-10" and got["Gender"] == "female"
    assert got["Nickname"] == "Ada, Enchantress"
    assert values(read_file("me.json", json.dumps([JCARD]).encode())) == got  # a stream


@pytest.mark.parametrize("document, message", [
    (["vcard", [["fn", {}, "text", "Ada"]]], "does not start with the property"),
    (["vcard", [["version", {}, "text", "4.0"]]], "has no fn"),
    (["vcard", [["version", {}, "text", "4.0"], ["FN", {}, "text", "A"]]],
     "property 2 \\(FN\\) is not \\[name"),
    (["vcard", [["version", {}, "text", "4.0"], ["fn", [], "text", "A"]]], "property 2"),
    (["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", None]]],
     "not text or a number"),
    (["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "a\u0000"]]], "NUL"),
    (["vcard", "x"], "Card 1 is not a jCard"),
    ([JCARD, JCARD], "holds 2 contact cards"),
    ({"hello": 1}, "neither a Custos export nor a jCard"),
])
def test_a_bad_jcard_is_refused_naming_the_property(document, message):
    with pytest.raises(ImportRefused, match=message):
        read_file("me.json", json.dumps(document).encode())


def test_a_huge_property_name_is_cut_in_what_the_preview_shows():
    [skip] = read_file("a.vcf", card("X-" + "A" * 100_000 + ":v")).skipped
    assert len(skip.where) < 60 and len(skip.what) == 40
