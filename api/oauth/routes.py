"""The machine-facing OAuth endpoints: token, revocation, introspection, registration,
metadata (RFC 8414) and JWKS. These, and only these, answer cross-origin requests (CORS);
they take no cookies, so CSRF protection does not apply to them.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import ValidationError

from ..clock import now
from ..errors import InvalidInput
from ..security import limiter, rate
from ..services import details, dpop
from ..services.signing import jwks
from ..store import get_vault
from .grants import AUTH_METHODS, SECRET_METHODS
from .registration import add_vendor
from .scopes import supported_scopes
from .server import issuer

bp = Blueprint("oauth", __name__)
CORS_ENDPOINTS = {"oauth.token", "oauth.revoke", "oauth.introspect", "oauth.register",
                  "oauth.metadata", "oauth.jwks"}


def _server():
    return current_app.extensions["custos.oauth"]


@bp.post("/oauth/token")
@limiter.limit(rate("token_rate_limit"))
def token():
    """RFC 6749 section 3.2; Authlib adds Cache-Control: no-store (section 5.1)."""
    return _server().create_token_response()


@bp.post("/oauth/revoke")
@limiter.limit(rate("token_rate_limit"))
def revoke():
    return _server().create_endpoint_response("revocation")


@bp.post("/oauth/introspect")
@limiter.limit(rate("token_rate_limit"))
def introspect():
    return _server().create_endpoint_response("introspection")


@bp.post("/oauth/register")
@limiter.limit(rate("registration_rate_limit"))
def register():
    """RFC 7591 section 3: open registration; errors per section 3.2.2."""
    try:
        reply = add_vendor(get_vault(), request.get_json(silent=True), now())
    except ValidationError as exc:
        return _metadata_error(exc.normalized_messages())
    except InvalidInput as refused:  # NUL, lone surrogates, deep nesting (api/untrusted.py)
        return _metadata_error(refused.fields or {"body": [refused.description]})
    return jsonify(reply), 201


def _metadata_error(messages) -> tuple:
    """RFC 7591 section 3.2.2: the error names the field at fault."""
    field = next(iter(messages), "_schema")
    text = messages[field] if isinstance(messages, dict) else messages
    code = "invalid_redirect_uri" if field == "redirect_uris" else "invalid_client_metadata"
    return jsonify(error=code, error_description=f"{field}: {text}", fields=messages), 400


@bp.get("/.well-known/oauth-authorization-server")
def metadata():
    """RFC 8414 section 2, with RFC 9207, RFC 9396 and RFC 9449 additions."""
    base = issuer()
    return jsonify({
        "issuer": base,
        "authorization_endpoint": base + "/oauth/authorize",
        "token_endpoint": base + "/oauth/token",
        "revocation_endpoint": base + "/oauth/revoke",
        "introspection_endpoint": base + "/oauth/introspect",
        "registration_endpoint": base + "/oauth/register",
        "jwks_uri": base + "/oauth/jwks.json",
        "scopes_supported": supported_scopes(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": SECRET_METHODS,
        "authorization_response_iss_parameter_supported": True,
        "authorization_details_types_supported": [details.DETAILS_TYPE],
        "dpop_signing_alg_values_supported": list(dpop.ALGORITHMS),  # RFC 9449 section 5.1
        "service_documentation": base + "/api/v1/openapi.json",
    })


@bp.get("/oauth/jwks.json")
def jwks_document():
    return jsonify(jwks(get_vault(), now()))


bp.add_url_rule("/oauth/jwks.json", "jwks", jwks_document)


@bp.after_app_request
def _cors(response: Response) -> Response:
    """CORS on the machine endpoints only; never on pages or the resource API."""
    if request.endpoint in CORS_ENDPOINTS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, DPoP"
        response.headers["Access-Control-Expose-Headers"] = "DPoP-Nonce"
    return response
