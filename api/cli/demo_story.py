"""The story `custos demo` tells: Ada, her terms, GreenWheels, FastCars and her butler.

Everything after the server starts goes over HTTP: the person through her pages (a browser
session), the vendors and the butler through the SDK, exactly as outside code would.
"""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from pathlib import Path

import click
from flask import Flask

from policies.agreements import adopt

from .loopback import Browser, serving

FIELDS = [("contact.email", "Email", "email", "{email}"),
          ("address.city", "City", "text", "Berlin"),
          ("contact.phone", "Mobile", "phone", "+49 30 1234567"),
          ("household.size", "Household size", "number", "3")]
INTENT = {"category": "vehicles", "text": "An electric car within three months",
          "budget": "30000", "currency": "EUR", "region": "Berlin",
          "constraints": "electric only", "visibility": "shown"}
OWN_TERMS = {
    "default": "ask",
    "rules": [
        {"id": "b-corp-service", "effect": "permit", "purposes": ["ServiceProvision"],
         "label": "Certified B Corps may use my email and city to serve me, kept 30 days at most",
         "categories": ["contact.email", "address.city"],
         "conditions": [{"field": "vendor.certifications", "op": "has", "value": "b-corp"},
                        {"field": "retention_days", "op": "lte", "value": 30}]},
        {"id": "household-ask", "effect": "ask", "categories": ["household"],
         "label": "Ask me before anyone learns about my household"},
    ],
    "offers": {"require_certifications": ["b-corp"], "within_budget": True,
               "match_category": True, "max_per_vendor": {"max": 3, "per": "week"}},
}
# She proffers SD-BASE (service delivery only) to every vendor, and PDC-INTENT: vendors may
# see her shown intents to answer them with offers.
# And delete-on-request: a vendor deletes on request, and confirms it with its signature.
TERMS = adopt(adopt(adopt(OWN_TERMS, "SD-BASE"), "PDC-INTENT"), "delete-on-request")


class Teller:
    """Numbered steps and indented lines on the terminal, with an optional pause."""

    def __init__(self, pace: float = 0.0) -> None:
        self.pace, self.number = pace, 0

    def step(self, title: str) -> None:
        self.number += 1
        time.sleep(self.pace)
        click.echo("\n" + click.style(f"{self.number}. {title}", bold=True))

    def say(self, text: str) -> None:
        click.echo(f"   {text}")

    def ok(self, text: str) -> None:
        click.echo("   " + click.style("✔ ", fg="green") + text)

    def no(self, text: str) -> None:
        click.echo("   " + click.style("✘ ", fg="red") + text)


def _reasons(items) -> str:
    return "; ".join(r.get("text", r.get("code", "")) for r in items) or "no reason given"


