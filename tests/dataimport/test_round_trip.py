"""Export, delete, import into a new vault over a real server: data, intents and terms come
back; agreements do not, and the preview says so."""

from __future__ import annotations

import html
import json
import re

import requests

from policies.agreements import adopt
from tests.api.test_connection_pages import grant  # noqa: F401  (Ada with a live agreement)

INTENT = {"category": "vehicles", "text": "An electric car", "budget": "30000",
          "currency": "EUR", "ends": "2027-03-01", "constraints": "electric only\nfour doors",
          "visibility": "shown"}


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_export_delete_import_restores_data_intents_and_terms(app, auth, client, grant,  # noqa: F811
                                                              live_server, request):
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@example.org").id
    assert auth.post("/intents", INTENT).status_code == 302
    terms = adopt({"default": "ask", "rules": [
        {"id": "r1", "effect": "deny", "purposes": ["Marketing"], "categories": ["contact"]}]},
        "intent-casting")
    vault.agreements.terms.save(person, terms, app.extensions["custos.clock"]())
    before = {"fields": [(f.category, f.name, f.kind, f.value) for f in vault.list_fields(person)],
              "intents": [i.data for i in vault.list_intents(person)],
              "terms": vault.agreements.terms.get(person).body}
    exported = auth.post("/settings/export", {}, page="/settings").get_data()
    assert json.loads(exported)["agreements"], "the export should hold Ada's agreement"
    assert auth.post("/settings/delete", {"phrase": "delete my vault",
                                          "password": "correct horse battery"},
                     page="/settings").status_code == 302

    web = requests.Session()
    request.addfinalizer(web.close)
    signup = web.get(f"{live_server.url}/signup").text
    web.post(f"{live_server.url}/signup", data={
        "csrf_token": _token(signup), "email": "ada@example.org",
        "password": "correct horse battery", "confirm": "correct horse battery"})
    upload = web.get(f"{live_server.url}/data/import").text
    preview = web.post(f"{live_server.url}/data/import", data={"csrf_token": _token(upload)},
                       files={"file": ("custos-export.json", exported, "application/json")})
    page = html.unescape(preview.text)
    assert preview.status_code == 200
    assert "1 entries" in page and "agreements are not imported" in page
    assert "Agreements with vendors are not imported: each vendor asks again" in page
    carried = html.unescape(re.search(r'name="carried" value="([^"]*)"', preview.text).group(1))
    digest = re.search(r'name="digest" value="([^"]*)"', preview.text).group(1)
    done = web.post(f"{live_server.url}/data/import/apply", allow_redirects=False, data={
        "csrf_token": _token(preview.text), "carried": carried, "digest": digest})
    assert done.status_code == 302

    new = live_server.app.extensions["custos.vault"]
    pid = new.find_person_by_email("ada@example.org").id
    assert [(f.category, f.name, f.kind, f.value) for f in new.list_fields(pid)] == \
        before["fields"]
    assert [i.data for i in new.list_intents(pid)] == before["intents"]
    restored = new.agreements.terms.get(pid).body
    assert {k: v for k, v in restored.items() if k != "version"} == \
        {k: v for k, v in before["terms"].items() if k != "version"}
    assert new.agreements.grants.for_person(pid) == []
    assert "An electric car" in web.get(f"{live_server.url}/intents").text
    assert new.verify_log(pid) == []
