"""Serving an app on a loopback port, and a person's browser as a requests session.

`custos demo` and the tests both need a real server in a thread and someone who signs up
and fills in forms (CSRF included) the way a person would.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urljoin

import click
import requests
from flask import Flask

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def serving(app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 6,
            **options) -> Iterator[str]:
    """The app under waitress in a thread; stops promptly, keep-alive connections included."""
    from waitress.server import create_server

    srv = create_server(app, host=host, port=port, threads=threads, ident="Custos", **options)

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

    def save_terms(self, terms: dict, proposal: str | None = None) -> None:
        """Save terms as the person does on the preview; with `proposal`, accepting the change
        her agent proposed (shown at /terms/proposals/<id>)."""
        page = f"/terms/proposals/{proposal}" if proposal else "/terms"
        data = {"candidate": json.dumps(terms), **({"proposal": proposal} if proposal else {})}
        answer = self.form("/terms/save", data, page=page)
        if not answer.is_redirect:
            raise click.ClickException(f"could not save the terms: HTTP {answer.status_code}")

    def signup(self, email: str, password: str) -> None:
        answer = self.form("/signup", {"email": email, "password": password,
                                       "confirm": password})
        if not answer.is_redirect:
            raise click.ClickException(f"could not sign up {email}: HTTP {answer.status_code}")

    def consent(self, url: str, *, decision: str = "approve",
                categories: list[str] | None = None, mandates: list[str] | None = None) -> str:
        """Open an authorization URL, answer the consent screen (every category and mandate
        offered, unless told which); the redirect's address."""
        page = self.session.get(url, timeout=10, allow_redirects=False)
        if page.is_redirect:  # answered without the person (e.g. refused by the terms)
            return page.headers["Location"]
        token = _CSRF.search(page.text)
        if token is None:
            raise RuntimeError(f"no consent screen at {url}: HTTP {page.status_code}")
        offered = re.findall(r'name="category" value="([^"]+)"', page.text)
        asked = re.findall(r'name="mandate" value="([^"]+)"', page.text)
        form = {"csrf_token": token.group(1), "decision": decision,
                "category": offered if categories is None else categories,
                "mandate": asked if mandates is None else mandates}
        answer = self.session.post(url, data=form, timeout=10, allow_redirects=False)
        if not answer.is_redirect:
            raise RuntimeError(f"the consent screen did not redirect: HTTP {answer.status_code}")
        return answer.headers["Location"]
