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
        {"id": "orders-in", "effect": "permit", "actions": ["write"],
         "label": "Vendors I buy from may add my orders and warranties to my vault",
         "categories": ["customer.orders", "customer.warranty"]},
    ],
    "offers": {"require_certifications": ["b-corp"], "within_budget": True,
               "match_category": True, "max_per_vendor": {"max": 3, "per": "week"}},
}
# She proffers SD-BASE (service delivery only) to every vendor, and PDC-INTENT: vendors may
# see her shown intents to answer them with offers.
# And delete-on-request: a vendor deletes on request, and confirms it with its signature.
TERMS = adopt(adopt(adopt(OWN_TERMS, "SD-BASE"), "PDC-INTENT"), "delete-on-request")


def _accept_and_close(ada: Browser, me, green, tell: Teller, notices: list[dict],
                      arrived: threading.Condition, notice_wait: float) -> dict:
    """Ada asks GreenWheels about its offer, accepts it giving less than it asked for, they
    exchange messages through Custos, and she closes her intent: every vendor that answered
    it is told."""
    tell.step("Ada asks GreenWheels about its offer, then accepts it")
    [offer] = [o for o in me.offers("delivered") if o["vendor"]["id"] == green.client_id]
    thread = f"/offers/{offer['id']}/thread"
    ada.form(f"/offers/{offer['id']}/messages",
             {"text": "Can you deliver it in Berlin in March?"}, page=thread)
    asked = green.messages(offer["id"])["messages"][-1]["text"]
    green.send_message(offer["id"], "Yes: delivery in Berlin in the first week of March.")
    tell.ok(f"Through Custos: Ada asks “{asked}”; GreenWheels answers (it never sees her "
            f"email)")
    ada.form(f"/offers/{offer['id']}/accept", {"category": ["address.city"], "days": "30"},
             page=thread)
    channel = green.messages(offer["id"])
    agreement = channel["messages"][-1]["agreement"]
    green.accept(agreement)  # the new agreement proffers her terms: GreenWheels signs them
    city = green.agreement_data(agreement).values("address.city")
    tell.ok(f"She accepts, giving her city but not the phone number GreenWheels asked for: "
            f"an agreement for 30 days; GreenWheels reads city {', '.join(city)}")
    green.send_message(offer["id"], "Thank you! Your e-Up! is booked.")
    tell.say(f"GreenWheels writes back: {green.messages(offer['id'])['messages'][-1]['text']}")
    record = green.add_record(agreement, category="customer.orders", name="e-Up! order",
                              value="e-Up! electric, 27,500 EUR, delivery in March")
    tell.ok(f"Her terms let it add the order to her vault: “{record['name']}”, sealed, shown "
            f"under GreenWheels on My data, signed receipt {record['receipt']['jti'][:8]}...")

    tell.step("Ada found her car: she closes the intent")
    [intent] = [i for i in me.intents() if i["status"] == "active"]
    ada.form(f"/intents/{intent['id']}/status", {"status": "fulfilled"}, page="/intents")
    with arrived:
        told = arrived.wait_for(lambda: any(n.get("type") == "intent_closed" for n in notices),
                                notice_wait)
    if told:
        tell.ok("Every vendor that answered it is told; GreenWheels' webhook got a signed "
                "intent_closed notice (verified)")
    else:
        tell.say("The notices to the vendors that answered it are queued; the server's jobs "
                 "deliver them.")
    return {"offer_answer": channel["answer"], "offer_city": city,
            "record": record["category"]}


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

    tell.step("Ada authorises her butler; it proposes her terms and she accepts them")
    tokens = TokenFile(home / "demo-butler.json")
    authorize(base, tokens, show=lambda url: ada.session.get(ada.consent(url), timeout=10))
    me = PersonClient.from_file(tokens)
    proposed = me.propose_terms(TERMS)
    tell.say(f"Butler tokens in {tokens.path} (mode 0600), with the mandates she ticked; "
             f"its terms would let vendors get more, so they wait in her inbox")
    ada.save_terms(TERMS, proposed["proposal_id"])
    saved = me.terms()
    tell.ok(f"Ada reads what the change does and accepts it: terms version {saved['version']}")
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
    for vendor, model, price, needs in (
            (green, "e-Up! electric, 3 years' service", "27500", ["address.city",
                                                                    "contact.phone"]),
            (fast, "V8 pickup, end-of-season deal", "29000", [])):
        for intent in vendor.search_intents("vehicles"):
            vendor.submit_offer(intent.id, category="vehicles", price=price, currency="EUR",
                                text=model, needs=needs)
    actions = Butler(me, say=tell.say).run_once()
    seen["offers"] = {a.vendor: a.verdict for a in actions if a.kind == "offer"}
    seen["requests"] = {a.target: a.verdict for a in actions if a.kind == "request"}

    tell.step("Ada answers the waiting request herself (her butler may not: her terms ask her)")
    ada.form(f"/inbox/{household.id}", {"decision": "approve", "days": "30",
                                        "category": "household.size"}, page="/inbox")
    answered = green.poll_request(household.id)
    green.accept(answered.agreement)  # the new agreement proffers her terms again
    size = green.agreement_data(answered.agreement).values("household.size")
    tell.ok(f"She approves it for 30 days; GreenWheels polls: {answered.status}, signs, "
            f"and reads household size {', '.join(map(str, size))}")
    seen["household_answer"] = answered.status

    seen |= _accept_and_close(ada, me, green, tell, notices, arrived, notice_wait)

    tell.step("Ada stops sharing with GreenWheels; the vendor is refused at once")
    stopped = me.stop_vendor(green.client_id)["ended"]
    tell.ok(f"Ada stops sharing everything with GreenWheels: {len(stopped)} agreements end "
            f"(her email and city, her household size, and her city for the offer)")
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
    def endings() -> list[dict]:
        return [n for n in notices if n.get("type") == "agreement_ended"]
    with arrived:
        every = arrived.wait_for(lambda: len(endings()) >= len(stopped), notice_wait)
    if every:
        ended = endings()
        duties = sorted({n["duty"] for n in ended})
        categories = sorted(c for n in ended for c in n["categories"])
        tell.ok(f"GreenWheels' webhook got {len(ended)} signed notices (verified): agreements "
                f"{', '.join(sorted({n['reason'] for n in ended}))}, duty to "
                f"{', '.join(duties)} {', '.join(categories)}")
        seen["notice"] = duties[0]
        answers = [green.acknowledge(n) for n in ended]
        seen["acknowledged"] = sum(bool(a["acknowledged_at"]) for a in answers)
        tell.ok(f"GreenWheels deletes and confirms each with its signature: "
                f"{seen['acknowledged']} of {len(ended)} deletions confirmed on Ada's "
                "Connections page")
    else:
        tell.say("The signed notices to GreenWheels are queued; the server's jobs deliver them.")
    return seen
