"""Authorising the butler from a terminal: the person approves it in their browser.

The butler registers itself as a public client (RFC 7591, no secret: it runs on the person's
machine) with a loopback redirect URI (RFC 8252 section 7.3), prints the authorization URL and
either catches the browser's redirect on that loopback port or lets the person paste the
address the browser ended on. PKCE S256, `state` and `iss` are checked as for any vendor.
The butler always uses DPoP (RFC 9449): it registers with `dpop_bound_access_tokens`, so a
token copied out of its file is useless without the key kept beside it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

from clients.sdk import DPoPKey, Transport, VendorClient

from .tokenfile import Credentials, TokenFile

# The mandates the butler asks for (docs/oauth.md); the person may grant fewer. It never asks
# to read or change her data: sorting offers and answering within her terms does not need it.
SCOPE = " ".join(f"mandate:{m}" for m in (
    "offers", "answer", "terms_read", "terms_propose", "log", "intents"))
PAGE = (b"<!doctype html><title>Custos butler</title><p>The butler is authorised. "
        b"You can close this tab and go back to the terminal.</p>")


class CallbackListener:
    """A one-shot HTTP server on 127.0.0.1 that records the redirect to /callback."""

    def __init__(self, port: int = 0) -> None:
        received: list[str] = []
        done = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                if not self.path.startswith("/callback"):
                    self.send_error(404)
                    return
                received.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(PAGE)
                done.set()

            def log_message(self, *args) -> None:
                """Quiet: the terminal belongs to the person."""

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        self.received, self.done = received, done
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/callback"

    def __enter__(self) -> CallbackListener:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait(self, timeout: float) -> str | None:
        """The callback URL, or None if the browser did not come back in time."""
        if not self.done.wait(timeout):
            return None
        return self.redirect_uri.rsplit("/callback", 1)[0] + self.received[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def authorize(issuer: str, store: TokenFile, *, show: Callable[[str], None],
              paste: Callable[[], str] | None = None, port: int = 0, timeout: float = 300.0,
              transport: Transport | None = None, name: str = "Custos butler",
              clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Credentials:
    """Register, send the person to approve, finish the flow and save the tokens (0600).

    With `paste`, the person copies the address their browser ends on; without it, a loopback
    listener receives the redirect.
    """
    listener = CallbackListener(port) if paste is None else None
    redirect_uri = listener.redirect_uri if listener else \
        f"http://127.0.0.1:{port or free_port()}/callback"
    key = DPoPKey(clock=clock)
    butler = VendorClient.register(issuer, client_name=name, redirect_uris=[redirect_uri],
                                   public=True, transport=transport,
                                   software_id="custos-butler", dpop=key, clock=clock)
    request = butler.start_authorization(redirect_uri, scope=SCOPE)
    if listener:
        with listener:
            show(request.url)
            callback = listener.wait(timeout)
        if callback is None:
            raise TimeoutError("the browser did not come back; try again or use --paste")
    else:
        show(request.url)
        callback = paste().strip()
    session = butler.finish_authorization(request, callback)
    credentials = Credentials(issuer=butler.metadata.issuer, client_id=butler.client_id,
                              tokens=session.tokens, dpop=key)
    store.save(credentials)
    return credentials
