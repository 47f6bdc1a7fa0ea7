"""`custos demo`: the whole story on one machine, told step by step in the terminal.

It starts Custos on the embedded store (CUSTOS_HOME, or a temporary folder) or uses a running
server (`--url`). The person is seeded through the web pages, as a person would do it; the
vendors and the butler go through the SDK over HTTP, exactly as outside code would.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urljoin

import click
import requests
from flask import Flask

from policies.agreements import adopt

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def serving(app: Flask, host: str = "127.0.0.1", port: int = 0,
            threads: int = 6) -> Iterator[str]:
    """The app under waitress in a thread; stops promptly, keep-alive connections included."""
    from waitress.server import create_server

    srv = create_server(app, host=host, port=port, threads=threads, ident="Custos")

    def run() -> None:
        try:
            srv.run()
        except (OSError, ValueError):  # a socket closed under the loop while stopping
            pass

    thread = threading.Thread(target=run, daemon=True, name="custos-demo-server")
    thread.start()

    def stop() -> None:  # runs in the server's loop, so the socket map is not shared
        for channel in list(srv._map.values()):
            if channel is not srv and channel is not srv.trigger:
                channel.close()
        srv.close()

    try:
        yield f"http://{host}:{srv.effective_port}"
    finally:
        try:
            srv.trigger.pull_trigger(stop)
        except OSError:  # the loop has already ended; close from here
            stop()
        thread.join(timeout=5)


class Browser:
    """The person's browser: signs in through the pages and answers consent screens."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.session = requests.Session()

    def form(self, path: str, data: dict, page: str | None = None) -> requests.Response:
        """Post a form the way a browser does: fetch the page for its CSRF token first."""
        url = urljoin(self.base + "/", path.lstrip("/"))
        shown = self.session.get(urljoin(self.base + "/", (page or path).lstrip("/")),
                                 timeout=10)
        token = _CSRF.search(shown.text)
        return self.session.post(url, data={**data, "csrf_token": token.group(1) if token
                                            else ""}, timeout=10, allow_redirects=False)

    def signup(self, email: str, password: str) -> None:
        answer = self.form("/signup", {"email": email, "password": password,
                                       "confirm": password})
        if not answer.is_redirect:
            raise click.ClickException(f"could not sign up {email}: HTTP {answer.status_code}")

    def consent(self, url: str, *, decision: str = "approve",
                categories: list[str] | None = None) -> str:
        """Open an authorization URL, answer the consent screen; the redirect's address."""
        page = self.session.get(url, timeout=10, allow_redirects=False)
        if page.is_redirect:  # answered without the person (e.g. refused by the terms)
            return page.headers["Location"]
        token = _CSRF.search(page.text)
        if token is None:
            raise RuntimeError(f"no consent screen at {url}: HTTP {page.status_code}")
        offered = re.findall(r'name="category" value="([^"]+)"', page.text)
        form = {"csrf_token": token.group(1), "decision": decision,
                "category": offered if categories is None else categories}
        answer = self.session.post(url, data=form, timeout=10, allow_redirects=False)
        if not answer.is_redirect:
            raise RuntimeError(f"the consent screen did not redirect: HTTP {answer.status_code}")
        return answer.headers["Location"]


def _local_app(home: Path, port: int):
    """The app on the embedded store in `home`, the way `custos serve` builds it."""
    from . import create_app
    from .config import from_env

    settings = from_env({**os.environ, "CUSTOS_HOME": str(home)}, loopback=True)
    return create_app(settings)


def start_jobs(app: Flask):
    """The periodic jobs `custos serve` runs: expiry and the vendors' notices."""
    from .jobs import start

    return start(app)


def _free(port: int) -> int:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return 0
    return port


@click.command()
@click.option("--url", help="Use a running Custos server instead of starting one.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port for the demo server (any free one if taken).")
@click.option("--serve/--no-serve", "keep_serving", default=True,
              help="Keep the server running after the story, to look at it in the browser.")
@click.option("--exit", "exit_after", is_flag=True, help="Same as --no-serve.")
@click.option("--pace", type=click.FloatRange(0), default=None,
              help="Seconds to pause between steps (default: 0.8 in a terminal, else 0).")
