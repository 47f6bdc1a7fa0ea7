"""One clear line instead of a traceback, for every `custos` command group."""

from __future__ import annotations

import click

from vault.errors import VaultError

from .config import ConfigError


class ClearErrors(click.Group):
    """Configuration and vault errors become `Error: <one line>` and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (ConfigError, VaultError) as exc:
            raise click.ClickException(str(exc)) from None
