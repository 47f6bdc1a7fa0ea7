"""Import through the pages: preview writes nothing, Import writes exactly the preview."""

from __future__ import annotations

import html
import json
import re

from tests.api.test_connection_pages import grant  # noqa: F401  (Ada with a live agreement)
from tests.dataimport.conftest import ADA


def test_vcard_preview_writes_nothing_then_import_adds_it(app, client, importer, person):
    vault = app.extensions["custos.vault"]
    before = len(vault.list_events(person))
    preview = importer.preview(ADA)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "ada@analytical.example" in page and "To add" in page
    assert "pictures are not imported" in page and "line 11, PHOTO" in page
    assert vault.list_fields(person) == [] and len(vault.list_events(person)) == before

    done = importer.confirm(preview)
    assert done.status_code == 302 and done.headers["Location"].endswith("/data")
    stored = {(f.category, f.name): f.value for f in vault.list_fields(person)}
    assert stored[("contact.email", "Email (work)")] == "ada@analytical.example"
    assert stored[("demographics.birthdate", "Date of birth")] == "1815-12-10"
    assert stored[("address.street", "Street (home)")] == "12 St James, Square"
    assert stored[("demographics.gender", "Gender")] == "female"
    kinds = [e.kind for e in vault.list_events(person)][before:]
    assert kinds.count("field_added") == len(stored) and kinds[-1] == "data_imported"
    assert "Imported your vCard file" in client.get("/data").get_data(as_text=True)


def _count(page: str, heading: str) -> int:
    found = re.search(rf"<h2>{heading} \((\d+)\)</h2>", page)
    return int(found.group(1)) if found else 0


def test_merge_rule_same_category_and_name_updates_or_skips(app, importer, person, clock):
    vault = app.extensions["custos.vault"]
    vault.add_field(person, category="contact.email", name="email (WORK)", kind="email",
                    value="old@analytical.example", now=clock())
    vault.add_field(person, category="address.city", name="City (home)", kind="text",
                    value="London", now=clock())
    page = importer.preview(ADA).get_data(as_text=True)
    assert _count(page, "To change") == 1 and _count(page, "Already in your vault") == 1
    assert "replaces “old@analytical.example”" in html.unescape(page)
    assert importer.run(ADA).status_code == 302
    emails = [f for f in vault.list_fields(person) if f.category == "contact.email"]
    assert [(f.name, f.value) for f in emails] == [("email (WORK)", "ada@analytical.example")]
    assert len([f for f in vault.list_fields(person) if f.name == "City (home)"]) == 1

    again = importer.preview(ADA).get_data(as_text=True)  # the same file twice changes nothing
    assert _count(again, "To add") == 0 and _count(again, "To change") == 0
    assert ">Import</button>" not in again


def test_same_named_fields_pair_off_equal_ones_first(app, importer, person, clock):
    vault = app.extensions["custos.vault"]
    for value in ("a@example.org", "b@example.org"):
        vault.add_field(person, category="contact.email", name="Email", kind="email",
                        value=value, now=clock())
    csv = "category,name,kind,value\r\ncontact.email,Email,email,b@example.org\r\n" \
          "contact.email,Email,email,c@example.org\r\ncontact.email,Email,email,d@example.org\r\n"
    page = importer.preview(csv, "me.csv").get_data(as_text=True)
    assert (_count(page, "To add"), _count(page, "To change"),
            _count(page, "Already in your vault")) == (1, 1, 1)
    assert importer.run(csv, "me.csv").status_code == 302
    assert sorted(f.value for f in vault.list_fields(person)) == [
        "b@example.org", "c@example.org", "d@example.org"]


def test_import_does_only_what_was_previewed(app, client, importer, person, clock):
    """A change between preview and Import (another tab) stops it and shows the new plan."""
    vault = app.extensions["custos.vault"]
    preview = importer.preview(ADA)
    vault.add_field(person, category="contact.email", name="Email (work)", kind="email",
                    value="other@example.org", now=clock())
    stale = importer.confirm(preview)
    page = html.unescape(stale.get_data(as_text=True))
    assert stale.status_code == 409 and "Your vault changed since the preview" in page
    assert "replaces “other@example.org”" in page
    assert len(vault.list_fields(person)) == 1  # nothing of the stale plan was written
    assert importer.confirm(stale).status_code == 302  # the new preview imports
    assert len(vault.list_fields(person)) == 13


