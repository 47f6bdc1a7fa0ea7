"""No 5xx on hostile input, anywhere, on SQLite and PostgreSQL (issue 9, item 12).

Every route of the app (enumerated from `app.url_map`) is sent a valid request, then every
hostile variant of it (tests/api/hostile_cases.py): NUL bytes in ids, deeply nested JSON,
non-ASCII digits and 5,000-digit numbers, out-of-range dates, and so on, each with the
credentials the route needs so that the input reaches the code that reads it. Each answer must
be below 500, JSON routes must answer JSON, and no answer may show a traceback.
"""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest

from api import create_app
from api.config import Settings
from clients.sdk.myterms import ACKNOWLEDGEMENT, USE_REPORT, sign
from policies.agreements import adopt
from tests.api.hostile_cases import BASES, TERMS, VCARD, Request, cases, url
from tests.conftest import Auth, configure, csrf_token, save_terms
from tests.oauth.conftest import VENDOR_KEY, Flow, Vendors
from tests.oauth.test_offers import INTENT, OFFER
from tests.oauth.test_person_vendor import bearer, butler, vendor_token

UNLIMITED = "1000000 per minute"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


class World:
    """One person with data, terms, an intent, an agreement, a pending request and an offer;
    a vendor with every kind of credential; and the person's butler."""

    def __init__(self, app, clock) -> None:
        self.app, self.client = app, app.test_client()
        self.auth, self.vault = Auth(self.client), app.extensions["custos.vault"]
        self.auth.signup()
        person = self.vault.find_person_by_email("ada@example.org").id
        self.vault.add_field(person, category="contact.email", name="Email", kind="email",
                             value="ada@example.org", now=clock())
        self.vault.add_field(person, category="address.city", name="City", kind="text",
                             value="London", now=clock())
        vendors, flow = Vendors(self.client), Flow(self.client)
        self.vendor = vendors.register(custos_notification_uri="https://vendor.example/n")
        self.person_token = butler(vendors, flow)["access_token"]
        terms = adopt({k: v for k, v in TERMS.items() if k != "agreements"}, "intent-casting")
        save_terms(self.client, terms)
        proposed = self.client.put("/api/v1/person/terms", json={**terms, "auto_approve": True},
                                   headers=bearer(self.person_token))
        assert proposed.status_code == 202, proposed.get_json()
        intent = self.vault.add_intent(person, INTENT, clock()).id
        tokens = flow.tokens(self.vendor)
        read = flow.accepted_read(tokens["access_token"]).get_json()
        pending = flow.tokens(self.vendor)["access_token"]  # proffered, not yet answered
        pending_id = flow.read(pending).get_json()["agreement"]
        record = self.client.get(f"/api/v1/agreements/{pending_id}/record",
                                 headers=bearer(pending)).get_json()["record"]
        countered = flow.tokens(self.vendor)["access_token"]  # the vendor proposes SD-BASE
        countered_id = flow.read(countered).get_json()["agreement"]
        assert self.client.post(f"/api/v1/agreements/{countered_id}/counter", headers=bearer(
            countered), json={"agreement": "SD-BASE"}).status_code == 202
        ended = flow.tokens(self.vendor)["access_token"]  # accepted, then revoked: a notice
        ended_id = flow.read(ended).get_json()["agreement"]
        flow.accept(ended)
        self.client.post(f"/api/v1/person/grants/{ended_id}/revoke",
                         headers=bearer(self.person_token))
        notice_id = self.vault.agreements.duties.for_person(person)[0].id
        duties = self.vault.agreements.duties  # a portability request, answered with data
        returned = duties.add(duties.new_id(), ended_id, person, self.vendor["client_id"],
                              "portability", "n.o.t", clock(), clock())
        duties.acknowledge(returned.id, sign({"data": {"orders": []}}, VENDOR_KEY), clock())
        self.vendor_token = vendor_token(self.client, self.vendor)
        asked = self.client.post("/api/v1/requests", headers=bearer(self.vendor_token), json={
            "subject": read["sub"], "authorization_details": [{
                "type": "custos_data_access", "purpose": "ServiceProvision",
                "categories": ["address.city"], "retention_days": 30}]})
        assert asked.status_code == 201, asked.get_json()
        subscribed = self.client.put("/api/v1/subscription", json={"categories": ["vehicles"]},
                                     headers=bearer(self.vendor_token))
        assert subscribed.status_code == 200, subscribed.get_json()
        found = self.client.get("/api/v1/intents", headers=bearer(self.vendor_token))
        handle = found.get_json()["items"][0]["id"]
        offered = self.client.post(f"/api/v1/intents/{handle}/offers", json=OFFER,
                                   headers=bearer(self.vendor_token))
        assert offered.status_code in (200, 201), offered.get_json()
        offer_id = offered.get_json()["id"]
        delivered = self.client.post(  # delivered, with a question: the channel is open
            f"/api/v1/person/offers/{offer_id}/decision", headers=bearer(self.person_token),
            json={"decision": "deliver", "reasons": [{"code": "offer.person_override",
                                                      "text": "Mine"}]})
        assert delivered.status_code == 200, delivered.get_json()
        self.vault.agreements.messages.add(
            offer_id=offer_id, person_id=person, client_id=self.vendor["client_id"],
            sender="person", kind="message", text="Any red ones?", now=clock())
        receipt = self.client.get(f"/api/v1/agreements/{read['agreement']}/receipt",
                                  headers=bearer(self.vendor_token)).get_json()
        self.values = {
            "field_id": self.vault.list_fields(person)[0].id, "intent_id": intent,
            "grant_id": read["agreement"], "agreement_id": read["agreement"],
            "request_id": asked.get_json()["id"], "offer_id": offered.get_json()["id"],
            "rule_id": "r1", "handle": handle, "client_id": self.vendor["client_id"],
            "sub": read["sub"], "subject": read["sub"], "access_token": tokens["access_token"],
            "pending_id": pending_id, "acceptance": sign(record, VENDOR_KEY),
            "countered_id": countered_id, "notice_id": notice_id, "duty_id": returned.id,
            "ack": sign({"notice": notice_id, "agreement": ended_id}, VENDOR_KEY, ACKNOWLEDGEMENT),
            "use": sign({"agreement": read["agreement"], "purpose": "Delivery",
                         "processor": "Acme", "used_at": "2026-12-01T10:00:00+00:00"},
                        VENDOR_KEY, USE_REPORT),
            "refresh_token": tokens["refresh_token"],
            "given": receipt["receipt"]["policyUrl"].rsplit("/", 1)[1],
            "proposal_id": proposed.get_json()["proposal_id"]}
        self.agreement_token = tokens["access_token"]
        self.csrf = csrf_token(self.client.get("/data"))
        self.values |= self._previewed_import()

    def _previewed_import(self) -> dict:
        """The hidden fields of an import preview, for the request that applies it."""
        page = self.client.post("/data/import", data={
            "csrf_token": self.csrf, "file": (io.BytesIO(VCARD.encode()), "ada.vcf")})
        assert page.status_code == 200, page.get_data(as_text=True)[:300]
        text = page.get_data(as_text=True)
        return {name: html.unescape(re.search(rf'name="{name}" value="([^"]*)"', text).group(1))
                for name in ("carried", "digest")}

    def _fill(self, value):
        """Put the world's ids into "{name}" placeholders of a base request."""
        if isinstance(value, str):
            return re.sub(r"\{([a-z_]+)\}", lambda m: self.values.get(m.group(1), m.group(0)),
                          value)
        if isinstance(value, dict):
            return {k: self._fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._fill(v) for v in value]
        return value

    def send(self, req: Request):
        headers, auth = {}, None
        if req.auth in ("person", "agreement", "vendor"):
            token = {"person": self.person_token, "agreement": self.agreement_token,
                     "vendor": self.vendor_token}[req.auth]
            headers["Authorization"] = f"Bearer {token}"
        elif req.auth == "client":
            auth = (self.vendor["client_id"], self.vendor["client_secret"])
        if req.authorization is not None:
            headers, auth = {"Authorization": req.authorization}, None
        kwargs = {"query_string": self._fill(req.query), "headers": headers, "auth": auth}
        if req.form is not None:
            kwargs["data"] = {**self._fill(req.form), "csrf_token": self.csrf}
        for name, (text, filename) in (req.files or {}).items():
            content = io.BytesIO(text.encode("utf-8", "surrogatepass"))
            kwargs["data"] = {**kwargs.get("data", {}), name: (content, filename)}
        if req.raw is not None:
            kwargs["data"] = self._fill(req.raw).encode("utf-8", "surrogatepass")
            kwargs["content_type"] = "application/json"
        elif req.body is not None:
            kwargs["json"] = self._fill(req.body)
        path = url(req.rule, {**self.values, **self._fill(req.args)})
        response = self.client.open(path, method=req.method, **kwargs)
        response.get_data()
        response.close()  # a streamed file (static) is read and closed here
        if req.resets:
            self.client.delete_cookie("custos_session")
            self.auth.signin()
            self.csrf = csrf_token(self.client.get("/data"))
        return response


