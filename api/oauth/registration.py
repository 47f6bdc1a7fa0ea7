"""Dynamic client registration (RFC 7591) and the operator's `add_vendor` helper.

The server picks the client id (section 3.2.1) and, for confidential clients, a secret shown
once; a `client_id` or secret in the request is ignored like any other field the server does
not use (section 2: the server MUST ignore metadata it does not understand), so a generic
client's body with `software_statement` or its own extensions registers. What is kept is
checked: every URI strictly (`uris.py`), every field against a size limit, and the stored whole
against a cap, so a vendor cannot make the person's pages slow by registering megabytes.
Vendor attributes are self-asserted; the operator verifies them (`custos_verified_*`).
"""

from __future__ import annotations

import json
import re
import warnings
from datetime import datetime
from typing import Any

from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import JWKRegistry
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from policies.agreements import canonical, find
from vault import Vault

from ..services.targets import literal_problem
from .grants import AUTH_METHODS
from .models import GRANT_TYPES
from .uris import uri_problem

MAX_METADATA_BYTES = 16384
MAX_KEYS = 10
POSTAL_ADDRESS = ("streetAddress", "postOfficeBoxNumber", "addressLocality", "addressRegion",
                  "postalCode", "addressCountry")  # schema.org PostalAddress, as Kantara CR uses
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*")  # RFC 6749 §3.3


def _printable(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError("must not contain control characters")


def _text(limit: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=limit), _printable], **kwargs)


def _optional_text(limit: int) -> fields.String:
    return _text(limit, load_default=None, allow_none=True)


def _checked_uri(value: str) -> None:
    if problem := uri_problem(value):
        raise ValidationError(problem)


def _uri() -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=_checked_uri)


def _public_key_set(value: object) -> None:
    """RFC 7591 section 2: `jwks` is a JWK Set (RFC 7517 section 5); only public keys, since
    the vendor's keys are used to verify what it signs (a private or symmetric key here
    would be a secret sent to, and stored by, the wrong party)."""
    keys = value.get("keys") if isinstance(value, dict) else None
    if not isinstance(keys, list) or not keys or not all(isinstance(k, dict) for k in keys):
        raise ValidationError("must be a JWK Set (RFC 7517 section 5): an object whose "
                              "'keys' is a non-empty array of JWKs")
    if len(keys) > MAX_KEYS:
        raise ValidationError(f"must hold at most {MAX_KEYS} keys")
    for i, raw in enumerate(keys):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", SecurityWarning)
                key = JWKRegistry.import_key(raw)
        except SecurityWarning as weak:
            raise ValidationError(f"keys[{i}] is too weak: {weak}") from None
        except JoseError as exc:
            raise ValidationError(f"keys[{i}] is not a valid JWK: {exc.description}") from None
        except (ValueError, TypeError, KeyError):
            raise ValidationError(f"keys[{i}] is not a valid public JWK") from None
        if key.is_private:
            raise ValidationError(f"keys[{i}] holds private or symmetric key material; "
                                  "register public keys only")


class ClientMetadataSchema(Schema):
    """RFC 7591 section 2 metadata that Custos uses, plus the vendor profile (`custos_*`)."""

    class Meta:
        unknown = EXCLUDE  # RFC 7591 section 2: ignored, not refused

    redirect_uris = fields.List(fields.Raw(allow_none=True), load_default=list,
                                validate=validate.Length(max=10))
    client_name = _text(200, required=True)
    client_uri = _uri()
    logo_uri = _uri()
    tos_uri = _uri()
    policy_uri = _uri()
    jwks_uri = _uri()
    jwks = fields.Raw(load_default=None, allow_none=True, validate=_public_key_set)
    contacts = fields.List(fields.Email(validate=validate.Length(max=254)), load_default=list,
                           validate=validate.Length(max=5))
    token_endpoint_auth_method = fields.String(load_default="client_secret_basic",
                                               validate=validate.OneOf(AUTH_METHODS))
    grant_types = fields.List(fields.String(validate=validate.OneOf(GRANT_TYPES)),
                              load_default=lambda: ["authorization_code", "refresh_token"],
                              validate=validate.Length(max=len(GRANT_TYPES)))
    response_types = fields.List(fields.String(validate=validate.Equal("code")),
                                 load_default=lambda: ["code"], validate=validate.Length(max=1))
    scope = fields.String(load_default=None, allow_none=True,
                          validate=[validate.Length(max=1000), validate.Regexp(_SCOPE)])
    # RFC 9449 section 5.3: true means every token request of this client carries a proof
    dpop_bound_access_tokens = fields.Boolean(load_default=None, allow_none=True,
                                              truthy={True}, falsy={False})
    software_id = _optional_text(200)
    software_version = _optional_text(64)
    custos_jurisdiction = fields.String(load_default=None, allow_none=True,
                                        validate=[validate.Length(min=2, max=10), _printable])
    custos_certifications = fields.List(_text(60), load_default=list,
                                        validate=validate.Length(max=20))
    custos_notification_uri = _uri()
    custos_contact_name = _optional_text(200)
    custos_phone = _optional_text(40)
    custos_accepts_agreements = fields.List(fields.String(validate=validate.Length(max=60)),
                                            load_default=None, allow_none=True,
                                            validate=validate.Length(max=20))
    custos_address = fields.Dict(keys=fields.String(validate=validate.OneOf(POSTAL_ADDRESS)),
                                 values=_text(200), load_default=None, allow_none=True)

    @validates("redirect_uris")
    def _redirects(self, value: list, **kwargs: Any) -> None:
        for i, uri in enumerate(value):
            if problem := uri_problem(uri, redirect=True):
                raise ValidationError(f"redirect_uris[{i}] {problem}")

    @validates("custos_accepts_agreements")
    def _accepts(self, value: list | None, **kwargs: Any) -> None:
        for i, ident in enumerate(value or []):
            if find(ident) is None:
                raise ValidationError(f"custos_accepts_agreements[{i}] is not an agreement of "
                                      "the roster (GET /standard-agreements)")

    @validates("custos_notification_uri")
    def _notify(self, value: str | None, **kwargs: Any) -> None:
        if value and (problem := literal_problem(value)):
            raise ValidationError(problem)


def validate_metadata(raw: object) -> dict[str, Any]:
    """Checked metadata, or ValidationError naming each bad field."""
    if not isinstance(raw, dict):
        raise ValidationError({"_schema": ["the body must be a JSON object"]})
    data = ClientMetadataSchema().load(raw)
    if data["jwks"] is not None and data["jwks_uri"] is not None:  # RFC 7591 section 2
        raise ValidationError({"jwks": ["send jwks or jwks_uri, not both"]})
    if "authorization_code" in data["grant_types"] and not data["redirect_uris"]:
        raise ValidationError({"redirect_uris": ["required for the authorization_code grant"]})
    if data["token_endpoint_auth_method"] == "none" and "client_credentials" in data["grant_types"]:
        raise ValidationError({"grant_types": ["a public client cannot use client_credentials"]})
    if data["custos_accepts_agreements"] is not None:  # kept under the stable ids
        data["custos_accepts_agreements"] = canonical(data["custos_accepts_agreements"])
    metadata = {k: v for k, v in data.items() if v is not None}
    size = len(json.dumps(metadata, sort_keys=True).encode())
    if size > MAX_METADATA_BYTES:
        raise ValidationError({"_schema": [
            f"the metadata takes {size} bytes; at most {MAX_METADATA_BYTES} are stored"]})
    return metadata


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
