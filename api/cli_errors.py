"""What every `custos` command shares: one clear line instead of a traceback, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

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


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A `progress(done, total)` callback that draws a click progress bar once work starts."""
    bar: click.progressbar | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
