"""Access tokens for the resource API (RFC 6750, RFC 9449): checked against the vault on every
call.

Errors follow RFC 6750 section 3: a request with no credentials (or another scheme than
Bearer) gets 401 and a bare `WWW-Authenticate: Bearer realm="custos"`, without an error code
(section 3.1: SHOULD NOT); an unknown, expired or revoked token (or one whose agreement ended)
gets 401 with `error="invalid_token"`; a token that does not carry what the endpoint needs
gets 403 with `insufficient_scope`.

DPoP (RFC 9449 section 7): a token bound to a key is accepted only with `Authorization: DPoP`
and a proof by that key for this very request (method, URI, `ath`); sent as Bearer it is
refused (section 7.2). The proof is checked before the route's work. Its `jti` is recorded
in its own transaction then too, except for routes marked `@records_proof` (the data reads):
those record it inside their own write transaction (`caller(tx)`), so a DPoP read commits
once, and the jti is committed exactly with the read's work and log entry. When that
transaction rolls back (a refusal), the jti is recorded on its own after the request
(`settle_proof`): every proof is recorded, whatever the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request

from vault import Tx, Vault
from vault.access import Access
from vault.clients import Client
from vault.grants import Grant
from vault.tokens import Token

from ..clock import now
from ..errors import CustosError
from ..oauth import proofs
from ..oauth.scopes import carried
from ..services import dpop, mandates
from ..store import get_vault


class InvalidToken(CustosError):
    status_code, error = 401, "invalid_token"
    description = "The access token is unknown, expired or revoked."


class NoCredentials(InvalidToken):
    """No Bearer token at all: the client may not know this needs one (RFC 6750 section 3.1)."""

    error = "missing_authorization"
    description = "Send the access token as 'Authorization: Bearer <token>'."


class InvalidDpopProof(InvalidToken):
    """RFC 9449 section 7.1: the DPoP proof is missing, invalid or by another key."""

    error = "invalid_dpop_proof"
    description = "The DPoP proof is not valid for this request."


class UseDpopNonce(InvalidDpopProof):
    """RFC 9449 section 9: retry with the nonce in the DPoP-Nonce header."""

    error = "use_dpop_nonce"
    description = "Send a DPoP proof with the nonce in the DPoP-Nonce header."


class InsufficientScope(CustosError):
    status_code, error = 403, "insufficient_scope"
    description = "The access token does not allow this."


@dataclass(frozen=True, kw_only=True)
class Caller:
    """Who is calling: the token, its client and, for person-bound tokens, the agreement as
    this token carries it (its categories, and the mandates the token still has)."""

    token: Token
    client: Client
    grant: Grant | None
    terms_version: int | None = None  # the person's newest terms, read with the token

    @property
    def person_id(self) -> str | None:
        return self.token.person_id

    def has_scope(self, scope: str) -> bool:
        return scope in self.token.scope.split()

    @property
    def actor(self) -> str:
        """The agent acting for the person, as the log, agreement and receipt name it."""
        return mandates.agent(self.client.client_id)


def split_authorization(header: str) -> tuple[str, str]:
    """(scheme lower-cased, credentials stripped) of an Authorization header's value."""
    scheme, _, value = header.partition(" ")
    return scheme.lower(), value.strip()


def credentials() -> tuple[str, str]:
    """(scheme, raw token) from `Authorization: Bearer` (RFC 6750 section 2.1) or
    `Authorization: DPoP` (RFC 9449 section 7.1); the scheme lower-cased."""
    scheme, value = split_authorization(request.headers.get("Authorization", ""))
    if scheme not in ("bearer", "dpop"):
        raise NoCredentials()
    if not value:
        raise InvalidToken("The access token is empty.")
    return scheme, value


def records_proof(view):
    """Mark a route that calls `caller(tx)` with its write transaction: the DPoP proof's jti
    is recorded there, not in a transaction (and a commit) of its own before the route."""
    view.records_proof = True
    return view


def check_proof() -> None:
    """Before a resource route: with the DPoP scheme, check the request's proof (RFC 9449
    section 4.3, with `ath`, step 12) and keep it for `caller`; record its jti now unless
    the route records it in its own transaction."""
    g.dpop, g.dpop_pending, g.dpop_in_tx = None, False, False
    if not request.headers.get("Authorization", "").lower().startswith("dpop "):
        return
    scheme, raw = credentials()
    view = current_app.view_functions.get(request.endpoint or "")
    later = getattr(view, "records_proof", False)
    try:
        g.dpop = proofs.check(access_token=raw, record=not later)
    except dpop.NonceRequired as refused:
        raise UseDpopNonce(refused.description) from None
    except dpop.DpopError as refused:
        raise InvalidDpopProof(refused.description) from None
    g.dpop_pending = later


def _record_proof(at) -> None:
    """Record the pending proof's jti in the write transaction open on this thread (or its
    own); a replay is refused."""
    g.dpop_pending = False
    try:
        dpop.record(get_vault(), g.dpop, at)
    except dpop.DpopError as refused:
        raise InvalidDpopProof(refused.description) from None


def _recorded() -> None:
    g.dpop_pending = False


