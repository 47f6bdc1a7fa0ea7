"""`custos jobs run-once`: expire due agreements, deliver due notices and send due email, then
stop (cron)."""

from __future__ import annotations

import os

import click

from ..config import from_env


@click.group()
def jobs() -> None:
    """Periodic work that `custos serve` also does in the background."""


@jobs.command("run-once")
@click.option("--issuer", default=None,
              help="Public base URL, the `iss` of notices (default: $CUSTOS_ISSUER).")
def run_once(issuer: str | None) -> None:
    """End agreements past their expiry, send due notices and email, print the counts."""
    from .. import create_app
    from ..jobs import run_jobs_once

    settings = from_env({**os.environ, "CUSTOS_ISSUER": issuer} if issuer else None)
    if not settings.issuer:
        raise click.UsageError("say the public URL: --issuer https://custos.example")
    app = create_app(settings)
    try:
        counts = run_jobs_once(app)
    finally:
        app.extensions["custos.vault"].close()
    click.echo(f"{counts['expired']} agreements expired, {counts['delivered']} notices "
               f"delivered, {counts['failed']} failed; {counts['overdue_told']} told of overdue "
               f"vendor answers; {counts['mailed']} emails sent "
               f"({counts['digests']} daily summaries), {counts['mail_failed']} failed.")
