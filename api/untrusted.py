"""Input no route should have to think about: NUL characters, lone surrogates, deep JSON.

PostgreSQL cannot store a NUL character in text, a lone surrogate cannot be encoded as UTF-8,
and JSON nested thousands deep exhausts Python's stack while it is parsed. None of them is ever
meaningful to Custos, so they are refused at the edge, the same way on SQLite and PostgreSQL,
with a 400 that names where they were: path ids, query parameters, form fields (a `before_request`
check) and JSON bodies (the app's JSON provider, also used for JSON inside form fields).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from .errors import InvalidInput

MAX_DEPTH = 32
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class JSONRefused(ValueError):
    """Well-formed JSON that Custos will not read; the message says where and why, `field`
    names the top-level member it is in ("body" when it is the whole document)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.field = re.split(r"[.\[]", path, maxsplit=1)[0] or "body"


def _problem(value: str) -> str | None:
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    return "holds a NUL character" if found.group() == "\x00" else \
        "holds an unpaired surrogate (not valid Unicode)"


def loads(text: str | bytes) -> Any:
    """`json.loads`, refusing nesting deeper than MAX_DEPTH and strings no store can hold."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSONRefused(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
    stack = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JSONRefused(f"the JSON is nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, str) and (problem := _problem(item)):
            raise JSONRefused(f"{path or 'the JSON'} {problem}", path)
        if isinstance(item, dict):
            for key, member in item.items():
                if problem := _problem(key):
                    raise JSONRefused(f"a member name in {path or 'the JSON'} {problem}", path)
                stack.append((member, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(item, list):
            stack.extend((member, f"{path}[{i}]", depth + 1) for i, member in enumerate(item))
    return value


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
