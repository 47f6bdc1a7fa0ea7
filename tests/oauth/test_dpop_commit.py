"""A DPoP read records its proof's jti inside the read's own write transaction (one commit
instead of two), and every proof is still recorded: with the read when it commits, on its own
after the request when the read rolls back (RFC 9449 section 11.1)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from api.resource import data
from api.resource.auth import InsufficientScope
from tests.oauth.test_dpop import DATA, read


def _used(app, key, jti: str, clock) -> bool:
    """Whether the cache already holds (key, jti): a first use would be refused."""
    now = clock()
    return not app.extensions["custos.vault"].agreements.dpop.first_use(
        key.jkt, jti, until=now + timedelta(minutes=2), now=now)


def _watch(app, monkeypatch) -> list[bool]:
    """For each jti recorded: whether a write transaction was already open on the thread (a
    nested transaction joins the open one, so it is writable exactly then)."""
    vault = app.extensions["custos.vault"]
    replay = vault.agreements.dpop
    inner, joined = replay.first_use, []

    def watched(*args, **kwargs):
        with vault.transaction("read") as tx:
            joined.append(tx.writable)
        return inner(*args, **kwargs)

    monkeypatch.setattr(replay, "first_use", watched)
    return joined


def test_a_dpop_read_records_its_jti_in_its_own_transaction(app, client, bound, key, clock,
                                                            monkeypatch):
    token = bound["access_token"]
    joined = _watch(app, monkeypatch)
    jti = secrets.token_urlsafe(16)
    assert read(client, token, key.proof(clock, "GET", DATA, token=token,
                                         jti=jti)).status_code == 200
    assert joined == [True]  # once, inside the read's write transaction: no commit of its own
    monkeypatch.undo()
    assert _used(app, key, jti, clock)  # committed with the read


def test_a_read_that_rolls_back_still_records_its_proof(app, client, bound, key, clock,
                                                         monkeypatch):
    token = bound["access_token"]

    def refuse(*args, **kwargs):
        raise InsufficientScope("refused after the proof was recorded in the transaction")

    monkeypatch.setattr(data, "release", refuse)
    jti = secrets.token_urlsafe(16)
    proof = key.proof(clock, "GET", DATA, token=token, jti=jti)
    assert read(client, token, proof).status_code == 403
    assert _used(app, key, jti, clock)  # recorded after the rollback, on its own
    monkeypatch.undo()
    again = read(client, token, proof)
    assert again.status_code == 401 and "used before" in again.get_json()["error_description"]


def test_a_replay_inside_the_read_is_refused_and_logs_nothing_more(app, client, bound, key,
                                                                   clock):
    token = bound["access_token"]
    proof = key.proof(clock, "GET", DATA, token=token)
    first = read(client, token, proof)
    assert first.status_code == 200
    again = read(client, token, proof)
    assert again.status_code == 401 and again.get_json()["error"] == "invalid_dpop_proof"


def test_other_routes_still_record_before_their_work(app, client, bound, key, clock):
    """Routes not marked `records_proof` record the jti in its own transaction, first."""
    token = bound["access_token"]
    jti = secrets.token_urlsafe(16)
    url = "http://localhost/api/v1/me"
    answer = client.get("/api/v1/me", headers={
        "Authorization": f"DPoP {token}",
        "DPoP": key.proof(clock, "GET", url, token=token, jti=jti)})
    assert answer.status_code == 200, answer.get_json()
    assert _used(app, key, jti, clock)
