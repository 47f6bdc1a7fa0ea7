"""Scope values: which ones the server lists, what a code or token stores, what it carries.

The data part of a scope (`data:<category>`) names the person's data, so it never sits in
plaintext beside a person's id: a code or token stores only `vendor`, the agent mandates it
asks for (`mandate:<name>`, api/services/mandates.py) and, when a
refresh narrowed it (RFC 6749 section 6), the positions of its categories in the sealed
agreement (`subset:0,2`). Everything else is derived from the agreement each time, so the
token response, its `authorization_details` (RFC 9396), introspection and the data read all
see the same scope.
"""

from __future__ import annotations

from dataclasses import replace

from policies import vocab
from vault.grants import Grant

from ..services import mandates
from ..services.details import VENDOR_SCOPE, DataAccess

SUBSET = "subset:"


def supported_scopes() -> list[str]:
    """Every scope value `details.from_scope` accepts that can be listed (RFC 8414 section 2:
    `scopes_supported`); `retention:<days>` and `duration:<days>` are ranges and go unlisted,
    as the RFC allows (docs/oauth.md documents them)."""
    return [VENDOR_SCOPE, *mandates.all_scopes(), "sharing:none", "sharing:third_party",
            *(f"data:{c.id}" for c in vocab.categories()),
            *(f"purpose:{p.id}" for p in vocab.purposes())]


def stored_scope(scope: str | None, grant: Grant | None = None) -> str:
    """What is stored with a code or token. With `grant`, `scope` is the scope as issued (a
    subset of the agreement's): categories it leaves out are recorded by position."""
    items = (scope or "").split()
    kept = [s for s in items if s == VENDOR_SCOPE or s.startswith(mandates.PREFIX)]
    if grant is not None and grant.categories:
        named = {s.removeprefix("data:") for s in items if s.startswith("data:")}
        positions = [str(i) for i, c in enumerate(grant.categories) if c in named]
        if len(positions) < len(grant.categories):
            kept.append(SUBSET + ",".join(positions))
    return " ".join(kept)


def carried(grant: Grant, stored: str) -> Grant:
    """The agreement as one token carries it: only its categories, and only the mandates both
    the agreement granted and the token still has (a refresh may drop some)."""
    items = stored.split()
    subset = next((s.removeprefix(SUBSET) for s in items if s.startswith(SUBSET)), None)
    if subset is None and not grant.extra.get("mandates"):
        return grant  # all of it, and no mandate to drop (a vendor's read: no copy made)
    categories = grant.categories
    if subset is not None:
        picked = {int(i) for i in subset.split(",") if i.isdigit()}
        categories = tuple(c for i, c in enumerate(grant.categories) if i in picked)
    kept = [m for m in mandates.of(grant) if mandates.scope(m) in items]
    return replace(grant, categories=categories, extra={**grant.extra, "mandates": kept})


def granted_scope(grant: Grant | None, stored: str = "") -> str:
    """The scope as granted (RFC 6749 section 3.3: it MUST be returned when it differs from
    the request, as after "approve narrowed"), written in the scope form `from_scope` reads.
    Purpose, retention and sharing are the agreement's conditions: they stay with any subset."""
    parts = [s for s in stored.split() if not s.startswith((SUBSET, mandates.PREFIX))]
    if grant is not None:
        grant = carried(grant, stored)
        parts += [mandates.scope(m) for m in mandates.of(grant)]  # as granted, not as asked
    if grant is not None and grant.categories:
        parts += [f"data:{c}" for c in grant.categories]
        parts.append(f"purpose:{grant.purpose}")
        if grant.retention_days is not None:
            parts.append(f"retention:{grant.retention_days}")
        if grant.third_party_sharing:  # `sharing:none` is the default and goes unsaid
            parts.append("sharing:third_party")
    return " ".join(dict.fromkeys(parts))


def granted_details(grant: Grant) -> list[dict]:
    """RFC 9396 `authorization_details` as granted (section 7, with tokens; section 9.2, in
    introspection), for the agreement as a token carries it."""
    if not grant.categories:
        return []
    detail = DataAccess(purpose=grant.purpose, categories=grant.categories,
                        retention_days=grant.retention_days,
                        third_party_sharing=grant.third_party_sharing,
                        recipients=grant.recipients).as_detail()
    detail["expires_at"] = grant.expires_at.isoformat()
    return [detail]
