"""The terms version is the store's: callers never patch it into the document they send."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def person(auth, app):
    auth.signup()
    return app.extensions["custos.vault"].find_person_by_email("ada@example.org").id


@pytest.mark.parametrize("candidate", ["[1]", '"terms"', "3"])
def test_a_candidate_that_is_not_an_object_is_a_clear_400(auth, person, candidate):
    response = auth.post("/terms/try", {"candidate": candidate, "vendor": "",
                                        "purpose": "Marketing", "categories": "contact.email"},
                         page="/terms")
    assert response.status_code == 400  # was a 500: the page patched a version into it
    assert "JSON object" in response.get_data(as_text=True)


def test_the_odrl_download_of_default_terms_imports_back(auth, client, person):
    from policies.odrl_import import import_odrl

    document = client.get("/terms/odrl").get_data(as_text=True)
    assert "custos:version" not in json.loads(document)  # never saved: no number to carry
    assert import_odrl(document).default.value == "ask"
