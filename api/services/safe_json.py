"""JSON that Custos will read: nesting at most MAX_DEPTH deep, no string a store cannot hold.

The request edge (api/untrusted.py) and the services that read JSON inside a field (the
authorization details) share it, so both refuse the same input with the same words.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class JSONRefused(ValueError):
    """Well-formed JSON that Custos will not read; the message says where and why, `field`
    names the top-level member it is in ("body" when it is the whole document)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.field = re.split(r"[.\[]", path, maxsplit=1)[0] or "body"


def unstorable(value: str) -> str | None:
    """Why no store can hold `value` (a NUL, a lone surrogate), or None."""
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
        if isinstance(item, str) and (problem := unstorable(item)):
            raise JSONRefused(f"{path or 'the JSON'} {problem}", path)
        if isinstance(item, dict):
            for key, member in item.items():
                if problem := unstorable(key):
                    raise JSONRefused(f"a member name in {path or 'the JSON'} {problem}", path)
                stack.append((member, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(item, list):
            stack.extend((member, f"{path}[{i}]", depth + 1) for i, member in enumerate(item))
    return value
