"""Input no route should have to think about: NUL characters, lone surrogates, deep JSON.

PostgreSQL cannot store a NUL character in text, a lone surrogate cannot be encoded as UTF-8,
and JSON nested thousands deep exhausts Python's stack while it is parsed. None of them is ever
meaningful to Custos, so they are refused at the edge, the same way on SQLite and PostgreSQL,
with a 400 that names where they were: path ids, query parameters, form fields (a `before_request`
check) and JSON bodies (the app's JSON provider, also used for JSON inside form fields).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from .errors import InvalidInput
from .services.safe_json import MAX_DEPTH, JSONRefused, loads
from .services.safe_json import unstorable as _problem

__all__ = ["MAX_DEPTH", "JSONRefused", "init_app", "loads"]


class _Provider(DefaultJSONProvider):
    """Request bodies go through `loads`; a refusal is a 400 naming the problem (not a
    ValueError, which `get_json(silent=True)` would hide)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return loads(s)
        except JSONRefused as exc:
            raise InvalidInput(f"The JSON body is refused: {exc}.",
                               fields={exc.field: [str(exc)]}) from None


def _refuse_unstorable() -> None:
    """Every path id, query parameter and form field, names and values."""
    pairs = [*(request.view_args or {}).items(), *request.args.items(multi=True)]
    if request.method in ("POST", "PUT", "PATCH"):
        pairs += request.form.items(multi=True)
    for name, value in pairs:
        shown = "a field name" if _problem(name) else name
        problem = _problem(name) or (_problem(value) if isinstance(value, str) else None)
        if problem:
            raise InvalidInput(f"{shown}: {problem}.", fields={shown: [problem]})


def init_app(app: Flask) -> None:
    app.json = _Provider(app)
    app.before_request(_refuse_unstorable)
