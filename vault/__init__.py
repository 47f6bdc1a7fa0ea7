"""Custos vault: the encrypted per-person store (keys, crypto, storage, audit log).

Imports only the standard library, cryptography, sqlite-utils and psycopg; never Flask.
"""

from .audit import ChainProblem
from .core import Vault
from .db import Tx
from .errors import (
    CryptoError,
    EmailTaken,
    KeyRingError,
    NotFound,
    ReadOnlyTransaction,
    RotationInProgress,
    Shredded,
    VaultError,
    WrongMasterKey,
)
from .fields import Field
from .intents import Intent
from .persons import Person
from .rotation import RotationReport

__all__ = [
    "ChainProblem",
    "CryptoError",
    "EmailTaken",
    "Field",
    "Intent",
    "KeyRingError",
    "NotFound",
    "Person",
    "ReadOnlyTransaction",
    "RotationInProgress",
    "RotationReport",
    "Shredded",
    "Tx",
    "Vault",
    "VaultError",
    "WrongMasterKey",
]