def play(base: str, home: Path, *, email: str, password: str, tell: Teller,
         stack: ExitStack, notice_wait: float = 5.0) -> dict:
    """The story, over HTTP only; returns what happened, for the tests."""
    from clients.butler import Butler, PersonClient, TokenFile, authorize
    from clients.sdk import (
        Access,
        AccessRefused,
        AuthorizationDenied,
        InvalidToken,
        VendorClient,
    )
    from clients.sdk.myterms import new_key
    from clients.sdk.webhook import notification_view

    seen: dict = {}
    tell.step("Ada signs up, keeps her data and states an intent")
    ada = Browser(base)
    ada.signup(email, password)
    for category, name, kind, value in FIELDS:
        ada.form("/data", {"category": category, "name": name, "kind": kind,
                           "value": value.format(email=email)})
    ada.form("/intents", INTENT)
    tell.say(f"{len(FIELDS)} fields, sealed in her vault; intent: {INTENT['text']}, "
             f"budget {INTENT['budget']} {INTENT['currency']}")

    tell.step("Ada authorises her butler, and it saves her terms")
    tokens = TokenFile(home / "demo-butler.json")
    authorize(base, tokens, show=lambda url: ada.session.get(ada.consent(url), timeout=10))
    me = PersonClient.from_file(tokens)
    saved = me.replace_terms(TERMS)
    tell.ok(f"Butler tokens in {tokens.path} (mode 0600); terms version {saved['version']}")
    for rule in TERMS["rules"]:
        tell.say(f"rule: {rule['label']}")

    tell.step("GreenWheels (a certified B Corp) asks Ada to connect")
    notices: list[dict] = []
    arrived = threading.Condition()

    def notified(notice: dict) -> None:
        with arrived:
            notices.append(notice)
            arrived.notify_all()
    hook = Flask("greenwheels")
    hook_base = stack.enter_context(serving(hook, threads=2))
    green = VendorClient.register(base, client_name="GreenWheels", certifications=["b-corp"],
                                  jurisdiction="DE", redirect_uris=["https://greenwheels.example/cb"],
                                  notification_uri=hook_base + "/custos/notices",
                                  signing_key=new_key(),
                                  accepts=["SD-BASE", "PDC-INTENT", "delete-on-request"])
    tell.say("GreenWheels publishes that it accepts SD-BASE, PDC-INTENT and delete-on-request, "
             "and registers the public key it signs with")
    hook.add_url_rule("/custos/notices", methods=["POST"], view_func=notification_view(
        green, notified))
    need = Access(purpose="ServiceProvision", categories=("contact.email", "address.city"),
                  retention_days=30)
    request = green.start_authorization("https://greenwheels.example/cb", need)
    person = green.finish_authorization(request, ada.consent(request.url))
    agreement = person.me()["agreement"]
    try:
        person.data()
    except AccessRefused as exc:
        tell.no(f"Before it signs: {exc.error} ({exc.description})")
    signed = green.accept(agreement)
    tell.ok(f"GreenWheels signs the record of {', '.join(signed['record']['agreements'])} "
            f"with its key; Custos verifies and countersigns: {signed['status']}")
    seen["green_accepts"] = signed["status"]
    data = person.data()
    tell.ok(f"Ada's terms permit it and she confirms; GreenWheels reads "
            f"{', '.join(f.category for f in data.fields)} as subject {data.sub[:10]}...")
    receipt = green.receipt(data.agreement)
    tell.ok(f"Both hold the signed receipt {receipt.id[:8]}... (signature checked against JWKS)")

    tell.step("GreenWheels asks again while Ada is away: her terms answer")
    marketing = green.submit_request(data.sub, Access(purpose="Marketing",
                                                      categories=("contact.email",)))
    tell.no(f"Marketing with her email: {marketing.status} at once: "
            f"{_reasons(marketing.reasons)}")
    household = green.submit_request(data.sub, Access(
        purpose="ServiceProvision", categories=("household.size",), retention_days=30))
    tell.say(f"Her household, to size the car: {household.status}; it waits for Ada")
    seen |= {"marketing": marketing.status, "household": household.status}

    tell.step("FastCars (no certification) tries to connect")
    fast = VendorClient.register(base, client_name="FastCars", jurisdiction="US",
                                 redirect_uris=["https://fastcars.example/cb"],
                                 signing_key=new_key(), accepts=["PDC-INTENT"])
    tell.say("FastCars publishes that it accepts PDC-INTENT only, not SD-BASE")
    request = fast.start_authorization("https://fastcars.example/cb", Access(
        purpose="Marketing", categories=("contact.email", "contact.phone")))
    try:
        fast.finish_authorization(request, ada.consent(request.url))
        seen["fast_connect"] = "approved"
    except AuthorizationDenied as exc:
        seen["fast_connect"] = exc.error
        seen["fast_refused"] = exc.agreements
        tell.no(f"Refused before reaching Ada: {exc.description}")

    tell.step("Offers arrive for Ada's intent; the butler sorts them")
    for vendor, model, price in ((green, "e-Up! electric, 3 years' service", "27500"),
                                 (fast, "V8 pickup, end-of-season deal", "29000")):
        for intent in vendor.search_intents("vehicles"):
            vendor.submit_offer(intent.id, category="vehicles", price=price, currency="EUR",
                                text=model)
    actions = Butler(me, say=tell.say).run_once()
    seen["offers"] = {a.vendor: a.verdict for a in actions if a.kind == "offer"}
    seen["requests"] = {a.target: a.verdict for a in actions if a.kind == "request"}

    tell.step("Ada answers the waiting request herself")
    me.decide_request(household.id, "approve", duration_days=30)
    answered = green.poll_request(household.id)
    green.accept(answered.agreement)  # the new agreement proffers her terms again
    size = green.agreement_data(answered.agreement).values("household.size")
    tell.ok(f"She approves it for 30 days; GreenWheels polls: {answered.status}, signs, "
            f"and reads household size {', '.join(map(str, size))}")
    seen["household_answer"] = answered.status

    tell.step("Ada stops sharing with GreenWheels; the vendor is refused at once")
    stopped = me.stop_vendor(green.client_id)["ended"]
    tell.ok(f"Ada stops sharing everything with GreenWheels: {len(stopped)} agreements end "
            f"(her email and city, and her household size)")
    try:
        person.data()
        seen["after_revoke"] = "read"
    except InvalidToken as exc:
        seen["after_revoke"] = exc.error
        tell.no(f"GreenWheels reads her email again: {exc.error} ({exc.description})")
    try:
        green.agreement_data(answered.agreement)
        seen["household_after"] = "read"
    except AccessRefused as exc:
        seen["household_after"] = exc.error
        tell.no(f"GreenWheels reads her household size again: {exc.error} ({exc.description})")
    statuses = [green.receipt(g).status for g in (data.agreement, answered.agreement)]
    tell.ok(f"The receipts now say: {', '.join(statuses)}")
    with arrived:
        every = arrived.wait_for(lambda: len(notices) >= len(stopped), notice_wait)
    if every:
        duties = sorted({n["duty"] for n in notices})
        categories = [c for n in sorted(notices, key=lambda n: n["categories"])
                      for c in n["categories"]]
        tell.ok(f"GreenWheels' webhook got {len(notices)} signed notices (verified): agreements "
                f"{', '.join(sorted({n['reason'] for n in notices}))}, duty to "
                f"{', '.join(duties)} {', '.join(categories)}")
        seen["notice"] = duties[0]
        answers = [green.acknowledge(n) for n in notices]
        seen["acknowledged"] = sum(bool(a["acknowledged_at"]) for a in answers)
        tell.ok(f"GreenWheels deletes and confirms each with its signature: "
                f"{seen['acknowledged']} of {len(notices)} deletions confirmed on Ada's "
                "Connections page")
    else:
        tell.say("The signed notices to GreenWheels are queued; the server's jobs deliver them.")
    return seen
