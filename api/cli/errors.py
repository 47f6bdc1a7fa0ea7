"""What every `custos` command shares: one clear line instead of a traceback, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from vault.errors import VaultError

from ..config import ConfigError


class Problems(click.ClickException):
    """Shown as one `Error:` line per problem, exit status 1."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines

    def show(self, file=None) -> None:
        for line in self.lines:
            click.echo(f"Error: {line}", file=file, err=True)


class ClearErrors(click.Group):
    """Configuration and vault errors become `Error: <one line>` each, and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise Problems(*exc.problems) from None
        except VaultError as exc:
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
