"""The `custos` command: initialise, serve, rotate keys, verify the log, back up."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
from dataclasses import replace
from pathlib import Path

import click

from common.loopback import is_loopback_host

from ..config import ConfigError, Settings, from_env
from .errors import ClearErrors, progress_bar


@click.group(cls=ClearErrors)
@click.version_option(package_name="custos")
def cli() -> None:
    """Custos, a personal data vault: your data, your intents, your terms."""


def _is_loopback(host: str) -> bool:
    """Every address the host name stands for is a loopback one (IPv4 and IPv6)."""
    if is_loopback_host(host):
        return True
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)
    except (OSError, ValueError, UnicodeError):
        return False


def _serving_issuer(settings: Settings, host: str, port: int, proxy: str | None) -> str:
    """The issuer to serve under, fixed at start: CUSTOS_ISSUER, or the loopback address itself.

    Never learned from a request: it decides whether notices may go to loopback (SSRF).
    """
    if settings.issuer:
        return settings.issuer
    if proxy:
        raise ConfigError("CUSTOS_ISSUER must be set behind --trusted-proxy: the public URL, "
                          "such as https://custos.example")
    if not _is_loopback(host):
        raise ConfigError(f"CUSTOS_ISSUER must be set to serve on {host}, which is not a "
                          f"loopback address: the public URL, such as https://custos.example")
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _open_vault(settings):
    from vault import Vault

    fresh = not (settings.home / "master.key").exists() and settings.database_url is None
    vault = Vault.open(settings.home, settings.database_url,
                       master_key_file=settings.master_key_file)
    if fresh:
        click.echo(f"Created a new vault in {settings.home} (database custos.db, "
                   f"master key master.key, mode 0600). Back up master.key separately.")
    return vault


@cli.command()
def init() -> None:
    """Create the data folder, the database and the master key, then stop."""
    settings = from_env()
    _open_vault(settings).close()
    click.echo(f"Custos is ready in {settings.home}.")


#: How often (seconds) a running thread must give up Python's interpreter lock to one waiting
#: for it. SQLite's writers of one commit hand the connection on in turn (vault/db/sqlite.py);
#: each handoff waits for the lock, which waitress's loop, busy parsing the next requests,
#: gives up only at this interval: 5 ms by default. With 64 connections that made reads wait
#: in line (611-750 reads a second against 1,950 with 8); at 1 ms, 1,450-1,560
#: (docs/benchmarks.md).
SWITCH_INTERVAL = 0.001

#: waitress's threads. More let more reads share one commit while it waits for the disk (with
#: each fsync 3 ms slower, 8 threads served 1.1-1.4x the SQLite reads of 4); with a fast disk
#: on 2 cores, 4 and 8 were the same within the noise (docs/deployment.md, "Threads").
THREADS = 8


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=THREADS, show_default=True, type=click.IntRange(1, 256),
              help="Worker threads (docs/deployment.md, \"Threads\").")
@click.option("--trusted-proxy", metavar="ADDRESS", default=None,
              help="Address of a TLS-terminating reverse proxy whose X-Forwarded-Proto, "
                   "-Host and -For headers are believed (see docs/deployment.md).")
def serve(host: str, port: int, threads: int, trusted_proxy: str | None) -> None:
    """Run Custos with a production WSGI server (waitress)."""
    import waitress

    from .. import create_app

    settings = from_env(loopback=_is_loopback(host) and not trusted_proxy)
    settings = replace(settings, issuer=_serving_issuer(settings, host, port, trusted_proxy))
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(message)s")
    _open_vault(settings).close()
    app = create_app(settings)
    from ..jobs import start as start_jobs

    start_jobs(app)  # expiry of agreements and the vendors' notices, in the background
    click.echo(f"Custos is serving on http://{host}:{port}/ (press Ctrl+C to stop)")
    sys.setswitchinterval(SWITCH_INTERVAL)
    waitress.serve(app, host=host, port=port, threads=threads, ident="Custos",
                   **proxy_options(trusted_proxy))


def proxy_options(trusted_proxy: str | None) -> dict:
    """Waitress options that believe X-Forwarded-* from the TLS proxy only (deployment.md)."""
    if not trusted_proxy:
        return {}
    return {"trusted_proxy": trusted_proxy, "clear_untrusted_proxy_headers": True,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-host",
                                      "x-forwarded-for"}}


@cli.group()
def keys() -> None:
    """Master-key operations."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Make a new master-key version and re-wrap every data key with it (safe to re-run)."""
    vault = _open_vault(from_env())
    try:
        with progress_bar("Re-wrapping data keys") as progress:
            report = vault.rotate_master_key(progress=progress)
    finally:
        vault.close()
    click.echo(f"Master key version {report.new_version} is active; {report.rewrapped} keys "
               f"re-wrapped. Retire the old version with: custos keys retire {report.old_version}")


@keys.command("retire")
@click.argument("version", type=int)
def keys_retire(version: int) -> None:
    """Remove an old master-key version once no key is wrapped with it."""
    vault = _open_vault(from_env())
    try:
        vault.retire_master_key(version)
    finally:
        vault.close()
    click.echo(f"Master key version {version} is retired.")


@cli.group()
def audit() -> None:
    """The persons' tamper-evident logs."""


@audit.command("verify")
@click.option("--person", "person_id", help="Check one person's log only.")
def audit_verify(person_id: str | None) -> None:
    """Check every log's hash chain; name each edited, removed or reordered entry."""
    vault = _open_vault(from_env())
    try:
        problems = vault.verify_log(person_id)
    finally:
        vault.close()
    for problem in problems:
        click.echo(f"person {problem.person_id}: entry {problem.seq}: {problem.message}")
    if problems:
        click.echo(f"The log is NOT intact: {len(problems)} problem(s).", err=True)
        sys.exit(1)
    click.echo("Every log is intact." if person_id is None else "The log is intact.")


@cli.command()
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--keys", "keys", type=click.Path(dir_okay=False, path_type=Path),
              help="Also copy the key store to this separate file (a restore needs it).")
def backup(destination: Path, keys: Path | None) -> None:
    """Copy the data (never the data keys) to DESTINATION while the server runs."""
    vault = _open_vault(from_env())
    try:
        vault.backup(destination, keys)
    finally:
        vault.close()
    if keys:
        click.echo(f"Backed up the data to {destination} and the key store to {keys}. Keep "
                   "them apart, and master.key apart from both.")
    else:
        click.echo(f"Backed up the data to {destination}. It holds no data keys: store "
                   f"keys.db and master.key separately.")


def _register_optional() -> None:
    """Sub-commands that live in their own modules."""
    from .butler import butler
    from .demo import demo
    from .jobs import jobs
    from .restore import restore
    from .store import store
    from .terms import terms
    from .vendors import vendors

    cli.add_command(terms)
    cli.add_command(store)
    cli.add_command(jobs)
    cli.add_command(butler)
    cli.add_command(demo)
    cli.add_command(vendors)
    cli.add_command(restore)


def main() -> None:
    os.umask(0o077)  # every file Custos writes (database, keys, backups) is the operator's only
    _register_optional()
    cli(prog_name="custos")
