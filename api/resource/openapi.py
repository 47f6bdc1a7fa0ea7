"""The OpenAPI 3 document of /api/v1, generated from the marshmallow schemas with apispec."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify, request

from ..services.details import DetailSchema
from ..web.forms import FieldSchema
from . import agreement_schemas as a
from . import schemas as s

bp = Blueprint("resource_openapi", __name__)

BEARER = [{"bearer": []}]
ERRORS = {"400": "Bad input; `fields` names each problem", "401": "Missing or dead token",
          "403": "Refused; `reasons` says why", "404": "Not found"}

# path -> method -> (summary, request schema or None, response schema or None, parameters)
OPERATIONS: dict[str, dict[str, tuple]] = {
    "/api/v1/data": {"get": ("Read the data the agreement and current terms permit", None,
                             "Data", [])},
    "/api/v1/me": {"get": ("The person's pairwise subject for this vendor", None, None, [])},
    "/api/v1/requests": {"post": ("Ask for data while the person is away", "AccessRequest",
                                  "RequestStatus", [])},
    "/api/v1/requests/{request_id}": {"get": ("Poll a request", None, "RequestStatus",
                                              ["request_id"])},
    "/api/v1/agreements": {"get": ("Your agreements", None, None, [])},
    "/api/v1/agreements/{agreement_id}/data": {"get": ("Read under an agreement", None, "Data",
                                                       ["agreement_id"])},
    "/api/v1/agreements/{agreement_id}/receipt": {"get": ("The signed receipt", None, None,
                                                          ["agreement_id"])},
    "/api/v1/agreements/{agreement_id}/record": {"get": (
        "The two-sided record: status, what to sign, both signatures", None, "AgreementRecord",
        ["agreement_id"])},
    "/api/v1/agreements/{agreement_id}/acceptance": {"post": (
        "Accept the person's proffered agreement: your JWS over the record", "Jws",
        "AgreementRecord", ["agreement_id"])},
    "/api/v1/agreements/{agreement_id}/refusal": {"post": (
        "Refuse the person's proffered agreement: it ends", None, "AgreementRecord",
        ["agreement_id"])},
    "/api/v1/agreements/{agreement_id}/counter": {"post": (
        "Propose one other roster agreement", "Counter", "AgreementRecord", ["agreement_id"])},
    "/api/v1/agreements/{agreement_id}/uses": {"post": (
        "Report a use of the data, signed", "Jws", None, ["agreement_id"])},
    "/api/v1/notices/{notice_id}/acknowledgement": {"post": (
        "Acknowledge a notice with your signature", "Jws", None, ["notice_id"])},
    "/api/v1/subjects/{subject}/agreements": {"get": (
        "Which agreements a person you know proffers", None, None, ["subject"])},
    "/api/v1/vendor/accepts": {"put": ("Publish which agreements you accept", "Accepts", None,
                                       [])},
    "/api/v1/vendors/{client_id}/accepts": {"get": (
        "A vendor's public list of accepted agreements", None, None, ["client_id"])},
    "/api/v1/agreements/{agreement_id}/records": {"post": (
        "Add a customer record to the person's vault (write-back), if her terms allow it",
        "Record", None, ["agreement_id"])},
    "/api/v1/person/grants": {"get": ("The person's connections", None, None, [])},
    "/api/v1/person/grants/{grant_id}/revoke": {"post": ("End a connection now", None, "Grant",
                                                         ["grant_id"])},
    "/api/v1/person/vendors/{client_id}/revoke": {"post": (
        "Stop sharing everything with a vendor: every agreement of it ends now", None, None,
        ["client_id"])},
    "/api/v1/person/grants/{grant_id}/receipt": {"get": ("The signed receipt", None, None,
                                                         ["grant_id"])},
    "/api/v1/person/requests": {"get": ("The inbox", None, None, [])},
    "/api/v1/person/requests/{request_id}/decision": {"post": (
        "Approve, approve narrowed, or deny", "Decision", "RequestStatus", ["request_id"])},
    "/api/v1/person/terms": {"get": ("The current terms", None, None, []),
                             "put": ("Propose terms: saved when they only restrict, else 202 "
                                     "and they wait for the person (?dry_run=1)", None,
                                     None, [])},
    "/api/v1/person/log": {"get": ("The person's log", None, None, [])},
    "/api/v1/person/offers": {"get": ("Offers by status", None, "PersonOffers", [])},
    "/api/v1/person/offers/{offer_id}/decision": {"post": (
        "Deliver or filter an offer, with reasons (the person may override)", "OfferDecision",
        "PersonOffer", ["offer_id"])},
    "/api/v1/person/intents": {"get": ("The person's intents", None, None, []),
                               "post": ("Declare an intent (the Intents page's fields)", None,
                                        None, [])},
    "/api/v1/person/intents/{intent_id}": {"put": ("Replace an intent", None, None,
                                                   ["intent_id"])},
    "/api/v1/person/data": {"get": ("The person's data", None, None, []),
                            "post": ("Add a value", "FieldInput", None, [])},
    "/api/v1/person/data/{field_id}": {"put": ("Change a value", "FieldInput", None,
                                               ["field_id"]),
                                       "delete": ("Delete a value", None, None, ["field_id"])},
    "/api/v1/intents": {"get": ("Intents the owners' terms let you see (pseudonymous)", None,
                                "IntentPage", [])},
    "/api/v1/intents/{handle}/offers": {"post": ("Answer an intent with an offer",
                                                 "OfferSubmit", "VendorOffer", ["handle"])},
    "/api/v1/offers": {"get": ("Your offers and their status", None, "VendorOffers", [])},
    "/api/v1/offers/{offer_id}/messages": {
        "get": ("An offer's reply channel: the person's answer and the messages", None, None,
                ["offer_id"]),
        "post": ("Write to the person, once she has written or accepted", "Message", None,
                 ["offer_id"])},
    "/api/v1/intents/{handle}": {"get": ("One intent under your handle, if you may see it",
                                         None, None, ["handle"])},
    "/api/v1/subscription": {
        "get": ("The intents you hear of", None, "Subscription", []),
        "put": ("Hear of new matching intents by signed notice", "Subscription",
                "Subscription", []),
        "delete": ("Stop hearing of new intents", None, None, [])},
}
# (path, method) -> query parameters: name -> JSON schema
QUERY: dict[tuple[str, str], dict[str, dict]] = {
    ("/api/v1/intents", "get"): {
        "category": {"type": "string", "description": "this category or one under it"},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        "cursor": {"type": "string", "description": "`next` of the previous page"}},
    ("/api/v1/person/offers", "get"): {"status": {
        "type": "string", "enum": ["received", "delivered", "filtered", "all"],
        "default": "received"}},
    ("/api/v1/person/requests", "get"): {"status": {
        "type": "string", "enum": ["pending", "approved", "denied", "all"],
        "default": "pending"}},
}
COMPONENTS = {"AccessRequest": s.AccessRequestSchema, "Decision": s.DecisionSchema,
              "Data": s.DataSchema, "Grant": s.GrantSchema, "Error": s.ErrorSchema,
              "RequestStatus": s.RequestStatusSchema, "Detail": DetailSchema,
              "OfferSubmit": s.OfferSubmitSchema, "OfferDecision": s.OfferDecisionSchema,
              "IntentPage": s.IntentPageSchema, "VendorOffer": s.VendorOfferSchema,
              "PersonOffer": s.PersonOfferSchema, "FieldInput": FieldSchema,
              "Record": s.RecordSchema, "Subscription": s.SubscriptionSchema,
              "Message": s.MessageSchema, "Jws": a.JwsSchema, "Counter": a.CounterSchema,
              "Accepts": a.AcceptsSchema, "AgreementRecord": a.AgreementRecordSchema}
LISTS = {"PersonOffers": "PersonOffer"}
WRAPPED = {"VendorOffers": "VendorOffer"}


def _answer(name: str | None):
    if name in LISTS:
        return {"type": "array", "items": {"$ref": f"#/components/schemas/{LISTS[name]}"}}
    if name in WRAPPED:
        return {"type": "object", "properties": {"items": {
            "type": "array", "items": {"$ref": f"#/components/schemas/{WRAPPED[name]}"}}}}
    return name or {"type": "object"}


def build_spec(server: str) -> dict:
    spec = APISpec(title="Custos API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], servers=[{"url": server}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in COMPONENTS.items():
        spec.components.schema(name, schema=schema)
    error = {"content": {"application/json": {"schema": "Error"}}}
    for path, methods in OPERATIONS.items():
        ops = {}
        for method, (summary, body, answer, params) in methods.items():
            op = {"summary": summary, "security": BEARER,
                  "parameters": [{"name": p, "in": "path", "required": True,
                                  "schema": {"type": "string"}} for p in params]
                  + [{"name": n, "in": "query", "required": False, "schema": q}
                     for n, q in QUERY.get((path, method), {}).items()],
                  "responses": {"200": {"description": "OK", "content": {"application/json": {
                      "schema": _answer(answer)}}}}
                  | {code: {"description": text, **error} for code, text in ERRORS.items()}}
            if body:
                op["requestBody"] = {"required": True,
                                     "content": {"application/json": {"schema": body}}}
            ops[method] = op
        spec.path(path=path, operations=ops)
    return spec.to_dict()


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(build_spec(request.host_url.rstrip("/")))