@pytest.fixture(params=BACKENDS)
def world(request, tmp_path, clock) -> World:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    settings = Settings(home=tmp_path / "home", database_url=url, secret_key="h" * 40,
                        secure_cookies=False, argon2_profile="CHEAPEST",
                        signin_rate_limit=UNLIMITED, signin_account_rate_limit=UNLIMITED,
                        api_rate_limit=UNLIMITED, token_rate_limit=UNLIMITED,
                        registration_rate_limit=UNLIMITED, reset_rate_limit=UNLIMITED)
    app = create_app(settings, testing=True)
    app.extensions["custos.clock"] = clock
    world = World(app, clock)
    world.values |= _mail_links(app, clock)
    yield world
    app.extensions["custos.vault"].close()


def _mail_links(app, clock) -> dict[str, str]:
    """Email on (to a port nobody listens on: nothing is sent), and a live link of each kind."""
    from api.config import _smtp
    from api.services import mail_links
    from api.services.mail import mail_config

    configure(app, smtp_url=_smtp("smtp://127.0.0.1:9"), issuer="http://localhost")
    vault, mail = app.extensions["custos.vault"], mail_config(app.config["CUSTOS_SETTINGS"])
    person = vault.find_person_by_email("ada@example.org").id
    return {"reset_token": vault.links.issue(person, "reset", clock(), timedelta(minutes=30)),
            "verify_token": vault.links.issue(person, "verify", clock(), timedelta(days=1)),
            "unsubscribe_token": mail_links.unsubscribe_url(
                vault, mail, person, "reply_arrived", clock()).rsplit("/", 1)[1]}