def demo(url: str | None, port: int, keep_serving: bool, exit_after: bool,
         pace: float | None) -> None:
    """Play the Custos story: a person, her terms, two vendors and her butler."""
    os.umask(0o077)
    pace = (0.8 if click.get_text_stream("stdout").isatty() else 0.0) if pace is None else pace
    tell = Teller(pace)
    with ExitStack() as stack:
        if url:
            base, home = url.rstrip("/"), Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="custos-demo-")))
            email = f"ada.{secrets.token_hex(3)}@demo.example"
        else:
            given = os.environ.get("CUSTOS_HOME")
            home = Path(given) if given else Path(tempfile.mkdtemp(prefix="custos-demo-"))
            fresh = not (home / "custos.db").exists()
            app = _local_app(home, port)
            stack.callback(app.extensions["custos.vault"].close)
            base = stack.enter_context(serving(app, port=_free(port)))
            app.config["CUSTOS_ISSUER"] = base  # known before the first request: for the jobs
            app.config["CUSTOS_JOBS_INTERVAL"] = 0.5  # notices go out while you watch
            jobs = start_jobs(app)
            stack.callback(jobs.stop)
            email = "ada@demo.example" if fresh else f"ada.{secrets.token_hex(3)}@demo.example"
            tell.say(f"Custos is running at {base} (data in {home}).")
        password = "demo-" + secrets.token_urlsafe(9)
        play(base, home, email=email, password=password, tell=tell, stack=stack,
             notice_wait=3.0 if url else 10.0)
        tell.step("See it for yourself")
        tell.say(f"Sign in at {base}/signin as {email} with password {password}")
        tell.say("Connections, Inbox, Offers and Log show the same story.")
        if url or exit_after or not keep_serving:
            return
        jobs.interval = 30.0  # the story is over: the usual pace
        tell.say("The server keeps running; press Ctrl+C to stop it.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            tell.say("Stopped.")


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
    ],
    "offers": {"require_certifications": ["b-corp"], "within_budget": True,
               "match_category": True, "max_per_vendor": {"max": 3, "per": "week"}},
}
TERMS = adopt(OWN_TERMS, "intent-casting")  # vendors may see her shown intents to offer


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
    from clients.vendor import Access, AuthorizationDenied, InvalidToken, VendorClient
    from clients.vendor.webhook import notification_view

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
    arrived = threading.Event()
    hook = Flask("greenwheels")
    hook_base = stack.enter_context(serving(hook, threads=2))
    green = VendorClient.register(base, client_name="GreenWheels", certifications=["b-corp"],
                                  jurisdiction="DE", redirect_uris=["https://greenwheels.example/cb"],
                                  notification_uri=hook_base + "/custos/notices")
    hook.add_url_rule("/custos/notices", methods=["POST"], view_func=notification_view(
        green, lambda notice: (notices.append(notice), arrived.set())))
    need = Access(purpose="ServiceProvision", categories=("contact.email", "address.city"),
                  retention_days=30)
    request = green.start_authorization("https://greenwheels.example/cb", need)
    person = green.finish_authorization(request, ada.consent(request.url))
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
                                 redirect_uris=["https://fastcars.example/cb"])
    request = fast.start_authorization("https://fastcars.example/cb", Access(
        purpose="Marketing", categories=("contact.email", "contact.phone")))
    try:
        fast.finish_authorization(request, ada.consent(request.url))
        seen["fast_connect"] = "approved"
    except AuthorizationDenied as exc:
        seen["fast_connect"] = exc.error
        tell.no(f"Refused by her terms before reaching Ada: {exc.description}")

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
    size = green.agreement_data(answered.agreement).values("household.size")
    tell.ok(f"She approves it for 30 days; GreenWheels polls: {answered.status}, "
            f"and reads household size {', '.join(map(str, size))}")
    seen["household_answer"] = answered.status

    tell.step("Ada revokes GreenWheels; the vendor is refused at once")
    me.revoke(data.agreement)
    try:
        person.data()
        seen["after_revoke"] = "read"
    except InvalidToken as exc:
        seen["after_revoke"] = exc.error
        tell.no(f"GreenWheels reads again: {exc.error} ({exc.description})")
    tell.ok(f"The receipt now says: {green.receipt(data.agreement).status}")
    if arrived.wait(notice_wait):
        notice = notices[0]
        tell.ok(f"GreenWheels' webhook got the signed notice (verified): agreement "
                f"{notice['reason']}, duty to {notice['duty']} {', '.join(notice['categories'])}")
        seen["notice"] = notice["duty"]
    else:
        tell.say("The signed notice to GreenWheels is queued; the server's jobs deliver it.")
    return seen
