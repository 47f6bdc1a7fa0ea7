"""`custos demo`: the whole story on one machine, told step by step in the terminal.

It starts Custos on the embedded store (CUSTOS_HOME, or a temporary folder) or uses a running
server (`--url`). The person is seeded through the web pages, as a person would do it; the
vendors and the butler go through the SDK over HTTP, exactly as outside code would.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import click
from flask import Flask

from .demo_story import Teller, play
from .loopback import serving


def _local_app(home: Path, port: int):
    """The app on the embedded store in `home`, the way `custos serve` builds it."""
    from .. import create_app
    from ..config import from_env

    settings = from_env({**os.environ, "CUSTOS_HOME": str(home)}, loopback=True)
    return create_app(settings)


def start_jobs(app: Flask):
    """The periodic jobs `custos serve` runs: expiry and the vendors' notices."""
    from ..jobs import start

    return start(app)


def _free(port: int) -> int:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return 0
    return port


@click.command()
@click.option("--url", help="Use a running Custos server instead of starting one.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port for the demo server (any free one if taken).")
@click.option("--serve/--no-serve", "keep_serving", default=True,
              help="Keep the server running after the story, to look at it in the browser.")
@click.option("--exit", "exit_after", is_flag=True, help="Same as --no-serve.")
@click.option("--pace", type=click.FloatRange(0), default=None,
              help="Seconds to pause between steps (default: 0.8 in a terminal, else 0).")
def demo(url: str | None, port: int, keep_serving: bool, exit_after: bool,
         pace: float | None) -> None:
    """Play the Custos story: a person, her terms, two vendors and her butler."""
    os.umask(0o077)
    pace = (0.8 if click.get_text_stream("stdout").isatty() else 0.0) if pace is None else pace
    tell = Teller(pace)
    with ExitStack() as stack:
        if url:
            base, home = url.rstrip("/"), Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="custos-demo-")))
            email = f"ada.{secrets.token_hex(3)}@demo.example"
        else:
            given = os.environ.get("CUSTOS_HOME")
            home = Path(given) if given else Path(tempfile.mkdtemp(prefix="custos-demo-"))
            fresh = not (home / "custos.db").exists()
            app = _local_app(home, port)
            stack.callback(app.extensions["custos.vault"].close)
            base = stack.enter_context(serving(app, port=_free(port)))
            # the issuer is where it listens (loopback); notices go out while you watch
            app.config["CUSTOS_SETTINGS"] = replace(app.config["CUSTOS_SETTINGS"], issuer=base,
                                                    jobs_interval=0.5)
            jobs = start_jobs(app)
            stack.callback(jobs.stop)
            email = "ada@demo.example" if fresh else f"ada.{secrets.token_hex(3)}@demo.example"
            tell.say(f"Custos is running at {base} (data in {home}).")
        password = "demo-" + secrets.token_urlsafe(9)
        play(base, home, email=email, password=password, tell=tell, stack=stack,
             notice_wait=3.0 if url else 10.0)
        tell.step("See it for yourself")
        tell.say(f"Sign in at {base}/signin as {email} with password {password}")
        tell.say("Connections, Inbox, Offers and Log show the same story.")
        if url or exit_after or not keep_serving:
            return
        jobs.interval = 30.0  # the story is over: the usual pace
        tell.say("The server keeps running; press Ctrl+C to stop it.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            tell.say("Stopped.")
