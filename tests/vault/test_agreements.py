"""Agreements on both backends: vendors, grants, tokens, counters, offers, and the migrations."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

from tests.vault.conftest import _admin_connection, postgres_url, with_search_path
from vault import Vault
from vault.db import iso
from vault.migrations import MIGRATIONS, applied_migrations
from vault.tokens import token_hash

TERMS = {"purpose": "ServiceProvision", "categories": ["contact.email"], "retention_days": 30,
         "third_party_sharing": False, "recipients": [], "terms_version": 1,
         "decided_by": "person", "extra": {"person": False}}


def test_agreement_smoke(vault, person, now):
    """Register a client, make a grant, issue and check a token, end the grant."""
    client, secret = vault.agreements.clients.register(
        {"client_name": "Acme", "redirect_uris": ["https://acme.example/cb"]}, now,
        confidential=True)
    assert vault.agreements.clients.find(client.client_id).check_secret(secret)
    grant = vault.agreements.grants.create(person, client.client_id, TERMS,
                                           expires_at=now + timedelta(days=30), now=now)
    assert grant.live(now) and grant.categories == ("contact.email",)
    tokens = vault.agreements.tokens
    tokens.save(access="at-1", refresh="rt-1", client_id=client.client_id, person_id=person,
                grant_id=grant.id, family_id="fam-1", scope="data:contact.email", now=now,
                access_ttl=timedelta(minutes=10))
    assert tokens.find("at-1").active(now) and tokens.find("rt-1").kind == "refresh"
    assert tokens.find("at-2") is None
    ended = vault.agreements.grants.end(grant.id, "revoked", now + timedelta(minutes=1))
    assert ended.status == "revoked" and not ended.live(now)
    assert not tokens.find("at-1").active(now) and not tokens.find("rt-1").active(now)
    assert vault.agreements.grants.end(grant.id, "revoked", now) is None  # already ended
    changes = [e.payload["change"] for e in vault.list_events(person, kinds=["grant_changed"])]
    assert changes == ["created", "revoked"]


def test_counters_and_offers(vault, person, now):
    counts = vault.agreements.access_counts
    with vault.db.write() as tx:
        counts.add(tx, person, "cus_a", now)
        counts.add(tx, person, "cus_a", now)
        assert counts.counts(tx, person, "cus_a", {"day", "week"}, now) == {"day": 2, "week": 2}
        assert counts.counts(tx, person, "cus_b", {"day"}, now) == {"day": 0}
    intent = vault.add_intent(person, {"category": "vehicles", "text": "A car",
                                       "visibility": "shown"}, now)
    assert (intent.id, person) in vault.agreements.offers.visible_intents()
    offers = vault.agreements.offers
    offer = offers.receive(person, intent.id, "cus_a", {"text": "Ours", "price": "1.00"}, now)
    assert offer.status == "received" and offers.for_client("cus_a")[0].id == offer.id
    decided = offers.decide(offer.id, {"action": "filter", "reasons": []}, now)
    again = offers.decide(offer.id, {"action": "deliver", "reasons": [], "by": "p"}, now)
    assert decided.status == "filtered" and again.status == "delivered"
    assert again.body["history"][0]["action"] == "filter"
    assert [o.id for o in offers.for_person(person, "delivered")] == [offer.id]


@contextlib.contextmanager
def _another_store(kind: str, tmp_path):
    """(home, url) of a second, empty store on the same backend as `store`."""
    if kind == "sqlite":
        yield tmp_path / "older", None
        return
    admin = _admin_connection()
    schema = f"custos_mig_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield tmp_path / "older", with_search_path(postgres_url(), schema)
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def test_new_migrations_apply_to_an_existing_store(store, monkeypatch, tmp_path, now):
    """A store made at 0002 gains the tables and columns of 0003 and 0004; old rows read."""
    import vault.migrations as migrations

    with _another_store(store.kind, tmp_path) as (home, url):
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:2])
        with Vault.open(home, url, now=now) as old:
            assert applied_migrations(old.db) == ["0001_initial", "0002_agreements"]
            pid = old.create_person("old@example.org", "$argon2id$x", now)
            with old.db.write() as tx:  # the columns of 0002 (today's code writes more)
                tx.run("INSERT INTO auth_codes (code_hash, client_id, person_id, grant_id, "
                       "redirect_uri, challenge, challenge_method, scope, family_id, "
                       "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (token_hash("old-code"), "c", pid, "g", "r", "x", "S256", "", "f",
                        iso(now + timedelta(minutes=5))))
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
        with Vault.open(home, url, now=now) as new:
            assert applied_migrations(new.db) == [m.name for m in MIGRATIONS]
            tokens = new.agreements.tokens
            assert tokens.find_code("old-code").used_at is None
            assert tokens.claim_code("old-code", now)
            assert tokens.code_replayed(token_hash("old-code"), "f", now) == 0
            with new.db.write() as tx:
                new.agreements.access_counts.add(tx, pid, "c", now)
                assert new.agreements.access_counts.counts(tx, pid, "c", {"day"}, now) == {
                    "day": 1}
