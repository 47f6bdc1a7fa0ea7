"""`custos jobs run-once`: expire due agreements and deliver due notices, then stop (cron)."""

from __future__ import annotations

import click

from .config import from_env


@click.group()
def jobs() -> None:
    """Periodic work that `custos serve` also does in the background."""


@jobs.command("run-once")
@click.option("--issuer", envvar="CUSTOS_ISSUER", default=None,
              help="Public base URL, the `iss` of notices (default: $CUSTOS_ISSUER).")
def run_once(issuer: str | None) -> None:
    """End agreements past their expiry, send due notices, print the counts."""
    from . import create_app
    from .jobs import run_jobs_once

    app = create_app(from_env())
    if issuer:
        app.config["CUSTOS_ISSUER"] = issuer.rstrip("/")
    try:
        if not app.config.get("CUSTOS_ISSUER"):
            raise click.UsageError("say the public URL: --issuer https://custos.example")
        counts = run_jobs_once(app)
    finally:
        app.extensions["custos.vault"].close()
    click.echo(f"{counts['expired']} agreements expired, {counts['delivered']} notices "
               f"delivered, {counts['failed']} failed.")
