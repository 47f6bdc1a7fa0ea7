"""Dynamic client registration (RFC 7591) and the operator's `add_vendor` helper.

The server picks the client id (section 3.2.1) and, for confidential clients, a secret shown
once. Redirect URIs must be https, except http on a loopback address (RFC 8252 section 7.3);
they are matched exactly later. Vendor attributes are accepted as self-asserted only; the
operator verifies them separately (`custos_verified_certifications`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from common.loopback import is_loopback_host
from vault import Vault

from .targets import literal_problem

AUTH_METHODS = ("none", "client_secret_basic", "client_secret_post")
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")


def check_redirect_uri(uri: str) -> str | None:
    """Why a redirect URI is not acceptable, or None (RFC 9700 section 2.1)."""
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        return "must not contain a fragment"
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return None
    return "must use https (http only on a loopback address)"


class ClientMetadataSchema(Schema):
    """RFC 7591 section 2 metadata, plus the vendor profile under `custos_*` names."""

    class Meta:
        unknown = RAISE

    redirect_uris = fields.List(fields.String(validate=validate.Length(max=2000)),
                                load_default=list, validate=validate.Length(max=10))
    client_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_uri = fields.Url(load_default=None, allow_none=True)
    policy_uri = fields.Url(load_default=None, allow_none=True)
    logo_uri = fields.Url(load_default=None, allow_none=True)
    contacts = fields.List(fields.Email(), load_default=list, validate=validate.Length(max=5))
    token_endpoint_auth_method = fields.String(load_default="client_secret_basic",
                                               validate=validate.OneOf(AUTH_METHODS))
    grant_types = fields.List(fields.String(validate=validate.OneOf(GRANT_TYPES)),
                              load_default=lambda: ["authorization_code", "refresh_token"])
    response_types = fields.List(fields.String(validate=validate.Equal("code")),
                                 load_default=lambda: ["code"])
    scope = fields.String(load_default=None, allow_none=True)
    software_id = fields.String(load_default=None, allow_none=True)
    software_version = fields.String(load_default=None, allow_none=True)
    custos_jurisdiction = fields.String(load_default=None, allow_none=True,
                                        validate=validate.Length(min=2, max=10))
    custos_certifications = fields.List(fields.String(validate=validate.Length(min=1, max=60)),
                                        load_default=list, validate=validate.Length(max=20))
    custos_notification_uri = fields.String(load_default=None, allow_none=True)
    custos_contact_name = fields.String(load_default=None, allow_none=True)
    custos_phone = fields.String(load_default=None, allow_none=True)
    custos_address = fields.Dict(load_default=None, allow_none=True)

    @validates("redirect_uris")
    def _redirects(self, value: list[str], **kwargs: Any) -> None:
        for i, uri in enumerate(value):
            problem = check_redirect_uri(uri)
            if problem:
                raise ValidationError(f"redirect_uris[{i}] {problem}")

    @validates("custos_notification_uri")
    def _notify(self, value: str | None, **kwargs: Any) -> None:
        if value and check_redirect_uri(value):
            raise ValidationError("must use https (http only on a loopback address)")
        if value and (problem := literal_problem(value)):
            raise ValidationError(problem)


def validate_metadata(raw: object) -> dict[str, Any]:
    """Checked metadata, or ValidationError naming each bad field."""
    if not isinstance(raw, dict):
        raise ValidationError({"_schema": ["the body must be a JSON object"]})
    data = ClientMetadataSchema().load(raw)
    if "authorization_code" in data["grant_types"] and not data["redirect_uris"]:
        raise ValidationError({"redirect_uris": ["required for the authorization_code grant"]})
    if data["token_endpoint_auth_method"] == "none" and "client_credentials" in data["grant_types"]:
        raise ValidationError({"grant_types": ["a public client cannot use client_credentials"]})
    return {k: v for k, v in data.items() if v is not None}


def add_vendor(vault: Vault, raw: dict[str, Any], now: datetime, *,
               verified_certifications: list[str] | None = None) -> dict[str, Any]:
    """Register a vendor (the API and `custos vendors add` both call this); the RFC 7591 reply."""
    metadata = validate_metadata(raw)
    if verified_certifications:
        metadata["custos_verified_certifications"] = sorted(verified_certifications)
    confidential = metadata["token_endpoint_auth_method"] != "none"
    client, secret = vault.agreements.clients.register(metadata, now, confidential=confidential)
    reply = {"client_id": client.client_id, "client_id_issued_at": int(now.timestamp()),
             **metadata}
    if secret:
        reply |= {"client_secret": secret, "client_secret_expires_at": 0}
    return reply
