"""`custos terms` check / import / export through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli.terms import terms

from .conftest import HERE, load_json

CASES = load_json("cases.json")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    t = tmp_path / "terms.json"
    t.write_text(json.dumps(CASES["terms"]["basic"]))
    out = {"terms": t}
    for name, purpose in (
        ("deny", "DirectMarketing"),
        ("ask", "Marketing"),
        ("permit", "DeliveryOfGoods"),
    ):
        p = tmp_path / f"{name}.json"
        cats = ["demographics.gender"] if name == "ask" else ["contact.email"]
        p.write_text(
            json.dumps(
                {
                    "vendor": {"id": "acme"},
                    "purpose": purpose,
                    "categories": cats,
                    "retention_days": 5,
                }
            )
        )
        out[name] = p
    return out


@pytest.mark.parametrize(("name", "code"), [("permit", 0), ("deny", 1), ("ask", 2)])
def test_check_exit_codes(files: dict, name: str, code: int) -> None:
    result = CliRunner().invoke(
        terms,
        [
            "check",
            "--terms",
            str(files["terms"]),
            "--request",
            str(files[name]),
            "--now",
            "2025-03-04T10:00:00Z",
        ],
    )
    assert result.exit_code == code, result.output
    assert json.loads(result.output)["effect"] == name


def test_check_accepts_odrl_terms(files: dict) -> None:
    ttl = HERE / "data" / "solidlab" / "purpose-eq.ttl"
    req = files["permit"].parent / "alice.json"
    req.write_text(
        json.dumps(
            {
                "vendor": {"id": "http://example.org/alice"},
                "purpose": "AccountManagement",
                "categories": ["contact.email"],
            }
        )
    )
    result = CliRunner().invoke(
        terms,
        ["check", "--terms", str(ttl), "--request", str(req), "--now", "2025-01-01T00:00:00Z"],
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("problem", ["missing", "bad-json", "bad-terms", "bad-request", "bad-now"])
def test_bad_input_is_one_line_and_exit_3(files: dict, tmp_path: Path, problem: str) -> None:
    bad = tmp_path / "bad.json"
    args = {"terms": str(files["terms"]), "request": str(files["deny"]), "now": "2025-03-04"}
    if problem == "missing":
        args["terms"] = str(tmp_path / "nope.json")
    elif problem == "bad-json":
        bad.write_text("{not json")
        args["request"] = str(bad)
    elif problem == "bad-terms":
        bad.write_text(json.dumps({"rules": [{"id": "r", "effect": "deny", "purposes": ["X"]}]}))
        args["terms"] = str(bad)
    elif problem == "bad-request":
        bad.write_text(
            json.dumps({"vendor": {"id": "a"}, "purpose": "Nope", "categories": ["contact"]})
        )
        args["request"] = str(bad)
    else:
        args["now"] = "tuesday"
    result = CliRunner().invoke(
        terms,
        ["check", "--terms", args["terms"], "--request", args["request"], "--now", args["now"]],
    )
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output + result.stderr


def test_import_and_export(files: dict, tmp_path: Path) -> None:
    runner = CliRunner()
    exported = runner.invoke(terms, ["export", str(files["terms"])])
    assert exported.exit_code == 0 and json.loads(exported.output)["@type"] == "Set"
    odrl = tmp_path / "odrl.jsonld"
    odrl.write_text(exported.output)
    imported = runner.invoke(terms, ["import", str(odrl)])
    assert imported.exit_code == 0
    assert json.loads(imported.output)["rules"][0]["id"] == "no-marketing-contact"
    odrl.write_text(
        json.dumps(
            {
                "@context": "http://www.w3.org/ns/odrl.jsonld",
                "@type": "Set",
                "uid": "urn:x",
                "obligation": [{"action": "use"}],
            }
        )
    )
    failed = runner.invoke(terms, ["import", str(odrl)])
    assert failed.exit_code == 3 and "odrl:obligation" in failed.stderr
