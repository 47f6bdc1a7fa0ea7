"""The errors a service raises for a client to see; api/errors.py renders them (JSON or a page).

They carry data (a description, the fields at fault) and never a secret or a personal value.
"""

from __future__ import annotations


class CustosError(Exception):
    """Base of every error a client may see; never carries a secret or a personal value."""

    status_code = 400
    error = "invalid_request"
    description = "The request is not valid."

    def __init__(self, description: str | None = None, *, fields: dict | None = None) -> None:
        super().__init__(description or self.description)
        self.description = description or self.description
        self.fields = fields or {}

    def to_dict(self) -> dict:
        body: dict[str, object] = {"error": self.error, "error_description": self.description}
        if self.fields:
            body["fields"] = self.fields
        return body


class InvalidInput(CustosError):
    error, description = "invalid_input", "Some fields are not valid."


class NotFound(CustosError):
    status_code, error, description = 404, "not_found", "There is nothing here."
