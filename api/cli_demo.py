"""`custos demo`: the whole story on one machine, told step by step in the terminal."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urljoin

import requests
from flask import Flask

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def serving(app: Flask, host: str = "127.0.0.1", port: int = 0,
            threads: int = 6) -> Iterator[str]:
    """The app under waitress in a thread; stops promptly, keep-alive connections included."""
    from waitress.server import create_server

    srv = create_server(app, host=host, port=port, threads=threads, ident="Custos")
    thread = threading.Thread(target=srv.run, daemon=True, name="custos-demo-server")
    thread.start()

    def stop() -> None:  # runs in the server's loop, so the socket map is not shared
        for channel in list(srv._map.values()):
            if channel is not srv and channel is not srv.trigger:
                channel.close()
        srv.close()

    try:
        yield f"http://{host}:{srv.effective_port}"
    finally:
        srv.trigger.pull_trigger(stop)
        thread.join(timeout=5)


class Browser:
    """The person's browser: signs in through the pages and answers consent screens."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.session = requests.Session()

    def _form(self, path: str, data: dict) -> requests.Response:
        url = urljoin(self.base + "/", path.lstrip("/"))
        page = self.session.get(url, timeout=10)
        token = _CSRF.search(page.text)
        return self.session.post(url, data={**data, "csrf_token": token.group(1) if token
                                            else ""}, timeout=10, allow_redirects=False)

    def signup(self, email: str, password: str) -> None:
        self._form("/signup", {"email": email, "password": password, "confirm": password})

    def signin(self, email: str, password: str) -> None:
        self._form("/signin", {"email": email, "password": password})

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
