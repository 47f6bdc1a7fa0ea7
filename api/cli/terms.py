"""`custos terms`: check a request against terms, and move terms to and from ODRL 2.2.

Exit status of `check`: 0 permit, 1 deny, 2 ask, 3 bad input (one line on stderr, no traceback).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from policies import PolicyError, compile_terms, evaluate, load_request, load_terms
from policies.model import Effect, Terms
from policies.serialize import dump_terms

EXIT = {Effect.PERMIT: 0, Effect.DENY: 1, Effect.ASK: 2}
BAD_INPUT = 3


class BadInput(click.ClickException):
    """Bad input: one clear line on stderr and exit status 3."""

    exit_code = BAD_INPUT

    def show(self, file=None) -> None:
        click.echo(f"error: {self.message}", err=True)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise BadInput(f"{path}: {e.strerror or e}") from None


def _is_odrl(text: str) -> bool:
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return True  # Turtle
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    return isinstance(doc, dict | list) and ("@context" in doc if isinstance(doc, dict) else True)


def _terms(path: str) -> Terms:
    """Custos terms JSON or an ODRL policy (JSON-LD or Turtle), validated."""
    text = _read(path)
    try:
        if _is_odrl(text):
            from policies.odrl_import import import_odrl

            return import_odrl(text)
        return load_terms(json.loads(text))
    except ValueError as e:
        if isinstance(e, PolicyError):
            raise BadInput(f"{path}: {e}") from None
        raise BadInput(f"{path}: not valid JSON ({e})") from None


def _json(path: str) -> object:
    try:
        return json.loads(_read(path))
    except ValueError as e:
        raise BadInput(f"{path}: not valid JSON ({e})") from None


@click.group("terms")
def terms() -> None:
    """Check, import and export a person's terms."""


@terms.command("check")
@click.option("--terms", "terms_file", required=True, help="Custos terms JSON, or ODRL policy.")
@click.option("--request", "request_file", required=True, help="Request JSON (docs/policies.md).")
@click.option(
    "--now",
    default=None,
    help="ISO-8601 time of the decision (default: request's time, else the current time).",
)
def check(terms_file: str, request_file: str, now: str | None) -> None:
    """Print the decision as JSON; exit 0 permit, 1 deny, 2 ask, 3 bad input."""
    compiled = compile_terms(_terms(terms_file))
    try:
        request = load_request(_json(request_file))
    except PolicyError as e:
        raise BadInput(f"{request_file}: {e}") from None
    when = request.time or datetime.now(UTC)
    if now is not None:
        try:
            when = datetime.fromisoformat(now)
        except ValueError:
            raise BadInput(f"--now: not an ISO-8601 time: {now!r}") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    decision = evaluate(compiled, request, when)
    click.echo(json.dumps(decision.to_dict(), indent=2))
    sys.exit(EXIT[decision.effect])


@terms.command("import")
@click.argument("file")
def import_(file: str) -> None:
    """Read an ODRL policy (JSON-LD or Turtle) and print Custos terms JSON."""
    from policies.odrl_import import import_odrl

    try:
        result = import_odrl(_read(file))
    except PolicyError as e:
        raise BadInput(f"{file}: {e}") from None
    click.echo(json.dumps(dump_terms(result), indent=2))


@terms.command("export")
@click.argument("file")
def export(file: str) -> None:
    """Read Custos terms JSON and print the ODRL 2.2 policy (JSON-LD)."""
    from policies.odrl_export import export_odrl

    click.echo(json.dumps(export_odrl(_terms(file)), indent=2))
