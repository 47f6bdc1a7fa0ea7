"""The `custos` command (click): the root group and its core commands in `custos.py`, one
module per command group beside it (docs/cli.md)."""

from .custos import main

__all__ = ["main"]
