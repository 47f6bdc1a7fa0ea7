"""The vault's errors: a small hierarchy that carries data, so callers map them without parsing."""

from __future__ import annotations


class VaultError(Exception):
    """Base of every error the vault raises on purpose, so `api/` can catch one class."""

    code = "vault_error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__doc__ or self.code)
        self.message = message or (self.__doc__ or self.code)


class NotFound(VaultError):
    """The person, field, intent or session does not exist (or was deleted)."""

    code = "not_found"

    def __init__(self, what: str = "record", ident: str = "") -> None:
        super().__init__(f"{what} not found" + (f": {ident}" if ident else ""))
        self.what = what
        self.ident = ident


class Shredded(NotFound):
    """The person's data key was destroyed; their rows can never be read again."""

    code = "shredded"

    def __init__(self, person_id: str) -> None:
        super().__init__("person (data key destroyed)", person_id)


class EmailTaken(VaultError):
    """Another person already signed up with this email address."""

    code = "email_taken"


class KeyRingError(VaultError):
    """The master key file is missing, malformed, too readable, or lacks a needed version."""

    code = "key_ring_error"


class WrongMasterKey(KeyRingError):
    """The master key ring does not match the key check values kept in the store."""

    code = "wrong_master_key"


class RotationInProgress(KeyRingError):
    """A master key version cannot be retired while rows are still wrapped with it."""

    code = "rotation_in_progress"


class ReadOnlyTransaction(VaultError):
    """A write was asked for inside a read transaction: open the write transaction first."""

    code = "read_only_transaction"


class CryptoError(VaultError):
    """Sealed data could not be opened. Deliberately says nothing about why (fail closed)."""

    code = "crypto_error"

    def __init__(self) -> None:
        super().__init__("sealed data could not be opened")


__all__ = [
    "CryptoError",
    "EmailTaken",
    "KeyRingError",
    "NotFound",
    "ReadOnlyTransaction",
    "RotationInProgress",
    "Shredded",
    "VaultError",
    "WrongMasterKey",
]
