"""`custos vendors`: the operator registers vendors, verifies what they claim, and disables them.

Vendors may also register themselves (RFC 7591, `/oauth/register`); either way their
certifications are self-asserted until the operator verifies them here, and persons' terms can
require verified ones (`vendor.verified_certifications`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from marshmallow import ValidationError

from vault.errors import NotFound

from ..config import from_env
from ..services.vendors import all_vendors, vendor_record, verify_certifications
from .errors import ClearErrors


@click.group(cls=ClearErrors)
def vendors() -> None:
    """Vendors (OAuth clients): register, list, verify their attributes, disable."""


def _open():
    from vault import Vault

    settings = from_env()
    return Vault.open(settings.home, settings.database_url,
                      master_key_file=settings.master_key_file)


@vendors.command("add")
@click.option("--name", required=True, help="The vendor's name, as persons will see it.")
@click.option("--redirect-uri", "redirect_uris", multiple=True, required=True,
              help="An exact redirect URI (https; http only on loopback). Repeatable.")
@click.option("--jurisdiction", help="Where the vendor is established, such as DE or EU.")
@click.option("--certification", "claimed", multiple=True, help="A claimed certification.")
@click.option("--verified", multiple=True, help="A certification the operator has checked.")
@click.option("--notify", "notification_uri", help="URL for signed agreement-ended notices.")
@click.option("--contact", "contacts", multiple=True, help="A privacy contact email.")
@click.option("--public", is_flag=True, help="A public client (no secret; PKCE only).")
@click.option("--accepts", multiple=True,
              help="A standard agreement the vendor accepts, such as SD-BASE (repeatable).")
@click.option("--jwks-uri", help="Where the vendor publishes the public keys it signs with.")
def add(name: str, redirect_uris: tuple[str, ...], jurisdiction: str | None,
        claimed: tuple[str, ...], verified: tuple[str, ...], notification_uri: str | None,
        contacts: tuple[str, ...], public: bool, accepts: tuple[str, ...],
        jwks_uri: str | None) -> None:
    """Register a vendor; prints its client id and, once, its secret."""
    from ..oauth.registration import add_vendor

    raw = {"client_name": name, "redirect_uris": list(redirect_uris),
           "token_endpoint_auth_method": "none" if public else "client_secret_basic",
           "grant_types": ["authorization_code", "refresh_token"]
           + ([] if public else ["client_credentials"]),
           "custos_certifications": sorted(set(claimed) | set(verified)),
           "contacts": list(contacts)}
    if jurisdiction:
        raw["custos_jurisdiction"] = jurisdiction
    if notification_uri:
        raw["custos_notification_uri"] = notification_uri
    if accepts:
        raw["custos_accepts_agreements"] = list(accepts)
    if jwks_uri:
        raw["jwks_uri"] = jwks_uri
    vault = _open()
    try:
        reply = add_vendor(vault, raw, datetime.now(UTC),
                           verified_certifications=sorted(set(verified)) or None)
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(map(str, v))}"
                             for k, v in exc.normalized_messages().items())
        raise click.ClickException(f"the vendor was not registered: {problems}") from None
    finally:
        vault.close()
    click.echo(f"client_id      {reply['client_id']}")
    if "client_secret" in reply:
        click.echo(f"client_secret  {reply['client_secret']}")
        click.echo("Give the secret to the vendor now: Custos keeps only its hash.")


@vendors.command("list")
def list_vendors() -> None:
    """Every vendor: id, name, jurisdiction, certifications (verified ones marked)."""
    vault = _open()
    try:
        clients = all_vendors(vault)
    finally:
        vault.close()
    for client in clients:
        meta = client.metadata
        checked = set(meta.get("custos_verified_certifications", []))
        certs = ", ".join(c + (" (verified)" if c in checked else "")
                          for c in meta.get("custos_certifications", [])) or "-"
        state = "disabled" if client.disabled else "active"
        click.echo(f"{client.client_id}  {meta.get('client_name')}  "
                   f"{meta.get('custos_jurisdiction') or '-'}  {certs}  {state}")
    if not clients:
        click.echo("No vendors yet.")


@vendors.command("verify")
@click.argument("client_id")
@click.argument("certifications", nargs=-1, required=True)
def verify(client_id: str, certifications: tuple[str, ...]) -> None:
    """Mark certifications as checked by the operator (they count as claimed too)."""
    vault = _open()
    try:
        try:
            checked = verify_certifications(vault, client_id, list(certifications))
        except NotFound:
            raise click.ClickException(f"there is no vendor {client_id}") from None
    finally:
        vault.close()
    click.echo(f"{client_id}: verified {', '.join(checked)}")


@vendors.command("disable")
@click.argument("client_id")
@click.option("--issuer", envvar="CUSTOS_ISSUER", default=None,
              help="Public base URL, the `iss` of the notices (default: $CUSTOS_ISSUER).")
def disable(client_id: str, issuer: str | None) -> None:
    """Stop a vendor at once: it can no longer authenticate, and its agreements end (each person
    sees it in their log and connections; the vendor gets the signed notice of each)."""
    from ..services.agreements import disable_vendor

    if not issuer:
        raise click.UsageError("say the public URL, the notices' issuer: "
                               "--issuer https://custos.example")
    ack_days = from_env().duty_ack_days
    vault = _open()
    try:
        try:
            vendor_record(vault, client_id)
        except NotFound:
            raise click.ClickException(f"there is no vendor {client_id}") from None
        ended = disable_vendor(vault, client_id, now=datetime.now(UTC),
                               issuer=issuer.rstrip("/"), ack_days=ack_days)
    finally:
        vault.close()
    click.echo(f"{client_id} is disabled; {len(ended)} agreement(s) ended, its tokens no longer "
               f"work, and it is told to delete what it holds.")
