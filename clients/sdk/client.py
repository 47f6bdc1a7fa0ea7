"""`VendorClient`: everything a vendor does with a Custos server, in typed calls.

    vendor = VendorClient.register("https://custos.example", client_name="Acme",
                                   redirect_uris=["https://acme.example/cb"])
    auth = vendor.start_authorization("https://acme.example/cb", Access(...))
    person = vendor.finish_authorization(auth, callback_url)   # a PersonSession
    person.data().values("contact.email")

See docs/sdk.md for every call and the errors each raises.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from . import myterms
from .dpop import DPoPKey
from .http import Transport
from .models import Access, AccessRequest, Agreement, DataRelease, Item, Receipt
from .oauth import AuthorizationRequest, OAuthClient, ServerMetadata, Tokens, register
from .session import ClientCredentialsSession, TokenSession, TokenSink
from .signatures import Verifier

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PersonSession(TokenSession):
    """Tokens one person gave this vendor: read what they agreed to, and end it."""

    def me(self) -> dict:
        """`{"sub", "agreement"}`: the person's pairwise subject for this vendor."""
        return self.call("GET", "/api/v1/me")

    def data(self) -> DataRelease:
        """What the agreement and the person's current terms release now (403 if nothing)."""
        return DataRelease.from_json(self.call("GET", "/api/v1/data"))