def _route_keys(app) -> set[str]:
    return {f"{rule.endpoint} {method}" for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_has_hostile_cases(app):
    """A new route fails here until it has a valid request in BASES (and so hostile cases)."""
    routes = _route_keys(app)
    assert len(routes) >= 60, routes
    assert sorted(routes - set(BASES)) == [], "add these routes to hostile_cases.BASES"
    assert sorted(set(BASES) - routes) == [], "these BASES no longer exist"
    for key, base in BASES.items():
        assert len(list(cases(base))) >= 20, key


def _cause(caplog) -> str:
    """The exception the app logged for a 500: its type and the line that raised it."""
    for record in caplog.records:
        if record.getMessage().startswith("unexpected "):
            lines = record.getMessage().strip().splitlines()
            return f"{lines[0].split(' at ')[0]} ({' / '.join(x.strip() for x in lines[-2:])})"
    return ""


@pytest.mark.slow  # about 3 minutes for both backends; CI runs it
@pytest.mark.parametrize("key", sorted(BASES))
def test_no_5xx_on_hostile_input(world, key, caplog):
    base = BASES[key]
    valid = world.send(base)
    assert valid.status_code < 400 or base.resets, (key, valid.status_code,
                                                     valid.get_data(as_text=True)[:300])
    failures = []
    for spoiled, req in cases(base):
        caplog.clear()
        response = world.send(req)
        text = response.get_data(as_text=True)
        json_route = req.rule.startswith(("/api/", "/.well-known/")) or \
            req.rule in ("/oauth/token", "/oauth/revoke", "/oauth/introspect", "/oauth/register")
        if response.status_code >= 500 or "Traceback" in text or \
                (json_route and response.status_code >= 400 and not response.is_json):
            failures.append(f"{spoiled}: {response.status_code} {_cause(caplog)} {text[:80]!r}")
    assert failures == [], f"{key}: {len(failures)} failures\n" + "\n".join(failures[:40])
