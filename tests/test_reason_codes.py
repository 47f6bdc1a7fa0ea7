"""Every reason code used anywhere is in the registry (policies.codes) and in docs/policies.md."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from policies.codes import CODES

ROOT = Path(__file__).resolve().parent.parent


def codes_in(source: str) -> set[str]:
    """Reason codes written as literals: `{"code": "x.y"}` and `code="x.y"`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            pairs = zip(node.keys, node.values, strict=True)
            found |= {v.value for k, v in pairs if isinstance(k, ast.Constant) and k.value == "code"
                      and isinstance(v, ast.Constant) and isinstance(v.value, str)}
        elif isinstance(node, ast.Call):
            found |= {k.value.value for k in node.keywords if k.arg == "code"
                      and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)}
    return found


@pytest.mark.parametrize(("source", "expected"), [
    ('raise Refused([{"code": "agreement.gone", "text": "..."}])', {"agreement.gone"}),
    ('Reason(code="made.up", effect=e, rule_id=None, text="")', {"made.up"}),
    ('{"code": AGREEMENT_ENDED, "text": "..."}', set()),
    ('{"response_type": "code"}', set()),
])
def test_the_scan_finds_literal_codes(source, expected):
    assert codes_in(source) == expected


def test_every_code_in_the_source_is_registered():
    used = {}
    for top in ("api", "clients", "policies"):
        for path in (ROOT / top).rglob("*.py"):
            for code in codes_in(path.read_text()):
                used.setdefault(code, str(path.relative_to(ROOT)))
    assert {c: where for c, where in used.items() if c not in CODES} == {}


def test_every_registered_code_is_documented():
    doc = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    assert [c for c in CODES if f"`{c}`" not in doc] == []
