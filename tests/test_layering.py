"""The core never imports the web shell; clients never import the server."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("package", ["vault", "policies"])
def test_core_does_not_import_flask(package):
    code = (f"import sys, {package}, importlib, pkgutil\n"
            f"for m in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
            f"    importlib.import_module(m.name)\n"
            f"bad = [m for m in ('flask', 'werkzeug', 'authlib', 'api') if m in sys.modules]\n"
            f"print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


ALLOWED = {
    "vault": {"vault", "cryptography", "sqlite_utils", "psycopg"},
    "policies": {"policies", "marshmallow", "rdflib"},
    "clients": {"clients", "policies", "requests", "requests_oauthlib", "authlib", "joserfc",
                "click", "flask"},
}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_follow_the_dependency_direction(package):
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {(a.name.split(".")[0], path.name) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add((node.module.split(".")[0], path.name))
    bad = sorted((m, f) for m, f in found if m not in stdlib and m not in ALLOWED[package])
    assert bad == [], f"{package} imports outside its layer: {bad}"
