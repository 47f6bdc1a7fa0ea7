"""The vault's accessor for agreements: `vault.agreements.grants.create(...)` and friends.

Mixed into the `Vault` facade, so `api/` reaches vendors, terms, agreements, tokens and the
records of both sides through the one object it already holds. Importing this module
registers the agreement event kinds, so the person's log reads them back typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from . import agreement_events, mandate_events  # noqa: F401 - registers the event kinds
from .access import Access, resolve
from .access_counts import AccessCounts
from .clients import Clients
from .db import Backend, Tx
from .dpop import DpopProofs
from .duties import Duties
from .grants import Grants
from .keystore import KeyStore
from .messages import Messages
from .negotiations import Negotiations
from .offers import Offers
from .outbox import Outbox
from .receipts import Receipts
from .requests import Requests
from .signing import SigningKeys
from .subscriptions import Subscriptions
from .terms import TermsStore
from .tokens import Tokens


class Agreements:
    """One store per table of migration 0002, sharing the vault's backend and keys."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys
        self.clients = Clients(db)
        self.terms = TermsStore(db, keys)
        self.grants = Grants(db, keys)
        self.tokens = Tokens(db)
        self.dpop = DpopProofs(db)
        self.receipts = Receipts(db, keys)
        self.signing = SigningKeys(db, keys)
        self.requests = Requests(db, keys)
        self.outbox = Outbox(db)
        self.offers = Offers(db, keys)
        self.access_counts = AccessCounts(db)
        self.subscriptions = Subscriptions(db)
        self.messages = Messages(db, keys)
        self.negotiations = Negotiations(db, keys)
        self.duties = Duties(db, keys)

    def access(self, tx: Tx, raw_token: str,
               ahead: Callable[[Tx, str], None] | None = None) -> Access | None:
        """A bearer token with its client, agreement and the person's terms version, in one
        lookup inside `tx` (`vault/access.py`); whether the vendor's acceptance is due comes
        with it, so the read asks no more (`Negotiations.waiting`). `ahead`: a query to send
        in the lookup's round trip (a vendor's read: `Vault.send_fields_ahead`)."""
        found = resolve(tx, self.keys, raw_token, ahead)
        if found is not None and found.grant is not None:
            self.negotiations.seen(tx, found.grant.id, found.negotiation)
        return found


class AgreementsMixin:
    """Gives the facade its `agreements` accessor (needs `self.db` and `self.keys`)."""

    db: Backend
    keys: KeyStore

    @cached_property
    def agreements(self) -> Agreements:
        """Vendors, terms, agreements, tokens, requests, receipts, offers and the outbox."""
        return Agreements(self.db, self.keys)
