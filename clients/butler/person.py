"""The person's side of the API, as the butler (or any agent with her mandates) calls it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from clients.sdk import Transport
from clients.sdk.oauth import OAuthClient, ServerMetadata
from clients.sdk.session import TokenSession

from .tokenfile import Credentials, TokenFile


def _items(found: Any) -> list[dict]:
    return found.get("items", []) if isinstance(found, dict) else list(found or [])


class PersonClient:
    """Inbox, connections, terms, log, intents and offers of the person who authorised us."""

    def __init__(self, session: TokenSession) -> None:
        self.session = session

    @classmethod
    def from_file(cls, store: TokenFile, transport: Transport | None = None,
                  clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> PersonClient:
        """Resume from the 0600 token file; rotated tokens are written back to it at once.
        The DPoP key beside the tokens signs a proof for every call (RFC 9449)."""
        creds: Credentials = store.load()
        if creds.dpop:
            creds.dpop.clock = clock
        transport = transport or Transport()
        metadata = ServerMetadata.discover(creds.issuer, transport)
        oauth = OAuthClient(metadata, creds.client_id, None, transport, clock, dpop=creds.dpop)
        return cls(TokenSession(oauth, creds.tokens, clock=clock, on_tokens=store.sink(
            metadata.issuer, creds.client_id, creds.dpop)))

    @property
    def issuer(self) -> str:
        return self.session.base

    def terms(self) -> dict:
        """`{"version", "terms", "default_terms"}`: the person's current terms."""
        return self.session.call("GET", "/api/v1/person/terms")

    def propose_terms(self, terms: dict, *, dry_run: bool = False) -> dict:
        """Saved at once (`saved`, `version`) when the change only restricts; otherwise it
        waits for the person (`waits_for_person`, `proposal_id`, what it `loosens`)."""
        params = {"dry_run": "1"} if dry_run else None
        return self.session.call("PUT", "/api/v1/person/terms", json=terms, params=params)

    def grants(self) -> list[dict]:
        return self.session.call("GET", "/api/v1/person/grants")

    def revoke(self, grant_id: str) -> dict:
        """End an agreement now; its tokens fail from the moment this returns."""
        return self.session.call("POST", f"/api/v1/person/grants/{grant_id}/revoke")

    def stop_vendor(self, client_id: str) -> dict:
        """Stop sharing everything with one vendor: `{"client_id", "ended": [agreements]}`."""
        return self.session.call("POST", f"/api/v1/person/vendors/{client_id}/revoke")

    def requests(self, status: str = "pending") -> list[dict]:
        return self.session.call("GET", "/api/v1/person/requests", params={"status": status})

    def decide_request(self, request_id: str, decision: str, *,
                       categories: list[str] | None = None,
                       duration_days: int | None = None) -> dict:
        body: dict[str, Any] = {"decision": decision}
        if categories is not None:
            body["categories"] = categories
        if duration_days is not None:
            body["duration_days"] = duration_days
        return self.session.call("POST", f"/api/v1/person/requests/{request_id}/decision",
                                 json=body)

    def log(self, **params: Any) -> list[dict]:
        return self.session.call("GET", "/api/v1/person/log", params=params)

    def intents(self) -> list[dict]:
        return _items(self.session.call("GET", "/api/v1/person/intents"))

    def offers(self, status: str = "received") -> list[dict]:
        """`received` (waiting for the butler), `delivered`, `filtered` or `all`."""
        return _items(self.session.call("GET", "/api/v1/person/offers",
                                        params={"status": status}))

    def vendor_accepts(self, client_id: str) -> dict:
        """A vendor's public document of the standard agreements it accepts
        (`GET /api/v1/vendors/{client_id}/accepts`, no token: anyone may read it):
        `{"client_id", "client_name", "accepts", "published", "texts"}`."""
        return self.session.oauth.transport.json(
            "GET", f"{self.issuer}/api/v1/vendors/{quote(client_id, safe='')}/accepts")

    def decide_offer(self, offer_id: str, decision: str, reasons: list[dict]) -> dict:
        """`decision` is deliver or filter; the reasons are shown to the person."""
        return self.session.call("POST", f"/api/v1/person/offers/{offer_id}/decision",
                                 json={"decision": decision, "reasons": reasons})
