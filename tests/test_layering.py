"""The core never imports the web shell; clients never import the server."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("package", ["vault", "policies", "common"])
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
    "common": {"common"},  # the standard library only: every layer may import it
    "vault": {"vault", "common", "cryptography", "sqlite_utils", "psycopg"},
    "policies": {"policies", "common", "marshmallow", "rdflib"},
    "clients": {"clients", "common", "policies", "requests", "requests_oauthlib", "authlib",
                "joserfc", "click", "flask"},
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


def storage_touches(source: str) -> list[str]:
    """What in `source` reaches into the vault's storage: `<vault>.db`, `.dialect`, `vault.db`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "dialect":
            found.append(ast.unparse(node))
        elif isinstance(node, ast.Attribute) and node.attr == "db" \
                and "vault" in ast.unparse(node.value).lower():
            found.append(ast.unparse(node))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[:2] == ["vault", "db"]:
            found.append(f"from {node.module} import ...")
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith("vault.db")]
    return found


@pytest.mark.parametrize(("source", "touches"), [
    ("with vault.db.write() as tx: pass", True),
    ("get_vault().db.read()", True),
    ('app.extensions["custos.vault"].db.read()', True),
    ("if backend.dialect == 'sqlite': pass", True),
    ("from vault.db import Tx", True),
    ("import vault.db.sqlite", True),
    ('with vault.transaction("write") as tx: pass', False),
    ("local.db.execute('SELECT 1')", False),
    ("from vault import Tx", False),
])
def test_the_storage_check_finds_what_it_should(source, touches):
    assert bool(storage_touches(source)) is touches


def test_nothing_outside_the_vault_touches_its_storage():
    """Only vault/ knows its backend: everyone else opens `vault.transaction(...)`."""
    outside = [p for top in ("api", "clients", "policies", "benchmarks", "tests")
               for p in (ROOT / top).rglob("*.py")
               if (ROOT / "tests" / "vault") not in p.parents and p.name != "test_layering.py"]
    bad = {str(p.relative_to(ROOT)): hits for p in outside
           if (hits := storage_touches(p.read_text()))}
    assert bad == {}
