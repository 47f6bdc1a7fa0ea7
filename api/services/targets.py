"""Where the server may send a vendor's notices: never into its own private network (SSRF).

A registered notification URL is the vendor's to choose, and the server POSTs to it; without a
check, a vendor could point it at a cloud metadata endpoint or an internal service. At
registration an IP literal is checked; at delivery every address the name resolves to is.
Loopback targets are allowed only while the server itself runs on loopback (development, the
demo, the tests), judged from its issuer. A name that resolves differently between this check
and the connection (DNS rebinding) is not covered; an egress proxy or firewall is.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _refused(address: Address, allow_loopback: bool) -> str | None:
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_link_local:
        return "a link-local address (such as a cloud metadata service)"
    if address.is_private or address.is_reserved or address.is_unspecified \
            or address.is_multicast:
        return "a private or reserved address"
    return None


def literal_problem(url: str, allow_loopback: bool = True) -> str | None:
    """At registration: a URL whose host is an IP literal in a refused range."""
    host = urlsplit(url).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: checked when it is resolved, at delivery
    reason = _refused(address, allow_loopback)
    return f"must not point to {reason}" if reason else None


def delivery_problem(url: str, allow_loopback: bool) -> str | None:
    """At delivery: why the server will not POST to `url`, or None."""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname or "", parts.port or 443,
                                   type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None  # nothing to connect to: the POST itself fails and is retried later
    for info in infos:
        reason = _refused(ipaddress.ip_address(info[4][0]), allow_loopback)
        if reason:
            return f"its host resolves to {reason}"
    return None



MAX_FETCH_BYTES = 65536


def fetch_json(url: str, allow_loopback: bool, get=None) -> dict | None:
    """GET a small JSON document (a vendor's `jwks_uri`) with the same SSRF checks as the
    notices: never into a private range, no redirects followed, at most 64 KiB read, five
    seconds. None when refused or when anything goes wrong: the caller fails closed."""
    import requests  # only this fetch needs it here

    if urlsplit(url).scheme not in ("https", "http") or delivery_problem(url, allow_loopback):
        return None
    try:
        response = (get or requests.get)(url, timeout=5, allow_redirects=False, stream=True,
                                         headers={"Accept": "application/json"})
        if response.status_code != 200:
            return None
        body = response.raw.read(MAX_FETCH_BYTES + 1, decode_content=True)
        if len(body) > MAX_FETCH_BYTES:
            return None
        value = json.loads(body)
    except (requests.RequestException, ValueError, OSError):
        return None
    return value if isinstance(value, dict) else None
