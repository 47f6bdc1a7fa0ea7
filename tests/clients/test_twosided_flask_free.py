"""The two-sided agreement services take the vault, the time and the issuer as arguments: no
Flask, no request, no app-bound helpers (the preamble's rule for new service code)."""

from __future__ import annotations

from pathlib import Path

from tests.dataimport.test_flask_free import FORBIDDEN, imported_names

SERVICES = Path(__file__).resolve().parents[2] / "api" / "services"


def test_the_acceptance_and_duties_services_do_not_import_flask():
    files = [SERVICES / "acceptance.py", SERVICES / "duties.py"]
    found = {p.name: imported_names(p.read_text()) & (FORBIDDEN | {"oauth.server"})
             for p in files}
    assert found == {"acceptance.py": set(), "duties.py": set()}
