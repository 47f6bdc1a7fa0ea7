"""`custos store`: what the store holds, and the move from SQLite to PostgreSQL (and back).

`copy` reads the store named by CUSTOS_HOME / CUSTOS_DATABASE_URL and writes every table, as
stored, into an empty target; nothing is decrypted and the master key file is not touched.
"""

from __future__ import annotations

from pathlib import Path

import click

from vault.copy import sqlite_folder

from ..config import from_env
from .errors import ClearErrors, progress_bar


@click.group(cls=ClearErrors)
def store() -> None:
    """The data store: what it holds, and moving it to PostgreSQL (or back to SQLite)."""


def _open():
    from vault import Vault

    settings = from_env()
    return settings, Vault.open(settings.home, settings.database_url)


@store.command("copy")
@click.option(
    "--to",
    "url",
    required=True,
    metavar="URL",
    help="An empty target: postgresql://user@host:port/db, or sqlite:////folder to go back.",
)
def copy(url: str) -> None:
    """Copy every table (data and key store) into an empty store, then check the copy."""
    settings, vault = _open()
    click.echo(f"Copying from {vault.describe()}.")
    click.echo("Every Custos process must be stopped: writes made during the copy are not in it.")
    try:
        with progress_bar("Copying rows") as progress:
            report = vault.copy_to(url, progress=progress)
    finally:
        vault.close()
    width = max(len(name) for name in report.rows)
    for name, rows in report.rows.items():
        click.echo(f"  {name:<{width}}  {rows:>8}")
    click.echo(
        f"Copied {report.total} rows in {len(report.rows)} tables to {report.target} in "
        f"{report.seconds:.1f} s. Checked: row counts match, {report.persons} audit log(s) "
        f"verify, {report.sampled} person(s) read back identically."
    )
    click.echo(_next_step(url, report.target, settings.home))


def _next_step(url: str, shown: str, home: Path) -> str:
    """What the operator does next: point Custos at the copy and restart."""
    if url.startswith("sqlite"):
        folder = sqlite_folder(url).resolve()
        key = "" if (folder / "master.key").exists() else (
            f" Copy {home / 'master.key'} into {folder} (mode 0600) first;"
        )
        return (
            f"Next:{key} unset CUSTOS_DATABASE_URL, set CUSTOS_HOME={folder} and restart Custos."
        )
    return (
        f"Next: set CUSTOS_DATABASE_URL={shown} (keep CUSTOS_HOME={home}: master.key stays "
        "there) and restart Custos."
    )


@store.command("info")
def info() -> None:
    """The backend, each table with its row count, and the master key versions in use."""
    _, vault = _open()
    try:
        found = vault.store_info()
    finally:
        vault.close()
    click.echo(f"Backend: {found.backend}")
    click.echo(f"Migrations: {', '.join(found.migrations)}")
    width = max(len(name) for name in found.rows)
    click.echo("Tables:")
    for name, rows in found.rows.items():
        where = "  (key store)" if name.startswith("keystore_") else ""
        click.echo(f"  {name:<{width}}  {rows:>8}{where}")
    used = ", ".join(f"{v} ({n} keys)" for v, n in found.key_versions.items())
    click.echo(f"Master key: version {found.master_key} active; versions: {used}")
