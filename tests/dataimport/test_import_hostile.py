"""Hostile files on SQLite and PostgreSQL: a clear message naming the line or property, never a
500, nothing written; and what an import writes is sealed like typed-in data."""

from __future__ import annotations

import html
import json
import re

import pytest

from api.config import Settings
from api.services.dataimport.records import MAX_BYTES
from tests.dataimport.conftest import ADA
from tests.vault.conftest import stored_bytes


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request, tmp_path) -> Settings:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    return Settings(home=tmp_path / "home", database_url=url, secret_key="x" * 40,
                    secure_cookies=False, signin_rate_limit="1000 per minute",
                    argon2_profile="CHEAPEST")


def export(**parts) -> bytes:
    return json.dumps({"format": "custos-export/1", **parts}).encode()


VCARD_HEAD = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\n"
REFUSED = [
    ("nul", "me.vcf", (VCARD_HEAD + "NOTE:a\x00b\r\nEND:VCARD\r\n").encode(),
     "Line 4 contains a NUL character"),
    ("bad-utf8", "me.vcf", VCARD_HEAD.encode() + b"NOTE:\xff\xfe\r\nEND:VCARD\r\n",
     "Line 4 is not UTF-8 text (byte 0xff)"),
    ("huge", "me.vcf", VCARD_HEAD.encode() + b"NOTE:" + b"x" * MAX_BYTES,
     "The file is 4.0 MB; the limit is 4 MB."),
    ("deep-json", "me.json", b"[" * 100_000, "The file nests more than 32 levels deep."),
    ("nested-json", "me.json", export(fields=[{"value": json.loads("[" * 40 + "]" * 40)}]),
     "The file nests more than 32 levels deep."),
    ("nan", "me.json", b'{"format": "custos-export/1", "fields": [{"value": NaN}]}',
     "The file holds NaN, which is not a JSON number."),
    ("broken-json", "me.json", b'{"format": "custos-export/1",\n "fields": [}',
     "Line 2, column 13: this is not valid JSON"),
    ("empty", "me.vcf", b"  \r\n", "The file is empty."),
    ("binary", "me.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
     "Line 3 contains a NUL character: this is not a text file."),
    ("unknown", "me.txt", b"hello", "this file is none of them"),
    ("newer-export", "me.json", b'{"format": "custos-export/9"}', "reads custos-export/1"),
    ("fields-not-list", "me.json", export(fields={"a": 1}), "fields must be a list of objects"),
    ("csv-header", "me.csv", b"kategorie,wert\r\nx,y\r\n", "Line 1 must name the columns"),
    ("two-cards", "me.vcf", (ADA * 2).encode(), "The file holds 2 contact cards"),
]


@pytest.mark.parametrize("name, filename, data, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_file_says_why_and_changes_nothing(app, importer, person, name, filename,
                                                     data, message):
    vault = app.extensions["custos.vault"]
    before = len(vault.list_events(person))
    response = importer.preview(data, filename)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400, page[:500]
    assert message in page, re.sub(r"\s+", " ", page)[-1500:]
    assert 'aria-invalid="true"' in page and 'id="file-error"' in page  # beside the input
    assert vault.list_fields(person) == [] and len(vault.list_events(person)) == before


LEFT_OUT = [
    ("bad-date-intent", "me.json", export(intents=[{"data": {
        "category": "vehicles", "text": "an electric car", "ends": "2026-13-45"}}]),
     "intent 1", "ends: Enter a date"),
    ("surrogate", "me.json", export(fields=[{"category": "contact.email", "name": "Email",
                                             "kind": "text", "value": "\ud800"}]),
     "data item 1", "value: contains characters that are not valid Unicode"),
    ("bad-bday", "me.vcf", (VCARD_HEAD + "BDAY:20261345\r\nEND:VCARD\r\n").encode(),
     "line 4, BDAY", "is not a date in the calendar"),
    ("csv-category", "me.csv", b"category,name,kind,value\r\ncontact.mail,Email,,a@b.example\r\n",
     "line 2", "'contact.mail' is not a category id"),
    ("csv-cells", "me.csv", b"category,name,kind,value\r\ncontact.email,Email\r\n",
     "line 2", "has 2 cells where the header has 4"),
    ("bad-terms", "me.json", export(terms=[{"version": 1, "terms": {"default": "maybe"}}]),
     "terms version 1", "default"),
]


@pytest.mark.parametrize("name, filename, data, where, reason", LEFT_OUT,
                         ids=[r[0] for r in LEFT_OUT])
def test_a_bad_record_is_left_out_naming_where_and_why(app, importer, person, name, filename,
                                                       data, where, reason):
    vault = app.extensions["custos.vault"]
    before = len(vault.list_events(person))
    response = importer.preview(data, filename)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    row = re.search(rf"<tr><td[^>]*>{re.escape(where)}[^<]*</td><td[^>]*>([^<]*)</td></tr>", page)
    assert row and reason in row.group(1), page[-2000:]
    assert vault.list_fields(person) == [] and len(vault.list_events(person)) == before


def test_a_file_past_the_request_limit_gets_the_page_not_a_crash(app, importer, person):
    response = importer.preview(b"x" * (MAX_BYTES + 200_000), "big.vcf")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 413
    assert "larger than 4 MB, the limit for an import" in page and 'type="file"' in page


@pytest.mark.parametrize("carried", ["", "not json", json.dumps({"fields": "x"}), json.dumps({
    "source": "vCard", "fields": [{"category": "contact.email", "name": "E", "kind": "email",
                                  "value": "not an email"}], "intents": [], "skipped": []})])
def test_an_edited_preview_form_is_refused(app, client, person, carried):
    from tests.conftest import csrf_token

    vault = app.extensions["custos.vault"]
    before = len(vault.list_events(person))
    response = client.post("/data/import/apply", data={
        "csrf_token": csrf_token(client.get("/data/import")), "carried": carried,
        "digest": "0" * 64})
    assert response.status_code == 400
    assert "The preview could not be read" in response.get_data(as_text=True)
    assert vault.list_fields(person) == [] and len(vault.list_events(person)) == before


def test_without_csrf_nothing_is_read(app, client, person):
    import io

    response = client.post("/data/import", data={"file": (io.BytesIO(ADA.encode()), "me.vcf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "did not come from Custos" in response.get_data(as_text=True)


MARKERS = ["Quokka-Street-4471", "Xerus-Name-2290", "numbat.marker@example.org",
           "Pangolin-Intent-8812"]


def test_imported_values_are_sealed_on_disk(app, importer, person, settings):
    """The plaintext scan of tests/vault/test_at_rest.py, over an import of each format."""
    card = ("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\nADR:;;" + MARKERS[0] + ";;;;\r\n"
            "EMAIL:" + MARKERS[2] + "\r\nEND:VCARD\r\n")
    assert importer.run(card).status_code == 302
    csv = f"category,name,kind,value\r\nidentity.name,{MARKERS[1]},,{MARKERS[1]}\r\n"
    assert importer.run(csv, "me.csv").status_code == 302
    assert importer.run(export(intents=[{"data": {"category": "vehicles",
                                                  "text": MARKERS[3]}}]),
                        "me.json").status_code == 302
    vault = app.extensions["custos.vault"]
    assert len(vault.list_fields(person)) == 4 and len(vault.list_intents(person)) == 1
    stored = stored_bytes(vault, settings.home)
    for marker in MARKERS:
        for needle in (marker.encode(), marker.lower().encode(), marker.encode().hex().encode(),
                       marker.encode("utf-16-le")):
            assert needle not in stored, marker
    assert vault.verify_log(person) == []
