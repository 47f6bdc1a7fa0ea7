"""Who the vendors are: names and registered records, and what the operator verified.

Registering one is the OAuth door's (api/oauth/registration.py); disabling one ends its
agreements (agreements.disable_vendor).
"""

from __future__ import annotations

from policies.agreements import canonical
from vault import Vault
from vault.clients import Client


def vendor_names(vault: Vault) -> dict[str, str]:
    """Every vendor's client id and name."""
    return vault.agreements.clients.names()


def find_vendor(vault: Vault, client_id: str) -> Client | None:
    """A vendor that may act now, by client id; None when unknown or disabled."""
    return vault.agreements.clients.find(client_id)


def vendor_record(vault: Vault, client_id: str) -> Client:
    """A vendor's record even if disabled; NotFound (vault.errors) if it never existed."""
    return vault.agreements.clients.get(client_id)


def all_vendors(vault: Vault) -> list[Client]:
    """Every registered vendor, disabled ones too (for the operator)."""
    return vault.agreements.clients.all()


def verify_certifications(vault: Vault, client_id: str, certifications: list[str]) -> list[str]:
    """Mark certifications as checked by the operator (they count as claimed too); every
    verified one afterwards. NotFound (vault.errors) for an unknown vendor."""
    meta = dict(vault.agreements.clients.get(client_id).metadata)
    checked = sorted(set(meta.get("custos_verified_certifications", [])) | set(certifications))
    meta["custos_verified_certifications"] = checked
    meta["custos_certifications"] = sorted(set(meta.get("custos_certifications", []))
                                           | set(certifications))
    vault.agreements.clients.update_metadata(client_id, meta)
    return checked


def publish_accepts(vault: Vault, client: Client, given: list[str]) -> dict:
    """The vendor states which roster agreements it accepts (canonical stable ids); its
    metadata afterwards."""
    metadata = {**client.metadata, "custos_accepts_agreements": canonical(given)}
    vault.agreements.clients.update_metadata(client.client_id, metadata)
    return metadata
