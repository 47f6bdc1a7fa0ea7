"""`custos butler`: authorise the digital butler, then let it act for you.

    custos butler authorize --url https://custos.example    # approve it in your browser
    custos butler run                                        # keep going until Ctrl+C
    custos butler run --once --dry-run                       # show what it would do

The butler is an OAuth client like any vendor: it only holds the mandates you ticked (sort
offers, answer within your terms, read and propose terms, read the log, manage intents), its
tokens live in a file only you can read (mode 0600), and revoking it on your Connections page
stops it at once.
"""

from __future__ import annotations

import os
import webbrowser
from datetime import datetime
from pathlib import Path

import click

from clients.butler import Butler, PersonClient, Runner, TokenFile, TokenFileError, authorize
from clients.sdk import CustosError


def default_token_path() -> Path:
    """Per-user config folder (XDG on Linux), not the server's CUSTOS_HOME."""
    return Path(click.get_app_dir("custos")) / "butler.json"


def _say(line: str) -> None:
    click.echo(f"{datetime.now().strftime('%H:%M:%S')}  {line}")


_tokens = click.option("--tokens", "token_path", type=click.Path(dir_okay=False, path_type=Path),
                       envvar="CUSTOS_BUTLER_TOKENS", default=default_token_path,
                       show_default="~/.config/custos/butler.json",
                       help="Where the butler keeps its tokens (mode 0600).")


@click.group()
def butler() -> None:
    """Your digital butler: sorts offers and answers routine requests by your rules."""


@butler.command("authorize")
@click.option("--url", envvar="CUSTOS_URL", default="http://127.0.0.1:8000", show_default=True,
              help="The Custos server (its issuer URL).")
@_tokens
@click.option("--paste", is_flag=True,
              help="Paste the address your browser ends on, instead of a loopback listener.")
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="Loopback port for the redirect (0: any free port).")
@click.option("--open/--no-open", "open_browser", default=True,
              help="Open the authorization page in your browser.")
@click.option("--timeout", type=float, default=300.0, show_default=True,
              help="Seconds to wait for the browser to come back.")
def authorize_command(url: str, token_path: Path, paste: bool, port: int, open_browser: bool,
                      timeout: float) -> None:
    """Let the butler act for you: approve it in your browser."""

    def show(link: str) -> None:
        click.echo("Open this address, sign in to Custos and approve the butler:\n")
        click.echo(f"  {link}\n")
        if open_browser and not os.environ.get("CUSTOS_NO_BROWSER"):
            webbrowser.open(link)

    def ask() -> str:
        return click.prompt("Paste the address your browser shows after approving")

    try:
        creds = authorize(url, TokenFile(token_path), show=show, paste=ask if paste else None,
                          port=port, timeout=timeout)
    except (CustosError, TimeoutError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"The butler is authorised at {creds.issuer}; its tokens are in {token_path} "
               "(readable by you only). Start it with: custos butler run")


@butler.command("run")
@_tokens
@click.option("--once", is_flag=True, help="One pass, then exit.")
@click.option("--dry-run", is_flag=True, help="Show what it would do; change nothing.")
@click.option("--interval", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="Seconds between passes when there is work; doubles while idle.")
@click.option("--max-interval", type=click.FloatRange(0.1), default=600.0, show_default=True,
              help="The longest wait between passes.")
def run_command(token_path: Path, once: bool, dry_run: bool, interval: float,
                max_interval: float) -> None:
    """Sort new offers and answer pending requests by your rules; Ctrl+C stops it."""
    try:
        person = PersonClient.from_file(TokenFile(token_path))
    except (TokenFileError, CustosError) as exc:
        raise click.ClickException(str(exc)) from None
    _say(f"The butler acts for you at {person.issuer}"
         + (" (dry run: nothing will be sent)." if dry_run else "."))
    runner = Runner(Butler(person, say=_say), interval=interval,
                    max_interval=max(interval, max_interval), say=_say)
    code = runner.run(once=once, dry_run=dry_run)
    if code:
        raise SystemExit(code)
