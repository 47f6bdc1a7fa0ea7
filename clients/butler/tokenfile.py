"""The butler's credentials on disk: one JSON file, readable and writable by its owner only.

The file holds the issuer, the butler's client id, the current token pair and the private DPoP
key the tokens are bound to (RFC 9449: without the key the tokens are useless). It is written
to a temporary file created with mode 0600 and renamed over the old one, so a crash never
leaves half a file, and rotated refresh tokens are saved before they are needed again.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from clients.sdk.dpop import DPoPKey
from clients.sdk.oauth import Tokens

MODE = 0o600


class TokenFileError(Exception):
    """The token file is missing, unreadable, or open to other users."""


@dataclass(frozen=True, kw_only=True)
class Credentials:
    """What the butler needs to act for the person after a restart."""

    issuer: str
    client_id: str
    tokens: Tokens
    dpop: DPoPKey | None = None

    def to_dict(self) -> dict:
        return {"issuer": self.issuer, "client_id": self.client_id,
                "tokens": self.tokens.to_dict(),
                **({"dpop_key": self.dpop.to_dict()} if self.dpop else {})}


class TokenFile:
    """Load and save `Credentials` at `path` with mode 0600."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> Credentials:
        """Read the file; refuse it if group or others may read or write it."""
        try:
            mode = stat.S_IMODE(self.path.stat().st_mode)
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            raise TokenFileError(f"no butler tokens at {self.path}; run "
                                 "`custos butler authorize` first") from None
        except (OSError, ValueError) as exc:
            raise TokenFileError(f"cannot read {self.path}: {exc}") from None
        if mode & 0o077:
            raise TokenFileError(f"{self.path} is readable by others (mode {mode:o}); "
                                 f"run: chmod 600 {self.path}")
        try:
            key = DPoPKey.from_dict(data["dpop_key"]) if data.get("dpop_key") else None
            return Credentials(issuer=data["issuer"], client_id=data["client_id"],
                               tokens=Tokens.from_dict(data["tokens"]), dpop=key)
        except (KeyError, TypeError, ValueError) as exc:
            raise TokenFileError(f"{self.path} is not a butler token file ({exc})") from None

    def save(self, credentials: Credentials) -> None:
        """Write atomically: a 0600 temporary file next to the target, then rename."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, MODE)
        try:
            with os.fdopen(fd, "w") as out:
                json.dump(credentials.to_dict(), out, indent=2)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, MODE)  # the umask cannot widen it, but an existing file might differ
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def sink(self, issuer: str, client_id: str, dpop: DPoPKey | None = None):
        """A callback for TokenSession: save every rotated token pair at once."""
        return lambda tokens: self.save(Credentials(issuer=issuer, client_id=client_id,
                                                    tokens=tokens, dpop=dpop))
