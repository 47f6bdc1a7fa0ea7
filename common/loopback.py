"""Whether a URL's host is this machine's loopback interface, decided without DNS.

RFC 8252 section 7.3 lets native apps (the butler) use http redirect URIs on a loopback IP
literal; section 8.3 calls "localhost" NOT RECOMMENDED, but it is accepted as loopback here as
before. Names are never resolved: what a name resolves to can change between the check and
the use. One function, for the server's checks (redirect URIs, its own issuer) and the clients.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit


def is_loopback_host(host: str | None) -> bool:
    """`localhost`, `127.0.0.0/8` or `::1` (brackets allowed), and nothing else."""
    host = (host or "").strip().lower().removeprefix("[").removesuffix("]")
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """Whether the URL's host is loopback (see `is_loopback_host`)."""
    return is_loopback_host(urlsplit(url).hostname)
