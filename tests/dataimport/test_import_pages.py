"""Import through the pages: preview writes nothing, Import writes exactly the preview."""

from __future__ import annotations

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
