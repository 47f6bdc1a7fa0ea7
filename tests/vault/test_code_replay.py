"""A replayed code revokes what it issued, even when it arrives between claim and token save."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest

from vault.tokens import CodeReplayed, token_hash


def _code(vault, person, now) -> tuple[str, str]:
    code, family = f"code-{uuid.uuid4()}", str(uuid.uuid4())
    vault.agreements.tokens.save_code(
        code, client_id="cus_x", person_id=person, grant_id="g-1",
        redirect_uri="https://v.example/cb", challenge="c", challenge_method="S256",
        scope="data:contact.email", family_id=family, expires_at=now + timedelta(minutes=5))
    return code, family


def _save(vault, person, family, code, now) -> str:
    access = f"at-{uuid.uuid4()}"
    vault.agreements.tokens.save(
        access=access, refresh=f"rt-{uuid.uuid4()}", client_id="cus_x", person_id=person,
        grant_id="g-1", family_id=family, scope="", now=now, access_ttl=timedelta(minutes=10),
        code_hash=token_hash(code))
    return access


def test_replay_between_claim_and_save_refuses_the_save(vault, person, now):
    tokens = vault.agreements.tokens
    code, family = _code(vault, person, now)
    assert tokens.claim_code(code, now)
    assert tokens.code_replayed(token_hash(code), family, now) == 0  # nothing issued yet
    with pytest.raises(CodeReplayed):
        _save(vault, person, family, code, now)
    with vault.db.read() as tx:
        assert tx.one("SELECT COUNT(*) FROM tokens WHERE family_id = ?", (family,))[0] == 0


def test_replay_after_save_revokes_what_was_issued(vault, person, now):
    tokens = vault.agreements.tokens
    code, family = _code(vault, person, now)
    assert tokens.claim_code(code, now)
    access = _save(vault, person, family, code, now)
    assert tokens.find(access).active(now)
    assert tokens.code_replayed(token_hash(code), family, now) == 2
    assert not tokens.find(access).active(now)


def test_concurrent_save_and_replay_never_leave_a_live_token(vault, person, now):
    """Real threads, both orders possible: either the save is refused or its tokens die."""
    tokens = vault.agreements.tokens
    saved: list[str] = []

    def save(start, family, code):
        start.wait()
        try:
            saved.append(_save(vault, person, family, code, now))
        except CodeReplayed:
            pass

    def replay(start, family, code):
        start.wait()
        tokens.code_replayed(token_hash(code), family, now)

    for _ in range(15):
        code, family = _code(vault, person, now)
        assert tokens.claim_code(code, now)
        start = threading.Barrier(2)
        threads = [threading.Thread(target=f, args=(start, family, code)) for f in (save, replay)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert all(not tokens.find(a).active(now) for a in saved)