def _record_in(t: Tx, at) -> None:
    """Record the pending proof's jti inside `t`: committed with the route's work, or rolled
    back with it (and then recorded by `settle_proof`)."""
    g.dpop_in_tx = True
    try:
        dpop.record(get_vault(), g.dpop, at)  # joins `t`, the thread's open transaction
    except dpop.DpopError as refused:
        g.dpop_pending = False  # it is recorded already: by its first use
        raise InvalidDpopProof(refused.description) from None
    t.after_commit.append(_recorded)


def settle_proof(_error: BaseException | None = None) -> None:
    """After a route that was to record its proof but rolled back (or never got there): the
    jti is recorded now, on its own, so the proof cannot be used again either."""
    if g.get("dpop_pending"):
        g.dpop_pending = False
        try:
            dpop.record(get_vault(), g.dpop, now())
        except dpop.DpopError:
            pass  # another request used it meanwhile; this answer was a refusal anyway


def _bound(token: Token, scheme: str, proof) -> None:
    """RFC 9449 sections 7.1 and 7.2: a bound token only with DPoP and a proof by its key."""
    if token.jkt is None:
        if scheme == "dpop":
            raise InvalidToken("This access token is not bound to a DPoP key; send it as "
                               "Bearer.")
        return
    if scheme != "dpop":  # section 7.2: MUST NOT be accepted as a bearer token
        raise InvalidToken("This access token is bound to a DPoP key; send it with "
                           "'Authorization: DPoP' and a proof.")
    if proof is None or proof.jkt != token.jkt:  # section 4.3 step 12
        raise InvalidDpopProof("The DPoP proof is not signed by the key this token is bound "
                               "to.")


def vet_token(access: Access | None, scheme: str, at, proof) -> Token:
    """A live access token, presented the way it must be (`proof`: the request's checked
    DPoP proof, or None); else InvalidToken. Shared by `caller` and the fast read."""
    if access is None:
        raise InvalidToken()
    token = access.token
    if token.kind != "access" or not token.active(at):
        raise InvalidToken()
    _bound(token, scheme, proof)
    return token


def vet_agreement(access: Access, at) -> Caller:
    """The caller behind a vetted token: its client still enabled, its agreement still
    live and narrowed to what this token carries."""
    token, client, grant = access.token, access.client, access.grant
    if client is None:
        raise InvalidToken()
    if token.grant_id and (grant is None or not grant.live(at)):
        raise InvalidToken("The agreement behind this token has ended.")
    if grant is not None:
        grant = carried(grant, token.scope)  # a refresh may have narrowed this token
    return Caller(token=token, client=client, grant=grant, terms_version=access.terms_version)


def bearer_caller(vault: Vault, tx: Tx, raw: str, at) -> Caller:
    """The caller behind a Bearer token, checked in `tx` without Flask (the fast read)."""
    # token, client, agreement: one lookup, and the fields this token read last time with it
    access = vault.agreements.access(tx, raw, vault.send_fields_ahead)
    vet_token(access, "bearer", at, None)
    return vet_agreement(access, at)


def caller(tx: Tx | None = None, *, scope: str | None = None,
           mandate: str | None = None) -> Caller:
    """Check the bearer token (inside `tx` when given, so the check and the work are atomic);
    with `mandate`, the token must carry that mandate of an agreement made for an agent."""
    vault = get_vault()
    at = now()
    agreements = vault.agreements
    if g.get("dpop_pending") and (tx is None or not tx.writable):
        _record_proof(at)  # no write transaction to join: its own, before the work

    def check(t: Tx) -> Caller:
        scheme, raw = credentials()
        access = agreements.access(t, raw)  # token, client, agreement: one lookup
        vet_token(access, scheme, at, g.get("dpop"))
        if g.get("dpop_pending") and not g.get("dpop_in_tx"):
            _record_in(t, at)
        found = vet_agreement(access, at)
        if mandate and mandate not in mandates.of(found.grant):
            raise InsufficientScope(f"This needs the person's mandate "
                                    f"'{mandates.scope(mandate)}'.")
        if scope and not found.has_scope(scope):
            raise InsufficientScope(f"This needs the '{scope}' scope.")
        return found

    if tx is not None:
        return check(tx)
    with vault.transaction("read") as t:
        return check(t)


ALGS = " ".join(dpop.ALGORITHMS)


def www_authenticate(response, error: CustosError):
    """Add the RFC 6750 section 3 challenge to a 401 or 403 from this module, as a DPoP
    challenge (RFC 9449 section 7.1) when the request used DPoP; a request without credentials
    learns both schemes."""
    dpop_used = request.headers.get("Authorization", "").lower().startswith("dpop ")
    if isinstance(error, NoCredentials):
        response.headers["WWW-Authenticate"] = f'Bearer realm="custos", DPoP algs="{ALGS}"'
    elif isinstance(error, InvalidToken | InsufficientScope):
        scheme = f'DPoP algs="{ALGS}", ' if dpop_used or isinstance(error, InvalidDpopProof) \
            else 'Bearer realm="custos", '
        response.headers["WWW-Authenticate"] = (
            f'{scheme}error="{error.error}", error_description="{error.description}"')
    if isinstance(error, UseDpopNonce):  # section 9: the nonce to use
        response.headers[proofs.NONCE_HEADER] = proofs.current_nonce()
    return response


def offer_nonce(response):
    """Every answer to a DPoP request carries a fresh nonce (RFC 9449 section 9)."""
    if request.headers.get("Authorization", "").lower().startswith("dpop "):
        response.headers[proofs.NONCE_HEADER] = proofs.current_nonce()
    return response
