"""What each offering vendor accepts, read from its public document, once per pass.

Issue 12: a vendor publishes the standard agreements it accepts
(`GET /api/v1/vendors/{client_id}/accepts`, docs/agreements.md). The butler filters out an
offer from a vendor whose published list leaves out a standard agreement the person adopted.

A vendor that published nothing is *not* filtered on this ground: the terms say so
(docs/agreements.md, `api/services/acceptance.not_accepted`): with no published list the vendor
may still accept each agreement by signing it when an agreement is made, and the server refuses
nothing on that ground either. The butler holds the same line as the server.
"""

from __future__ import annotations

from policies.agreements import canonical
from policies.codes import OFFER_AGREEMENTS_NOT_ACCEPTED

#: the reason's sentence (the Offers page says it in the person's language: api/web/pages.py)
NOT_ACCEPTED = "{vendor} does not accept your standard agreements: {agreements}"


class Published:
    """The vendors' public documents, each fetched at most once (one cache per pass)."""

    def __init__(self, fetch) -> None:
        self.fetch = fetch
        self.documents: dict[str, dict] = {}

    def document(self, client_id: str) -> dict:
        """The vendor's document; a `CustosError` if it cannot be read (not cached)."""
        if client_id not in self.documents:
            self.documents[client_id] = self.fetch(client_id)
        return self.documents[client_id]


def missing(adopted: list[str], document: dict) -> list[str]:
    """The adopted agreements a vendor's published list leaves out; none when it published no
    list (see the module's docstring)."""
    accepts = document.get("accepts")
    if not document.get("published", accepts is not None) or accepts is None:
        return []
    known = canonical(accepts)
    return [a for a in canonical(adopted) if a not in known]


def reason(vendor: str, left_out: list[str]) -> dict:
    """The filter reason, in plain words like the offer filter's."""
    return {"code": OFFER_AGREEMENTS_NOT_ACCEPTED,
            "text": NOT_ACCEPTED.format(vendor=vendor, agreements=", ".join(left_out))}
