"""Terms with `auto_approve`: a request the terms permit entirely is approved without a screen."""

from __future__ import annotations

import pytest

from policies import TermsError, load_terms
from policies.serialize import dump_terms
from tests.conftest import save_terms
from tests.oauth.conftest import REDIRECT, SCOPE, pkce, query
from tests.oauth.test_person_vendor import bearer, butler

PERMIT = {"default": "ask", "rules": [{"id": "service", "effect": "permit",
                                       "purposes": ["ServiceProvision"],
                                       "categories": ["contact", "address"]}]}


def _terms(client, vendors, flow, terms) -> None:
    """Auto-approve is the person's own choice: an agent's proposal of it waits for her."""
    me = butler(vendors, flow)["access_token"]
    proposed = client.put("/api/v1/person/terms", json=terms, headers=bearer(me))
    assert proposed.status_code == 202 and proposed.get_json()["waits_for_person"]
    save_terms(client, terms)


def test_permitted_request_is_approved_at_once_when_the_person_chose_so(app, person, vendor,
                                                                       vendors, flow, client):
    _terms(client, vendors, flow, {**PERMIT, "auto_approve": True})
    verifier, challenge = pkce()
    answer = client.get(flow.authorize_url(vendor, challenge=challenge))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    params = query(answer.headers["Location"])
    assert answer.headers["Location"].startswith(REDIRECT) and params["state"] == "xyz"
    assert params["iss"] and "code" in params
    tokens = flow.token(vendor, grant_type="authorization_code", code=params["code"],
                        redirect_uri=REDIRECT, code_verifier=verifier).get_json()
    body = flow.read(tokens["access_token"]).get_json()
    grant = app.extensions["custos.vault"].agreements.grants.get(body["agreement"])
    assert grant.decided_by == "terms" and set(grant.categories) == {"contact.email",
                                                                    "address.city"}
    decided = app.extensions["custos.vault"].list_events(person, kinds=["decision_made"])
    assert decided[-1].payload["effect"] == "permit"


@pytest.mark.parametrize("terms, scope", [
    (PERMIT, SCOPE),  # permitted, but the person did not choose auto-approval
    ({**PERMIT, "auto_approve": True}, SCOPE + " data:financial.income"),  # one category to ask
    ({**PERMIT, "auto_approve": True}, "mandate:offers"),  # an agent always needs her yes
    ({**PERMIT, "auto_approve": True}, SCOPE + " mandate:log"),  # data and a mandate: too
])
def test_otherwise_the_person_sees_the_consent_screen(person, vendor, vendors, flow, client,
                                                      terms, scope):
    _terms(client, vendors, flow, terms)
    _, challenge = pkce()
    page = client.get(flow.authorize_url(vendor, challenge=challenge, scope=scope))
    assert page.status_code == 200 and 'name="decision"' in page.get_data(as_text=True)


def test_the_flag_is_validated_and_round_trips():
    with pytest.raises(TermsError) as caught:
        load_terms({**PERMIT, "auto_approve": "sometimes"})
    assert "auto_approve" in caught.value.messages
    terms = load_terms({**PERMIT, "auto_approve": True})
    assert terms.auto_approve and load_terms(dump_terms(terms)) == terms
    assert "auto_approve" not in dump_terms(load_terms(PERMIT))
