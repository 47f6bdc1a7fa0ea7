"""The hostile-input cases: for every route, a request known to work, and the ways to spoil it.

`BASES` holds one valid request per route and method; `cases(base)` turns it into hostile ones:
each path id, query parameter, form field and JSON member in turn replaced by each hostile
value, plus whole bodies that are hostile as a whole. A route missing from `BASES` fails
tests/api/test_hostile_input.py, so a new route cannot go untested.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import quote

DEEP = "[" * 50_000 + "]" * 50_000  # far past any recursion limit
DEEP_OBJECT = '{"a":' * 20_000 + "1" + "}" * 20_000
HUGE = "9" * 5000  # past Python's 4,300-digit int conversion limit
DETAILS = [{"type": "custos_data_access", "purpose": "ServiceProvision",
            "categories": ["contact.email"], "retention_days": 30}]
#: strings a person or a client could send in any text input, query parameter or path id
HOSTILE = ["", " ", "\x00", "a\x00b", "x" * 5000, HUGE, "-" + HUGE, "-1", "1e309", "NaN",
           "\u0663", "\uff11\uff12", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
           "9999-12-31", "2026-02-30", "<script>alert(1)</script>", "../../etc/passwd",
           "\U0001f984", "\u202e", "null", "[]", "{}", DEEP, DEEP_OBJECT,
           json.dumps([{**DETAILS[0], "retention_days": 1e308, "duration_days": 10**300}]),
           json.dumps([{**DETAILS[0], "categories": [DETAILS[0]] * 3}])]
#: the hostile values short enough to send in every field at once
SHORT = [value for value in HOSTILE if len(value) <= 100]
#: JSON values (as text) put in place of any member of a JSON body
HOSTILE_JSON = ["null", "true", "-1", "1e309", "-1e309", "NaN", HUGE, "-" + HUGE, f'"{HUGE}"',
                "[]", "{}", DEEP, DEEP_OBJECT, '"\\u0000"', '"a\\u0000b"', '"\\ud800"',
                '"\\u0663"', '"9999-12-31T23:59:59-14:00"', '"0001-01-01T00:00:00+14:00"',
                json.dumps("x" * 5000), '"\U0001f984"', '""', '[null]', '[{}]', '[[[]]]']
#: whole bodies that are hostile as a whole
HOSTILE_BODIES = [DEEP, DEEP_OBJECT, "[]", '"text"', "null", HUGE, "1e309", "{", "\x00",
                  '{"a": 1, "a": 2}', "\ufeff{}", '{"\\ud800": 1}']
#: path ids: NUL bytes (PostgreSQL refuses them in text), odd lengths, odd characters
HOSTILE_IDS = ["\x00", "a\x00b", "x" * 300, "..", "%", "\U0001f984", "\u0663", HUGE, " ",
               "null", "-1", "<script>"]
#: every form field name the pages use, sent all at once with one hostile value
FORM_FIELDS = ["category", "name", "kind", "value", "text", "budget", "currency", "starts", "ends",
               "region", "constraints", "visibility", "status", "decision", "days", "label",
               "effect", "categories", "purposes", "max_retention", "sharing", "valid_from",
               "valid_until", "certifications", "jurisdictions", "candidate", "agreement", "action",
               "actions", "default", "vendor", "purpose", "phrase", "password", "email", "confirm",
               "next", "auto_approve", "intent_only", "frequency_max", "frequency_per", "vendors",
               "pw_current", "pw_password", "pw_confirm", "intent", "since", "until", "limit",
               "cursor", "kind", "dry_run", "token", "token_type_hint", "grant_type", "code",
               "redirect_uri", "code_verifier", "refresh_token", "scope", "client_id", "state",
               "response_type", "code_challenge", "code_challenge_method", "authorization_details",
               "lang", "everyday", "em_email", "em_password", "digest", "request_waiting",
               "agent_changed", "ack_overdue", "reply_arrived"]


@dataclass(frozen=True)
class Request:
    """One request: what is sent, and with which credentials (see `World.send`)."""

    method: str
    rule: str  # the url_map rule, with <args>
    auth: str = "session"  # session | person | agreement | vendor | client | none
    args: dict = field(default_factory=dict)  # path args that are not the world's ids
    query: dict = field(default_factory=dict)
    form: dict | None = None
    body: object = None  # a JSON body (a dict or list), or None
    raw: str | None = None  # a raw body sent as application/json instead of `body`
    resets: bool = False  # ends the session: sign in again after it
    authorization: str | None = None  # an Authorization header sent instead of `auth`'s
    files: dict | None = None  # uploads: form name -> (text content, file name)


AUTHORIZE = {"response_type": "code", "client_id": "{client_id}",
             "redirect_uri": "https://vendor.example/cb", "state": "xyz",
             "scope": "data:contact.email purpose:ServiceProvision retention:30",
             "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
             "code_challenge_method": "S256"}
VCARD = ("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.org\r\n"
         "BDAY:19901125\r\nEND:VCARD\r\n")
FIELD = {"category": "contact.phone", "name": "Phone", "kind": "phone", "value": "+44 20 1234"}
FIELD_BODY = {k: v for k, v in FIELD.items() if k != "kind"}  # JSON: unknown members refused
INTENT_BODY = {"category": "vehicles", "text": "An electric car", "budget": "30000",
               "currency": "EUR", "visibility": "shown", "status": "active"}
INTENT = {"category": "vehicles", "text": "A bike", "budget": "300.00", "currency": "EUR",
          "starts": "2026-12-01", "ends": "2027-02-28", "region": "Berlin",
          "constraints": "electric only", "visibility": "shown", "status": "active"}
RULE = {"label": "Email, rarely", "effect": "permit", "categories": "contact.email",
        "purposes": "ServiceProvision", "vendors": "", "frequency_max": "3", "frequency_per": "day",
        "certifications": "b-corp", "jurisdictions": "DE", "max_retention": "30",
        "sharing": "none", "valid_from": "2026-01-01", "valid_until": "2027-01-01",
        "actions": "read"}
TERMS = {"default": "ask", "agreements": ["intent-casting"],
         "rules": [{"id": "r1", "effect": "permit", "categories": ["contact.phone"],
                    "purposes": ["ServiceProvision"], "label": "Calls, rarely",
                    "conditions": [{"field": "retention_days", "op": "lte", "value": 30}],
                    "frequency": {"max": 3, "per": "day"}},
                   {"id": "w1", "effect": "permit", "actions": ["write"],
                    "categories": ["customer"]}],
         "offers": {"blocklist": ["cus_blocked"], "max_per_vendor": {"max": 3, "per": "week"}}}
OFFER = {"price": "280.00", "currency": "EUR", "category": "vehicles.bikes",
         "text": "A good bike", "valid_until": "2027-01-31T00:00:00Z",
         "needs": ["address.city"]}
P, S = "POST", "session"

BASES: dict[str, Request] = {
    # the web pages
    "pages.home GET": Request("GET", "/"),
    "pages.data GET": Request("GET", "/data"),
    "pages.add_field POST": Request(P, "/data", form=FIELD),
    "pages.edit_field GET": Request("GET", "/data/<field_id>"),
    "pages.edit_field POST": Request(P, "/data/<field_id>", form=FIELD),
    "pages.delete_field POST": Request(P, "/data/<field_id>/delete", form={}),
    "intents.index GET": Request("GET", "/intents"),
    "intents.create POST": Request(P, "/intents", form=INTENT),
    "intents.edit GET": Request("GET", "/intents/<intent_id>"),
    "intents.edit POST": Request(P, "/intents/<intent_id>", form=INTENT),
    "intents.set_status POST": Request(P, "/intents/<intent_id>/status",
                                       form={"status": "fulfilled"}),
    "terms.index GET": Request("GET", "/terms"),
    "terms.adopt_agreement POST": Request(P, "/terms/adopt",
                                          form={"agreement": "delete-on-request",
                                                "action": "adopt"}),
    "terms.add_rule POST": Request(P, "/terms/rules", form=RULE),
    "terms.edit_rule GET": Request("GET", "/terms/rules/<rule_id>"),
    "terms.edit_rule POST": Request(P, "/terms/rules/<rule_id>", form={**RULE, "action": "save"}),
    "terms.set_default POST": Request(P, "/terms/default", form={"default": "deny"}),
    "terms.set_auto_approve POST": Request(P, "/terms/auto-approve", form={"auto_approve": "1"}),
    "terms.set_claims_only POST": Request(P, "/terms/claims-only",
                                          form={"claims_only": "demographics"}),
    "terms.save POST": Request(P, "/terms/save", form={"candidate": json.dumps(TERMS)}),
    "terms.try_request POST": Request(P, "/terms/try", form={
        "candidate": json.dumps(TERMS), "vendor": "{client_id}", "purpose": "Marketing",
        "categories": "contact.email"}),
    "terms.odrl GET": Request("GET", "/terms/odrl"),
    "inbox.index GET": Request("GET", "/inbox"),
    "inbox.answer_counter POST": Request(P, "/inbox/counters/<grant_id>",
                                         args={"grant_id": "{countered_id}"},
                                         form={"decision": "agree"}),
    "terms.proposal GET": Request("GET", "/terms/proposals/<proposal_id>"),
    "inbox.decline_proposal POST": Request(P, "/inbox/proposals/<proposal_id>/decline", form={}),
    "inbox.decide POST": Request(P, "/inbox/<request_id>", form={
        "decision": "approve", "category": "address.city", "days": "10",
        "purpose": "ServiceProvision"}),
    "connections.index GET": Request("GET", "/connections"),
    "connections.confirm_revoke GET": Request("GET", "/connections/<grant_id>/revoke"),
    "connections.revoke POST": Request(P, "/connections/<grant_id>/revoke", form={}),
    "connections.confirm_stop GET": Request("GET", "/connections/vendors/<client_id>/stop"),
    "connections.stop POST": Request(P, "/connections/vendors/<client_id>/stop", form={}),
    "connections.ask_for_data POST": Request(P, "/connections/<grant_id>/portability", form={}),
    "connections.ask_to_delete POST": Request(P, "/connections/<grant_id>/deletion", form={}),
    "connections.returned GET": Request("GET", "/connections/returns/<duty_id>.json"),
    "connections.receipts GET": Request("GET", "/receipts"),
    "connections.receipt GET": Request("GET", "/receipts/<grant_id>"),
    "connections.download_receipt GET": Request("GET", "/receipts/<grant_id>.<fmt>",
                                                args={"fmt": "jws"}),
    "offers.index GET": Request("GET", "/offers", query={"status": "delivered",
                                                          "intent": "{intent_id}"}),
    "offers.decide POST": Request(P, "/offers/<offer_id>", form={"decision": "filter"}),
    "offers.block POST": Request(P, "/offers/<offer_id>/block", form={}),
    "offers.thread GET": Request("GET", "/offers/<offer_id>/thread"),
    "offers.write POST": Request(P, "/offers/<offer_id>/messages", form={"text": "Any red?"}),
    "offers.accept POST": Request(P, "/offers/<offer_id>/accept",
                                  form={"days": "30"}),
    "offers.decline POST": Request(P, "/offers/<offer_id>/decline", form={}),
    "resource_replies.read_messages GET": Request("GET", "/api/v1/offers/<offer_id>/messages",
                                                  auth="vendor"),
    "resource_replies.write_message POST": Request(
        P, "/api/v1/offers/<offer_id>/messages", auth="vendor", body={"text": "It is red."}),
    "offer_rules.index GET": Request("GET", "/offers/rules"),
    "offer_rules.change POST": Request(P, "/offers/rules", form={
        "within_budget": "1", "match_category": "1", "require_verified": "",
        "require_certifications": "b-corp", "max_offers": "3", "per": "week"}),
    "offer_rules.block POST": Request(P, "/offers/rules/block", form={"vendor": "{client_id}"}),
    "offer_rules.unblock POST": Request(P, "/offers/rules/unblock",
                                        form={"vendor": "cus_blocked"}),
    "agreement_terms.show GET": Request("GET", "/agreements/<grant_id>/<given>", auth="none"),
    "standard_agreements.index GET": Request("GET", "/standard-agreements", auth="none"),
    "standard_agreements.show GET": Request("GET", "/standard-agreements/<agreement_id>",
                                            auth="none", args={"agreement_id": "SD-BASE"}),
    "standard_agreements.odrl GET": Request("GET", "/standard-agreements/<agreement_id>/odrl",
                                            auth="none", args={"agreement_id": "SD-BASE"}),
    "dataimport.index GET": Request("GET", "/data/import"),
    "dataimport.csv_template GET": Request("GET", "/data/import/template.csv"),
    "dataimport.preview POST": Request(P, "/data/import", form={},
                                       files={"file": (VCARD, "ada.vcf")}),
    "dataimport.apply POST": Request(P, "/data/import/apply", form={
        "carried": "{carried}", "digest": "{digest}"}),
    "log.index GET": Request("GET", "/log", query={"vendor": "{client_id}", "decision": "allowed",
                                                   "since": "2026-01-01",
                                                   "until": "2027-01-01"}),
    "log.export GET": Request("GET", "/log/export.<fmt>", args={"fmt": "csv"},
                              query={"since": "2026-01-01", "until": "2027-01-01"}),
    "log.verify POST": Request(P, "/log/verify", form={}),
    "settings.index GET": Request("GET", "/settings"),
    "settings.export POST": Request(P, "/settings/export", form={}),
    "settings.language POST": Request(P, "/settings/language", form={"lang": "de"}),
    "settings.change_password POST": Request(P, "/settings/password", form={
        "pw_current": "correct horse battery", "pw_password": "correct horse battery",
        "pw_confirm": "correct horse battery"}, resets=True),
    "settings.delete POST": Request(P, "/settings/delete", form={
        "phrase": "wrong phrase", "password": "wrong password"}, resets=True),
    "accounts.signin GET": Request("GET", "/signin", query={"next": "/data"}),
    "accounts.signin POST": Request(P, "/signin", form={
        "email": "ada@example.org", "password": "correct horse battery", "next": "/data"},
        resets=True),
    "accounts.signup GET": Request("GET", "/signup", query={"next": "/data"}),
    "accounts.signup POST": Request(P, "/signup", form={
        "email": "bob@example.org", "password": "a new long password",
        "confirm": "a new long password", "next": "/data"}, resets=True),
    "accounts.signout POST": Request(P, "/signout", form={}, resets=True),
    # email (docs/email.md): the emailed links and the email parts of Settings
    "mail.reset_request GET": Request("GET", "/reset", auth="none"),
    "mail.reset_request POST": Request(P, "/reset", auth="none",
                                       form={"email": "ada@example.org"}),
    "mail.reset GET": Request("GET", "/reset/<token>", auth="none",
                              args={"token": "{reset_token}"}),
    "mail.reset POST": Request(P, "/reset/<token>", auth="none", args={"token": "{reset_token}"},
                               form={"password": "correct horse battery",
                                     "confirm": "correct horse battery"}, resets=True),
    "mail.verify GET": Request("GET", "/verify/<token>", auth="none",
                               args={"token": "{verify_token}"}),
    "mail.verify POST": Request(P, "/verify/<token>", auth="none",
                                args={"token": "{verify_token}"}, form={}),
    "mail.unsubscribe GET": Request("GET", "/unsubscribe/<token>", auth="none",
                                    args={"token": "{unsubscribe_token}"}),
    "mail.unsubscribe POST": Request(P, "/unsubscribe/<token>", auth="none",
                                     args={"token": "{unsubscribe_token}"}, form={}),
    "mail.notifications POST": Request(P, "/settings/notifications", form={
        "request_waiting": "1", "agent_changed": "1", "ack_overdue": "",
        "reply_arrived": "1", "digest": "1"}),
    "mail.change_email POST": Request(P, "/settings/email", form={
        "em_email": "ada@new.example", "em_password": "correct horse battery"}),
    "mail.resend_verification POST": Request(P, "/settings/verify", form={}),
    "accounts.signout_everywhere POST": Request(P, "/signout-everywhere", form={}, resets=True),
    "static GET": Request("GET", "/static/<filename>", auth="none",
                          args={"filename": "custos.css"}),
    # OAuth (RFC 6749, 7009, 7662, 7591, 8414)
    "oauth_authorize.authorize GET": Request("GET", "/oauth/authorize", query=AUTHORIZE),
    "oauth_authorize.authorize POST": Request(P, "/oauth/authorize", query=AUTHORIZE, form={
        "decision": "approve", "category": "contact.email", "days": "30"}),
    "oauth.token POST": Request(P, "/oauth/token", auth="client", form={
        "grant_type": "refresh_token", "refresh_token": "{refresh_token}",
        "scope": "data:contact.email"}),
    "oauth.revoke POST": Request(P, "/oauth/revoke", auth="client", form={
        "token": "{refresh_token}", "token_type_hint": "refresh_token"}),
    "oauth.introspect POST": Request(P, "/oauth/introspect", auth="client", form={
        "token": "{access_token}", "token_type_hint": "access_token"}),
    "oauth.register POST": Request(P, "/oauth/register", auth="none", body={
        "client_name": "Hostile", "redirect_uris": ["https://hostile.example/cb"],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"], "contacts": ["a@b.example"],
        "client_uri": "https://hostile.example", "custos_jurisdiction": "DE",
        "custos_certifications": ["b-corp"],
        "custos_notification_uri": "https://hostile.example/notices"}),
    "oauth.metadata GET": Request("GET", "/.well-known/oauth-authorization-server", auth="none"),
    "oauth.jwks GET": Request("GET", "/oauth/jwks.json", auth="none"),
    "oauth.jwks_document GET": Request("GET", "/oauth/jwks.json", auth="none"),
    # the resource API
    "resource_data.read_data GET": Request("GET", "/api/v1/data", auth="agreement"),
    "resource_data.me GET": Request("GET", "/api/v1/me", auth="agreement"),
    "resource_data.read_agreement_data GET": Request(
        "GET", "/api/v1/agreements/<agreement_id>/data", auth="vendor"),
    "resource_vendor.own_agreements GET": Request("GET", "/api/v1/agreements", auth="vendor"),
    "resource_records.add_record POST": Request(
        P, "/api/v1/agreements/<agreement_id>/records", auth="vendor",
        body={"category": "customer.orders", "name": "Order 1042", "value": "Cargo bike"}),
    "resource_vendor.agreement_receipt GET": Request(
        "GET", "/api/v1/agreements/<agreement_id>/receipt", auth="vendor"),
    "resource_vendor.submit_request POST": Request(P, "/api/v1/requests", auth="vendor", body={
        "subject": "{sub}", "authorization_details": [{**DETAILS[0],
                                                       "categories": ["address.city"],
                                                       "duration_days": 30}]}),
    "resource_agreements.read_record GET": Request(
        "GET", "/api/v1/agreements/<agreement_id>/record", auth="vendor"),
    "resource_agreements.accept POST": Request(
        P, "/api/v1/agreements/<agreement_id>/acceptance", auth="vendor",
        args={"agreement_id": "{pending_id}"}, body={"jws": "{acceptance}"}),
    "resource_agreements.refuse POST": Request(
        P, "/api/v1/agreements/<agreement_id>/refusal", auth="vendor",
        args={"agreement_id": "{pending_id}"}, body={}),
    "resource_agreements.counter POST": Request(
        P, "/api/v1/agreements/<agreement_id>/counter", auth="vendor",
        args={"agreement_id": "{pending_id}"}, body={"agreement": "SD-BASE"}),
    "resource_agreements.proffered_for GET": Request(
        "GET", "/api/v1/subjects/<subject>/agreements", auth="vendor"),
    "resource_agreements.publish PUT": Request("PUT", "/api/v1/vendor/accepts", auth="vendor",
                                               body={"accepts": ["SD-BASE", "PDC-INTENT"]}),
    "resource_agreements.vendor_document GET": Request(
        "GET", "/api/v1/vendors/<client_id>/accepts", auth="none"),
    "resource_duties.acknowledge POST": Request(
        P, "/api/v1/notices/<notice_id>/acknowledgement", auth="vendor", body={"jws": "{ack}"}),
    "resource_duties.report_use POST": Request(
        P, "/api/v1/agreements/<agreement_id>/uses", auth="vendor", body={"jws": "{use}"}),
    "resource_vendor.poll_request GET": Request("GET", "/api/v1/requests/<request_id>",
                                                auth="vendor"),
    "resource_intents.search_intents GET": Request("GET", "/api/v1/intents", auth="vendor",
                                                   query={"limit": "5", "category": "vehicles",
                                                          "cursor": ""}),
    "resource_intents.submit_offer POST": Request(P, "/api/v1/intents/<handle>/offers",
                                                  auth="vendor", body=OFFER),
    "resource_intents.own_offers GET": Request("GET", "/api/v1/offers", auth="vendor"),
    "resource_intents.read_intent GET": Request("GET", "/api/v1/intents/<handle>",
                                                auth="vendor"),
    "resource_intents.read_subscription GET": Request("GET", "/api/v1/subscription",
                                                      auth="vendor"),
    "resource_intents.replace_subscription PUT": Request(
        "PUT", "/api/v1/subscription", auth="vendor",
        body={"categories": ["vehicles", "travel"], "regions": ["Berlin"]}),
    "resource_intents.drop_subscription DELETE": Request("DELETE", "/api/v1/subscription",
                                                         auth="vendor"),
    "resource_openapi.openapi GET": Request("GET", "/api/v1/openapi.json", auth="none"),
    "resource_person.list_grants GET": Request("GET", "/api/v1/person/grants", auth="person"),
    "resource_person.grant_receipt GET": Request("GET", "/api/v1/person/grants/<grant_id>/receipt",
                                                 auth="person"),
    "resource_person.revoke_grant POST": Request(P, "/api/v1/person/grants/<grant_id>/revoke",
                                                 auth="person"),
    "resource_person.revoke_vendor POST": Request(
        P, "/api/v1/person/vendors/<client_id>/revoke", auth="person"),
    "resource_person.list_requests GET": Request("GET", "/api/v1/person/requests",
                                                 auth="person", query={"status": "all"}),
    "resource_person.decide_request POST": Request(
        P, "/api/v1/person/requests/<request_id>/decision", auth="person", body={
            # the terms ask her about this request: her agent may only deny it (mandates)
            "decision": "deny", "categories": ["address.city"], "duration_days": 10,
            "purpose": "ServiceProvision"}),
    "resource_person.read_terms GET": Request("GET", "/api/v1/person/terms", auth="person"),
    "resource_person.replace_terms PUT": Request("PUT", "/api/v1/person/terms", auth="person",
                                                 query={"dry_run": "1"}, body=TERMS),
    "resource_person.read_log GET": Request("GET", "/api/v1/person/log", auth="person",
                                            query={"kind": "signed_in",
                                                   "since": "2026-01-01T00:00:00+00:00"}),
    "resource_person_data.list_intents GET": Request("GET", "/api/v1/person/intents",
                                                     auth="person"),
    "resource_person_data.add_intent POST": Request(P, "/api/v1/person/intents", auth="person",
                                                    body=INTENT_BODY),
    "resource_person_data.change_intent PUT": Request("PUT", "/api/v1/person/intents/<intent_id>",
                                                      auth="person", body=INTENT_BODY),
    "resource_person_data.list_data GET": Request("GET", "/api/v1/person/data", auth="person"),
    "resource_person_data.add_data POST": Request(P, "/api/v1/person/data", auth="person",
                                                  body=FIELD_BODY),
    "resource_person_data.change_data PUT": Request("PUT", "/api/v1/person/data/<field_id>",
                                                    auth="person", body=FIELD_BODY),
    "resource_person_data.delete_data DELETE": Request("DELETE", "/api/v1/person/data/<field_id>",
                                                       auth="person"),
    "resource_offers.list_offers GET": Request("GET", "/api/v1/person/offers", auth="person",
                                               query={"status": "received"}),
    "resource_offers.decide POST": Request(P, "/api/v1/person/offers/<offer_id>/decision",
                                           auth="person", body={
                                               "decision": "filter",
                                               "reasons": [{"code": "x", "text": "no"}]}),
}


def _paths(value, path=()) -> Iterator[tuple]:
    """Every member of a JSON value, as a path of keys and indexes (the root excluded)."""
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, member in items:
        yield (*path, key)
        yield from _paths(member, (*path, key))


def _with_raw(body, path: tuple, raw: str) -> str:
    """The body as JSON text with the member at `path` replaced by the raw JSON `raw`."""
    marker = "\u2603hostile\u2603"
    copy = json.loads(json.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = marker
    return json.dumps(copy).replace(json.dumps(marker), raw)


def cases(base: Request) -> Iterator[tuple[str, Request]]:
    """(what was spoiled, the request) for every hostile variant of `base`."""
    if base.auth in ("person", "agreement", "vendor", "client"):
        for value in HOSTILE_IDS:
            basic = base64.b64encode(f"{value}:secret".encode()).decode()
            for header in (f"Bearer {value}", f"Basic {basic}"):
                yield f"Authorization {header[:20]!r}", replace(base, authorization=header)
    for name in _path_args(base.rule):
        for value in HOSTILE_IDS:
            yield f"path {name}={value[:20]!r}", replace(base, args={**base.args, name: value})
    for key in base.query:
        for value in HOSTILE:
            yield f"query {key}={value[:20]!r}", replace(base, query={**base.query, key: value})
    for value in SHORT:
        yield f"every query parameter={value[:20]!r}", replace(
            base, query={**base.query, **dict.fromkeys(FORM_FIELDS, value)})
    if base.form is not None:
        for key in base.form:
            for value in HOSTILE:
                yield f"form {key}={value[:20]!r}", replace(base, form={**base.form, key: value})
        for value in SHORT:
            yield f"every form field={value[:20]!r}", replace(
                base, form={**dict.fromkeys(FORM_FIELDS, value), **{
                    k: v for k, v in base.form.items() if k in ("csrf_token",)}})
    for name, (_, filename) in (base.files or {}).items():
        for value in [*HOSTILE, *HOSTILE_BODIES]:
            yield f"file {name}={value[:20]!r}", replace(
                base, files={**base.files, name: (value, filename)})
    if base.body is not None:
        for path in _paths(base.body):
            for raw in HOSTILE_JSON:
                yield f"json {'.'.join(map(str, path))}={raw[:20]!r}", replace(
                    base, raw=_with_raw(base.body, path, raw))
    if base.body is not None or base.method in ("POST", "PUT"):
        for raw in HOSTILE_BODIES:
            yield f"body {raw[:20]!r}", replace(base, raw=raw)


def _path_args(rule: str) -> list[str]:
    import re

    return re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule)


def url(rule: str, values: dict) -> str:
    """The rule with each <arg> replaced by its (percent-encoded) value."""
    import re

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: quote(str(values[m.group(1)]), safe=""),
                  rule)
