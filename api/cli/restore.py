"""`custos restore`: a `custos backup` back into an empty CUSTOS_HOME, verified before use."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from vault.errors import VaultError

from ..config import from_env

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command()
@click.argument("backup_file", metavar="BACKUP", type=FILE)
@click.option("--keys", "keys", required=True, type=FILE,
              help="The key store copy (custos backup --keys), as new as the backup or newer.")
@click.option("--master-key", "master_key", type=FILE,
              help="The master key ring to use (copied into CUSTOS_HOME, mode 0600); not "
                   "needed when the ring is already at CUSTOS_HOME/master.key or "
                   "CUSTOS_MASTER_KEY_FILE.")
def restore(backup_file: Path, keys: Path, master_key: Path | None) -> None:
    """Restore BACKUP into an empty CUSTOS_HOME, then verify every key, log and value."""
    from vault.restore import restore as run_restore

    settings = from_env()
    if settings.database_url:
        raise VaultError("restore writes the embedded SQLite store: unset CUSTOS_DATABASE_URL, "
                         "restore, then move it with custos store copy")
    report = run_restore(backup_file, keys, settings.home, datetime.now(UTC),
                         master_key=master_key)
    click.echo(f"Restored {backup_file} into {report.home}.")
    click.echo(f"Checked: database integrity {' and '.join(report.integrity)} (data, keys); "
               f"master key matches (key check values, versions "
               f"{', '.join(map(str, report.master_versions))}); {report.persons} data key(s) "
               f"open; {report.logs} audit log(s) intact; {report.values} sealed value(s) "
               "open; the sign-in lookup finds every person.")
    if report.removed:
        click.echo(f"{len(report.removed)} person(s) had no key in {keys}: deleted after this "
                   "backup (their data was crypto-shredded) or created after the key-store "
                   "copy. Their unreadable rows were removed. If you have a newer key store, "
                   "restore again into a new, empty folder with it.")
    click.echo("Next: custos serve")
