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


# --- api/services: the business rules every door shares, free of Flask -----------------------

WEB_FRAMEWORK = ("flask", "werkzeug", "flask_wtf", "flask_limiter", "authlib.integrations")
# The parts of api/ that need a request (or are the doors themselves): services import none.
SHELL = ("api.web", "api.oauth", "api.resource", "api.cli", "api.store", "api.clock",
         "api.errors", "api.untrusted", "api.security", "api.jobs", "api.config")
SERVICE_IMPORTS_ALLOWED = {
    # The import validates each record exactly as the person's forms do: the same marshmallow
    # schemas (api/web/forms.py imports no Flask; the subprocess test below checks it).
    ("api/services/dataimport/records.py", "api.web.forms"),
    ("api/services/dataimport/plan.py", "api.web.forms"),
}


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved against its package."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] \
                if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            if node.module is None:  # `from . import x`: x is a module
                found |= {f"{module}.{a.name}" for a in node.names}
    return found


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_import_resolver_reads_relative_imports():
    path = ROOT / "api" / "services" / "dataimport" / "records.py"
    assert "api.web.forms" in imported_modules(path)
    assert "api.services.dataimport.records" not in imported_modules(path)
    assert "api.services.errors" in imported_modules(ROOT / "api" / "services" / "ownership.py")


def test_services_import_no_web_framework_and_no_door_in_source():
    bad = sorted((str(p.relative_to(ROOT)), m)
                 for p in (ROOT / "api" / "services").rglob("*.py")
                 for m in imported_modules(p)
                 if _under(m, WEB_FRAMEWORK + SHELL)
                 and (str(p.relative_to(ROOT)), m) not in SERVICE_IMPORTS_ALLOWED)
    assert bad == []


def test_services_import_no_web_framework_when_run():
    code = ("import sys, importlib, pkgutil, api.services\n"
            "for m in pkgutil.walk_packages(api.services.__path__, 'api.services.'):\n"
            "    importlib.import_module(m.name)\n"
            f"bad = [m for m in sys.modules if m.split('.')[0] in {WEB_FRAMEWORK[:4]!r}\n"
            "       or m.startswith('authlib.integrations')]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- views call services, not the vault's stores ---------------------------------------------

VIEWS = ("api/web", "api/resource", "api/oauth", "api/cli", "api/jobs.py")  # every door
STORES = ("agreements", "pseudonyms", "keys")  # the vault's stores beyond its facade methods
STORE_USE_ALLOWED = {
    # Authlib's storage hooks: the adapter Authlib calls to find a client and to save, find,
    # claim and revoke codes and tokens (RFC 6749, 7009, 7662). No business rule lives there.
    "api/oauth/grants.py", "api/oauth/server.py", "api/oauth/models.py",
    "api/oauth/registration.py",
    # The bearer token check (RFC 6750): the resource server's side of the same storage hooks.
    "api/resource/auth.py",
}


def store_uses(source: str) -> list[str]:
    """Where `source` reaches a vault store directly: `<anything>.agreements`, `.pseudonyms`,
    `.keys` (the vault's facade methods, such as `list_fields`, are its public contract)."""
    return [ast.unparse(node) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr in STORES
            and "vault" in ast.unparse(node.value).lower()]


@pytest.mark.parametrize(("source", "uses"), [
    ("get_vault().agreements.grants.for_person(pid)", True),
    ("vault.agreements.requests.submit(pid)", True),
    ("self.vault.pseudonyms.subject(pid, c, now)", True),
    ('app.extensions["custos.vault"].keys.server_key("x", now)', True),
    ("grants_of(get_vault(), pid)", False),
    ("get_vault().list_fields(pid)", False),
    ("settings.keys()", False),
])
def test_the_store_check_finds_what_it_should(source, uses):
    assert bool(store_uses(source)) is uses


def test_views_call_services_not_stores():
    doors = [p for top in VIEWS for p in ([ROOT / top] if top.endswith(".py")
                                          else (ROOT / top).rglob("*.py"))]
    bad = {str(p.relative_to(ROOT)): hits for p in doors
           if str(p.relative_to(ROOT)) not in STORE_USE_ALLOWED
           and (hits := store_uses(p.read_text()))}
    assert bad == {}


def test_every_allowance_is_still_needed():
    """An allow-list entry that nothing needs any more goes."""
    stale = sorted(f for f in STORE_USE_ALLOWED if not store_uses((ROOT / f).read_text()))
    stale += sorted(f"{f} -> {m}" for f, m in SERVICE_IMPORTS_ALLOWED
                    if m not in imported_modules(ROOT / f))
    assert stale == []


# --- one style for stores: classes ------------------------------------------------------------

TX_FUNCTIONS_ALLOWED = {
    # the audit hash chain, which every store appends to inside its own transaction
    ("audit.py", "append"), ("audit.py", "read_events"), ("audit.py", "verify_chain"),
    # the per-person row lock the stores take before writing a person's rows
    ("persons.py", "locked_key"),
    # one joined lookup across tokens, clients, grants and terms for a vendor's call (issue 15);
    # reached only through `vault.agreements.access`
    ("access.py", "resolve"),
}


def test_vault_stores_are_classes():
    """A module-level public function over a transaction would be a store in the other style."""
    found = {(p.name, node.name) for p in (ROOT / "vault").glob("*.py")
             for node in ast.parse(p.read_text()).body
             if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
             and node.args.args and isinstance(node.args.args[0].annotation, ast.Name)
             and node.args.args[0].annotation.id == "Tx"}
    assert found == TX_FUNCTIONS_ALLOWED