class VendorClient:
    """A vendor registered with one Custos server (RFC 8414 discovery on construction)."""

    def __init__(self, issuer: str, client_id: str, client_secret: str | None = None, *,
                 transport: Transport | None = None, metadata: ServerMetadata | None = None,
                 clock: Clock = _utcnow, registration: dict | None = None,
                 signing_key: dict | None = None, dpop: DPoPKey | None = None) -> None:
        self.signing_key = signing_key  # a private JWK (myterms.new_key()); never sent
        self.transport = transport or Transport()
        self.metadata = metadata or ServerMetadata.discover(issuer, self.transport)
        self.clock = clock
        self.oauth = OAuthClient(self.metadata, client_id, client_secret, self.transport, clock,
                                 dpop=dpop)
        self.registration = registration or {"client_id": client_id}
        self.verifier = Verifier(self.metadata.jwks_uri, self.metadata.issuer, self.transport)
        self._own = ClientCredentialsSession(self.oauth, clock=clock)

    @classmethod
    def register(cls, issuer: str, *, client_name: str, redirect_uris: list[str],
                 certifications: list[str] | None = None, jurisdiction: str | None = None,
                 notification_uri: str | None = None, public: bool = False,
                 transport: Transport | None = None, clock: Clock = _utcnow,
                 signing_key: dict | None = None, accepts: list[str] | None = None,
                 dpop: DPoPKey | None = None, **extra: Any) -> VendorClient:
        """Register by RFC 7591 with a vendor profile; keep `registration` (it has the secret).
        With `dpop`, every token is bound to that key and the server is told to insist on it
        (`dpop_bound_access_tokens`, RFC 9449 section 5.3); keep the key with the tokens."""
        transport = transport or Transport()
        metadata = ServerMetadata.discover(issuer, transport)
        body: dict[str, Any] = {
            "client_name": client_name, "redirect_uris": redirect_uris,
            "token_endpoint_auth_method": "none" if public else "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"]
            + ([] if public else ["client_credentials"]), **extra}
        if certifications:
            body["custos_certifications"] = certifications
        if jurisdiction:
            body["custos_jurisdiction"] = jurisdiction
        if notification_uri:
            body["custos_notification_uri"] = notification_uri
        if signing_key and "jwks_uri" not in body:
            body["jwks"] = myterms.public_jwks(signing_key)
        if accepts is not None:
            body["custos_accepts_agreements"] = accepts
        if dpop:
            body["dpop_bound_access_tokens"] = True
        reply = register(metadata, transport, body)
        return cls(issuer, reply["client_id"], reply.get("client_secret"), transport=transport,
                   metadata=metadata, clock=clock, registration=reply, signing_key=signing_key,
                   dpop=dpop)

    @property
    def client_id(self) -> str:
        return self.oauth.client_id

    # -- the person's authorization (code flow with PKCE) ---------------------------------
    def start_authorization(self, redirect_uri: str, access: Access | None = None, *,
                            scope: str | None = None) -> AuthorizationRequest:
        """The URL to send the person to; keep the returned object until the callback."""
        details = [access.as_detail()] if access else None
        return self.oauth.authorization_request(redirect_uri, scope=scope,
                                                authorization_details=details)

    def finish_authorization(self, request: AuthorizationRequest, callback_url: str, *,
                             on_tokens: TokenSink | None = None) -> PersonSession:
        """Check the callback (state, iss), redeem the code, and return the person's session."""
        tokens = self.oauth.finish(request, callback_url)
        if on_tokens:
            on_tokens(tokens)
        return self.session(tokens, on_tokens=on_tokens)

    def session(self, tokens: Tokens, *, on_tokens: TokenSink | None = None) -> PersonSession:
        """A session from stored tokens (Tokens.from_dict of what on_tokens saved)."""
        return PersonSession(self.oauth, tokens, on_tokens=on_tokens, clock=self.clock)

    def introspect(self, token: str) -> dict:
        return self.oauth.introspect(token)

    def revoke(self, token: str, hint: str | None = None) -> None:
        self.oauth.revoke(token, hint)

    # -- calls with the vendor's own token (client credentials) ---------------------------
    def submit_request(self, subject: str, access: Access) -> AccessRequest:
        """Ask while the person is away: answered now by their terms, or pending for them."""
        return AccessRequest.from_json(self._own.call(
            "POST", "/api/v1/requests",
            json={"subject": subject, "authorization_details": [access.as_detail()]}))

    def poll_request(self, request_id: str) -> AccessRequest:
        return AccessRequest.from_json(self._own.call("GET", f"/api/v1/requests/{request_id}"))

    def wait_for_request(self, request_id: str, *, timeout: float = 300.0,
                         interval: float = 5.0) -> AccessRequest:
        """Poll until the request is answered or `timeout` seconds passed (then still pending)."""
        waited, current = 0.0, self.poll_request(request_id)
        while current.pending and waited < timeout:
            step = min(interval, timeout - waited)
            self.transport.retry.sleep(step)
            waited += step
            interval = min(interval * 1.5, 60.0)
            current = self.poll_request(request_id)
        return current

    def agreements(self) -> list[Agreement]:
        return [Agreement.from_json(a) for a in self._own.call("GET", "/api/v1/agreements")]

    def agreement_data(self, agreement_id: str) -> DataRelease:
        """Read the data of an agreement made asynchronously (no person token needed)."""
        return DataRelease.from_json(
            self._own.call("GET", f"/api/v1/agreements/{agreement_id}/data"))

    def receipt(self, agreement_id: str) -> Receipt:
        """The signed receipt, verified against the JWKS (SignatureError if it does not)."""
        view = self._own.call("GET", f"/api/v1/agreements/{agreement_id}/receipt")
        return Receipt.from_json(view, self.verifier.receipt(view))

    def add_record(self, agreement_id: str, *, category: str, name: str, value: str) -> dict:
        """Add a customer record (`customer.orders`, `customer.warranty`, `customer.loyalty_id`,
        `customer.delivery_address`) to the person's vault under an agreement whose terms allow
        it; the stored record and its verified signed receipt (`AccessRefused`, 403, with reasons if
        her terms refuse it)."""
        written = self._own.call("POST", f"/api/v1/agreements/{agreement_id}/records",
                                 json={"category": category, "name": name, "value": value})
        receipt = self.verifier.record_receipt(written["receipt"], self.client_id)
        return {**written["record"], "receipt": receipt}

    def search_intents(self, category: str | None = None, *, page_size: int = 50,
                       limit: int | None = None) -> list[Item]:
        """Intents the owners' terms let this vendor see (pseudonymous, under our own handles).

        Follows the `next` cursor until `limit` items or the end.
        """
        found: list[Item] = []
        params: dict[str, Any] = {"limit": page_size, **({"category": category} if category
                                                          else {})}
        while limit is None or len(found) < limit:
            page = self._own.call("GET", "/api/v1/intents", params=params)
            found += [Item.from_json(i) for i in _items(page)]
            cursor = page.get("next") if isinstance(page, dict) else None
            if not cursor:
                break
            params["cursor"] = cursor
        return found[:limit] if limit is not None else found

    def subscribe(self, categories: list[str], regions: list[str] | None = None) -> dict:
        """Hear of new matching intents by a signed notice to our notification URI
        (intentcast; `verify_notification` reads them: `type` is `intent_matched`)."""
        return self._own.call("PUT", "/api/v1/subscription",
                              json={"categories": categories, "regions": regions or []})

    def unsubscribe(self) -> None:
        self._own.call("DELETE", "/api/v1/subscription")

    def intent(self, handle: str) -> Item:
        """One intent under our handle (as an intentcast notice names it), if we may see it."""
        return Item.from_json(self._own.call("GET", f"/api/v1/intents/{handle}"))

    def submit_offer(self, intent_id: str, *, category: str, price: Decimal | str,
                     currency: str, text: str, valid_until: datetime | None = None,
                     needs: list[str] | None = None) -> Item:
        """Answer an intent (by our handle) with an offer; valid 30 days unless said. `needs`:
        the data categories we need to fulfil it, should the person accept (she may give
        less)."""
        until = valid_until or self.clock() + timedelta(days=30)
        return Item.from_json(self._own.call(
            "POST", f"/api/v1/intents/{intent_id}/offers",
            json={"category": category, "price": str(price), "currency": currency,
                  "text": text, "valid_until": until.isoformat(), "needs": needs or []}))

    def messages(self, offer_id: str) -> dict:
        """An offer's reply channel: `answer` (accepted, declined or None; an acceptance names
        its `agreement`) and the `messages`, oldest first."""
        return self._own.call("GET", f"/api/v1/offers/{offer_id}/messages")

    def send_message(self, offer_id: str, text: str) -> dict:
        """Write to the person in an offer's channel, once she has written or accepted."""
        return self._own.call("POST", f"/api/v1/offers/{offer_id}/messages",
                              json={"text": text})

    def offers(self) -> list[Item]:
        """This vendor's own offers: received, delivered or filtered (never the reasons)."""
        return [Item.from_json(o) for o in _items(self._own.call("GET", "/api/v1/offers"))]

    # -- two-sided agreements (docs/agreements.md) ----------------------------------------
    def _sign(self, payload: dict, typ: str) -> str:
        if not self.signing_key:
            raise ValueError("this vendor has no signing_key (myterms.new_key())")
        return myterms.sign(payload, self.signing_key, typ)

    def record(self, agreement_id: str) -> dict:
        """`{"status", "record", "vendor_jws", "custos_jws", "counter"}` of one agreement."""
        return self._own.call("GET", f"/api/v1/agreements/{agreement_id}/record")

    def accept(self, agreement_id: str) -> dict:
        """Sign the person's proffered record with our key; the countersigned record."""
        record = self.record(agreement_id)["record"]
        return self._own.call("POST", f"/api/v1/agreements/{agreement_id}/acceptance",
                              json={"jws": self._sign(record, myterms.ACCEPTANCE)})

    def refuse(self, agreement_id: str) -> dict:
        """We do not accept: the agreement ends and nothing is released."""
        return self._own.call("POST", f"/api/v1/agreements/{agreement_id}/refusal", json={})

    def counter(self, agreement_id: str, alternative: str) -> dict:
        """Propose one other roster agreement; it waits for the person's answer."""
        return self._own.call("POST", f"/api/v1/agreements/{agreement_id}/counter",
                              json={"agreement": alternative})

    def proffered(self, subject: str) -> dict:
        """Which agreements a person we know (by subject) proffers, and which we lack."""
        return self._own.call("GET", f"/api/v1/subjects/{subject}/agreements")

    def publish_accepts(self, agreement_ids: list[str]) -> dict:
        """State which roster agreements we accept (our public document)."""
        return self._own.call("PUT", "/api/v1/vendor/accepts", json={"accepts": agreement_ids})

    def acknowledge(self, notice: str | bytes | dict, data: Any = None) -> dict:
        """Send our signed acknowledgement of a notice (deletion, ending; for a portability
        request, with the person's `data`): the body as received, verified here, or the
        notice `verify_notification` already returned."""
        verified = notice if isinstance(notice, dict) else self.verify_notification(notice)
        ack = {"notice": verified["jti"], "agreement": verified["agreement"],
               "iss": self.client_id, "aud": self.metadata.issuer, "type": verified["type"],
               "done": True, "iat": int(self.clock().timestamp())}
        if data is not None:
            ack["data"] = data
        return self._own.call("POST", f"/api/v1/notices/{verified['jti']}/acknowledgement",
                              json={"jws": self._sign(ack, myterms.ACKNOWLEDGEMENT)})

    def report_use(self, agreement_id: str, *, purpose: str, processor: str,
                   used_at: datetime | None = None) -> dict:
        """Our signed statement of what we did with the data, into the person's log."""
        report = {"agreement": agreement_id, "iss": self.client_id, "purpose": purpose,
                  "processor": processor, "used_at": (used_at or self.clock()).isoformat()}
        return self._own.call("POST", f"/api/v1/agreements/{agreement_id}/uses",
                              json={"jws": self._sign(report, myterms.USE_REPORT)})

    def verify_notification(self, body: str | bytes) -> dict:
        """The verified agreement-ended notice (SignatureError if forged or not for us)."""
        return self.verifier.notification(body, self.client_id)


def _items(found: Any) -> list[dict]:
    """A list answer, bare or wrapped as {"items": [...]}."""
    return found.get("items", []) if isinstance(found, dict) else list(found or [])
