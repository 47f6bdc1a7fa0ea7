"""Who the vendors are, as the pages and the API show them: names and registered records.

Registering one is the OAuth door's (api/oauth/registration.py); disabling one ends its
agreements (agreements.disable_vendor).
"""

from __future__ import annotations

from vault import Vault
from vault.clients import Client


def vendor_names(vault: Vault) -> dict[str, str]:
    """Every vendor's client id and name."""
    return vault.agreements.clients.names()


def find_vendor(vault: Vault, client_id: str) -> Client | None:
    """A vendor by client id, or None (an unknown or deleted one)."""
    return vault.agreements.clients.find(client_id)