def test_a_forged_digest_writes_nothing(app, client, importer, person):
    preview = importer.preview(ADA)
    page = preview.get_data(as_text=True)
    forged = page.replace(re.search(r'name="digest" value="([^"]*)"', page).group(1), "0" * 64)
    preview.set_data(forged)
    assert importer.confirm(preview).status_code == 409
    assert app.extensions["custos.vault"].list_fields(person) == []


def test_csv_template_downloads_and_imports(app, client, importer, person):
    response = client.get("/data/import/template.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers[
        "Content-Disposition"]
    template = response.get_data(as_text=True)
    assert template == "category,name,kind,value\r\n"
    filled = template + "address.city,City,,Paris\r\n" \
        "demographics.birthdate,Born,date,1990-04-01\r\n"
    assert importer.run(filled, "custos-import-template.csv").status_code == 302
    got = {(f.category, f.name, f.kind, f.value) for f in
           app.extensions["custos.vault"].list_fields(person)}
    assert got == {("address.city", "City", "text", "Paris"),
                   ("demographics.birthdate", "Born", "date", "1990-04-01")}


def test_terms_wait_for_the_terms_page_while_agreements_are_live(app, importer, grant):  # noqa: F811
    exported = json.dumps({"format": "custos-export/1", "terms": [
        {"version": 3, "terms": {"version": 3, "default": "deny", "rules": []}}]})
    page = html.unescape(importer.preview(exported, "me.json").get_data(as_text=True))
    assert "1 vendor agreement(s) are live: change your terms on the Terms page" in page
    assert ">Import</button>" not in page


def test_the_import_page_is_linked_and_labelled(client, person):
    assert 'href="/data/import"' in client.get("/data").get_data(as_text=True)
    page = client.get("/data/import").get_data(as_text=True)
    assert '<label for="file">File to import</label>' in page
    assert 'aria-current="page">My data</a>' in page
    assert 'enctype="multipart/form-data"' in page and 'name="csrf_token"' in page


def test_the_log_says_what_was_imported_without_values(app, client, importer, person):
    importer.run(ADA)
    page = html.unescape(client.get("/log").get_data(as_text=True))
    assert "You imported a vCard file: 13 added, 0 changed, 2 left out." in page
    [entry] = app.extensions["custos.vault"].list_events(person, kinds=["data_imported"])
    assert entry.payload == {"source": "vCard", "added": 13, "updated": 0, "skipped": 2,
                             "actor": "person"}  # she did it, on her page (issue 13)


def test_a_large_file_imports_past_the_apps_form_limits(app, importer, person):
    """1,000 rows of 1,500 characters: over Werkzeug's 500 KB form-field default and the app's
    1 MB body cap, within the import's own 4 MB limit."""
    rows = "".join(f"preferences.interests,Interest {i},,{chr(65 + i % 26) * 1500}\r\n"
                   for i in range(1000))
    assert len(rows) > 1024 * 1024
    done = importer.run("category,name,kind,value\r\n" + rows, "me.csv")
    assert done.status_code == 302
    assert len(app.extensions["custos.vault"].list_fields(person)) == 1000
    too_many = importer.preview("category,name,kind,value\r\n" + rows + rows[:60], "me.csv")
    assert too_many.status_code == 400
    assert "The file has more than 1000 rows." in too_many.get_data(as_text=True)


def test_an_imported_intent_vendors_may_now_see_reaches_subscribers(app, client, importer,
                                                                     person, auth, clock):
    """Issue 14: the import is a door like the Intents page: an intent it shows is pushed to
    subscribed vendors (through the outbox, in the import's transaction)."""
    from policies.agreements import adopt
    from tests.oauth.conftest import Vendors
    from tests.oauth.test_person_vendor import bearer, vendor_token

    vault = app.extensions["custos.vault"]
    vault.agreements.terms.save(person, adopt({"default": "ask", "rules": []}, "intent-casting"),
                                clock())
    assert auth.post("/intents", {"category": "vehicles", "text": "A cargo bike",
                                  "visibility": "hidden"}).status_code == 302
    exported = json.loads(auth.post("/settings/export", {}, page="/settings").get_data())
    seller = Vendors(client).register(custos_notification_uri="https://seller.example/n")
    assert client.put("/api/v1/subscription", json={"categories": ["vehicles"]},
                      headers=bearer(vendor_token(client, seller))).status_code == 200
    assert vault.agreements.outbox.due(clock()) == []  # hidden: nobody told yet

    for intent in exported["intents"]:
        intent["data"]["visibility"] = "shown"  # the file shows it
    assert importer.run(json.dumps(exported), "custos-export.json").status_code == 302
    [notice] = vault.agreements.outbox.due(clock())
    assert notice.client_id == seller["client_id"]
