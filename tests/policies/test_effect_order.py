"""Which effect wins is defined once (policies.model.STRENGTH): deny over ask over permit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policies import Decision, Effect
from policies.model import BY_STRENGTH, strongest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("effects", [(), ("permit",), ("ask", "permit"), ("permit", "deny"),
                                     ("deny", "ask", "permit"), ("ask",)])
def test_the_strongest_effect_wins(effects):
    expected = "deny" if "deny" in effects else "ask" if "ask" in effects else "permit"
    assert strongest([Effect(e) for e in effects]) is Effect(expected)
    decision = Decision.of({f"c{i}": Effect(e) for i, e in enumerate(effects)}, [], {}, 1)
    assert decision.effect is Effect(expected)


def test_the_order_is_weakest_first():
    assert BY_STRENGTH == (Effect.PERMIT, Effect.ASK, Effect.DENY)


def test_no_other_module_ranks_the_effects():
    # a table like {"permit": 0, "ask": 1, ...} (exit codes, permit 0 deny 1, are not a ranking)
    ranking = re.compile(r"""(?i)permit["']?\s*:\s*0\s*,\s*(?:Effect\.)?["']?ask["']?\s*:\s*1""")
    found = [str(p.relative_to(ROOT)) for top in ("api", "clients", "policies")
             for p in (ROOT / top).rglob("*.py")
             if p != ROOT / "policies" / "model.py" and ranking.search(p.read_text())]
    assert found == []
