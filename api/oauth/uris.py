"""Which URIs a vendor may register, and how a requested redirect URI matches a registered one.

A registered URI ends up in a redirect, a consent page's CSP header, a receipt and a POST, so
it is checked strictly once, at registration: RFC 3986 syntax (`rfc3986-validator`, the same
grammar jsonschema's "uri" format uses), no whitespace or control characters, a DNS name or IP
literal as host (RFC 3986's reg-name also allows `;`, `'` or `*`, which would break a header),
no user name or password (RFC 3986 section 7.6), a valid port, and https, except http on a
loopback host for development and native apps (RFC 8252 section 7.3).

Redirect URIs then match exactly (RFC 9700 section 4.1.3), with one exception: for a loopback
IP literal any port matches, since a native app gets its port from the OS at request time
(RFC 8252 section 7.3).
"""

from __future__ import annotations

import re
from ipaddress import IPv6Address
from urllib.parse import SplitResult, urlsplit, urlunsplit

from rfc3986_validator import validate_rfc3986

from common.loopback import is_loopback_host

MAX_URI_LENGTH = 2000
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\U0010ffff]")


def _host_problem(parts: SplitResult) -> str | None:
    host = parts.hostname or ""
    if parts.netloc.startswith("["):
        try:
            IPv6Address(host)  # no zone id: "%" is refused as unsafe above
        except ValueError:
            return "its host is not a valid IPv6 literal"
        return None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return "its host must be a DNS name (letters, digits, hyphens, dots) or an IP literal"
    return None


def uri_problem(uri: object, *, redirect: bool = False) -> str | None:
    """Why `uri` may not be registered, or None (a redirect URI also may not have a fragment,
    RFC 6749 section 3.1.2)."""
    if not isinstance(uri, str) or not uri:
        return "must be a non-empty string"
    if len(uri) > MAX_URI_LENGTH:
        return f"must be at most {MAX_URI_LENGTH} characters"
    if _UNSAFE.search(uri):
        return "must not contain spaces, control or non-ASCII characters (percent-encode them)"
    if not validate_rfc3986(uri, rule="URI"):
        return "is not a valid absolute URI (RFC 3986)"
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return "its port must be a number from 1 to 65535"
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname:
        return "must be an https URL with a host"
    if "@" in parts.netloc:
        return "must not contain a user name or password (RFC 3986 section 7.6)"
    if problem := _host_problem(parts):
        return problem
    if port == 0 or parts.netloc.endswith(":"):
        return "its port must be a number from 1 to 65535"
    if parts.scheme.lower() == "http" and not is_loopback_host(parts.hostname):
        return "must use https (http only on a loopback address)"
    if redirect and "#" in uri:
        return "must not contain a fragment (RFC 6749 section 3.1.2)"
    return None


def _without_port(uri: str) -> str | None:
    """A loopback-IP http URI with its port taken out, or None for any other URI."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    literal = host != "localhost" and is_loopback_host(host)  # IP literals only (8252 8.3)
    if parts.scheme != "http" or not literal or port == 0:
        return None
    literal = f"[{host}]" if ":" in host else host
    if parts.netloc not in (literal, f"{literal}:{port}"):
        return None  # user info, an empty port or another spelling: no leniency
    return urlunsplit(parts._replace(netloc=literal))


def redirect_matches(registered: str, requested: str) -> bool:
    """Exact match, or the same loopback IP redirect on any port (RFC 8252 section 7.3)."""
    if registered == requested:
        return True
    loose = _without_port(registered)
    return loose is not None and loose == _without_port(requested)
