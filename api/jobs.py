"""Periodic work: end agreements past their expiry, deliver the vendors' notices, and drop
read counters too old for any `frequency` rule.

`custos serve` starts one small daemon thread (`start(app)`) that calls `run_jobs_once(app)`
every `CUSTOS_JOBS_INTERVAL` seconds (app config, default 60); `custos jobs run-once` calls
it once. The log gets counts only, never an id or a value. A failing run is logged by its
exception type and the next one runs as usual. Several processes may run it at once: ending an
agreement is idempotent, and a notice may then be sent twice (vendors get at-least-once
delivery; its `agreement` id tells them it is the same notice).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask, request

from .clock import now
from .oauth.agreements import expire_due
from .oauth.notify import Post, deliver_due
from .store import get_vault

log = logging.getLogger("custos.jobs")
DEFAULT_INTERVAL = 60.0
_SEEN = "custos.issuer_seen"


def init_app(app: Flask) -> None:
    """Remember the issuer the server is reached under, for notices sent outside a request."""
    app.config.setdefault("CUSTOS_JOBS_INTERVAL", DEFAULT_INTERVAL)

    @app.before_request
    def _remember_issuer() -> None:
        if _SEEN not in app.extensions:
            app.extensions[_SEEN] = request.host_url


def _base_url(app: Flask) -> str | None:
    return app.config.get("CUSTOS_ISSUER") or app.extensions.get(_SEEN)


def run_jobs_once(app: Flask, post: Post | None = None) -> dict[str, int]:
    """Expire due agreements (queueing their notices), then deliver due notices; counts."""
    base = _base_url(app)
    if base is None:  # the notices' `iss` is unknown until CUSTOS_ISSUER or a first request
        log.debug("jobs: waiting for CUSTOS_ISSUER or a first request to know the issuer")
        return {"expired": 0, "delivered": 0, "failed": 0}
    with app.test_request_context("/", base_url=base):  # issuer() and url building need one
        expired = len(expire_due())
        sent = deliver_due(now(), post=post)
        get_vault().agreements.access_counts.prune(now())
    counts = {"expired": expired, **sent}
    if any(counts.values()):
        log.info("jobs: %(expired)d agreements expired, %(delivered)d notices delivered, "
                 "%(failed)d failed", counts)
    return counts


class Runner:
    """The background thread: one run every interval, until stopped."""

    def __init__(self, app: Flask, run: Callable[[Flask], object] = run_jobs_once) -> None:
        self.app, self.run = app, run
        self.interval = float(app.config.get("CUSTOS_JOBS_INTERVAL", DEFAULT_INTERVAL))
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="custos-jobs", daemon=True)

    def tick(self) -> bool:
        """One run that never raises; False when it failed (logged by type only)."""
        try:
            self.run(self.app)
        except Exception as exc:  # noqa: BLE001 - the loop must survive anything
            log.error("jobs: run failed with %s", type(exc).__name__)
            return False
        return True

    def _loop(self) -> None:
        while not self.stopped.wait(self.interval):
            self.tick()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout)


def start(app: Flask) -> Runner:
    """Start the periodic jobs for a serving app (not done by create_app, so tests opt in)."""
    runner = Runner(app)
    app.extensions["custos.jobs"] = runner
    runner.thread.start()
    return runner
