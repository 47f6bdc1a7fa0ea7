"""The policy engine's errors: a small hierarchy that carries data, for every caller to render."""

from __future__ import annotations


class PolicyError(Exception):
    """Base of every error raised by `policies`."""

    code = "policy_error"

    def __init__(self, description: str, messages: dict | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.messages: dict = messages or {}

    def to_dict(self) -> dict:
        """A JSON-ready form: the same data for the API error, the UI and the CLI."""
        return {"error": self.code, "description": self.description, "messages": self.messages}


class UnknownConcept(PolicyError, LookupError):
    """A purpose or category name that DPV and the friendly table do not know."""

    code = "unknown_concept"


class TermsError(PolicyError, ValueError):
    """Invalid terms or request: `messages` maps field paths (`rules[x].purposes`) to messages."""

    code = "invalid_terms"

    def __str__(self) -> str:
        if not self.messages:
            return self.description
        return "; ".join(
            f"{field}: {' '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
            for field, msgs in flatten(self.messages).items()
        )


class OdrlError(PolicyError, ValueError):
    """An ODRL policy that cannot be read, or uses a construct Custos does not support."""

    code = "unsupported_odrl"


def flatten(messages: dict, prefix: str = "") -> dict[str, list[str]]:
    """Nested marshmallow messages flattened to dotted field paths."""
    out: dict[str, list[str]] = {}
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, path))
        else:
            out[path] = list(value) if isinstance(value, list | tuple) else [str(value)]
    return out
