"""The public texts of the standard agreements: stable ids, plain words, ODRL (issue 12)."""

from __future__ import annotations

import pytest

from policies.agreements import expand, roster
from policies.odrl_import import import_odrl

IDS = [a.id for a in roster()]


def test_the_roster_lists_every_agreement_by_its_stable_id(client):
    page = client.get("/standard-agreements")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for a in roster():
        assert f"/standard-agreements/{a.id}" in text and a.title in text
    assert {"SD-BASE", "SD-BASE-DP", "PDC-INTENT"} <= set(IDS)


@pytest.mark.parametrize("agreement_id", IDS)
def test_each_agreement_has_a_public_text_and_an_odrl_form(client, agreement_id):
    page = client.get(f"/standard-agreements/{agreement_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for rule in expand(agreement_id):
        assert rule["label"] in text
    odrl = client.get(f"/standard-agreements/{agreement_id}/odrl")
    assert odrl.status_code == 200 and odrl.mimetype == "application/ld+json"
    policy = odrl.get_json()
    assert policy["uid"].endswith(f"/standard-agreements/{agreement_id}")
    back = import_odrl(odrl.get_data(as_text=True))  # the same rules come back
    assert sorted(r.id for r in back.rules) == sorted(r["id"] for r in expand(agreement_id))


def test_an_alias_redirects_to_the_stable_address_and_unknown_ids_are_404(client):
    moved = client.get("/standard-agreements/service-delivery-only")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/SD-BASE")
    moved = client.get("/standard-agreements/intent-casting/odrl")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/PDC-INTENT/odrl")
    assert client.get("/standard-agreements/NOPE").status_code == 404
    assert client.get("/standard-agreements/NOPE/odrl").status_code == 404
