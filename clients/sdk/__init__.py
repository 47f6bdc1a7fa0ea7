"""The Custos vendor SDK: discover, register, ask the person, read, and keep the records.

Imports only HTTP client libraries (requests, Authlib's client helpers and its JOSE library)
and nothing of the server; see docs/sdk.md.
"""

from .client import PersonSession, VendorClient
from .dpop import DPoPKey
from .errors import (
    AccessRefused,
    AuthorizationDenied,
    CallbackMismatch,
    CustosError,
    InvalidRequest,
    InvalidToken,
    NotFound,
    OAuthError,
    RateLimited,
    ServerUnavailable,
    SignatureError,
)
from .http import RetryPolicy, Transport
from .models import Access, AccessRequest, Agreement, DataRelease, Item, Receipt
from .oauth import AuthorizationRequest, ServerMetadata, Tokens

__all__ = [
    "Access",
    "AccessRefused",
    "AccessRequest",
    "Agreement",
    "AuthorizationDenied",
    "AuthorizationRequest",
    "CallbackMismatch",
    "CustosError",
    "DPoPKey",
    "DataRelease",
    "InvalidRequest",
    "InvalidToken",
    "Item",
    "NotFound",
    "OAuthError",
    "PersonSession",
    "RateLimited",
    "Receipt",
    "RetryPolicy",
    "ServerMetadata",
    "ServerUnavailable",
    "SignatureError",
    "Tokens",
    "Transport",
    "VendorClient",
]
