"""The import service takes the vault and `now`: no Flask, no request, no app-bound helpers,
so it moves into the service layer as it is."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "api" / "services" / "dataimport"
FORBIDDEN = {"flask", "werkzeug", "flask_wtf", "store", "clock", "accounts"}


def imported_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0] if node.level == 0 else node.module)
    return names


def test_the_check_finds_flask_and_the_app_helpers():
    assert imported_names("from flask import request\nfrom ..store import get_vault") & \
        FORBIDDEN == {"flask", "store"}


def test_the_import_service_does_not_import_flask():
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 6
    bad = {p.name: found for p in files if (found := imported_names(p.read_text()) & FORBIDDEN)}
    assert bad == {}
