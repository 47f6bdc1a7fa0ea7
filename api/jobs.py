"""Periodic work: end agreements past their expiry, deliver the vendors' notices, drop
read counters too old for any `frequency` rule, tell the person once of each vendor's answer
gone overdue, and send the person's email (and digests).

`custos serve` starts one small daemon thread (`start(app)`) that calls `run_jobs_once(app)`
every `CUSTOS_JOBS_INTERVAL` seconds (default 60); `custos jobs run-once` calls it once. The
notices' issuer is the configured one only (CUSTOS_ISSUER, or the loopback address `custos
serve` listens on), never one learned from a request: a request's Host must not decide where
the server may send (SSRF). The log gets counts only, never an id or a value. A failing run is
logged by its exception type and the next one runs as usual. Several processes may run it at
once: ending an agreement is idempotent, and a notice may then be sent twice (vendors get
at-least-once delivery; its `agreement` id tells them it is the same notice).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

from .services.agreements import expire_due
from .services.duties import tell_overdue
from .services.mail import deliver_mail, mail_config, queue_digests
from .services.mail_links import prune_links
from .services.notify import Post, deliver_due
from .services.release import forget_old_counts

log = logging.getLogger("custos.jobs")


def run_jobs_once(app: Flask, post: Post | None = None) -> dict[str, int]:
    """Expire due agreements (queueing their notices), then deliver due notices; counts."""
    issuer = app.config["CUSTOS_SETTINGS"].issuer
    if issuer is None:  # the notices' `iss` is unknown: nothing is sent without one
        log.debug("jobs: not run, CUSTOS_ISSUER is not set")
        return {"expired": 0, "delivered": 0, "failed": 0, "overdue_told": 0, "digests": 0,
                "mailed": 0, "mail_failed": 0}
    vault, now = app.extensions["custos.vault"], app.extensions["custos.clock"]()
    mail = mail_config(app.config["CUSTOS_SETTINGS"])
    ack_days = app.config["CUSTOS_SETTINGS"].duty_ack_days
    expired = len(expire_due(vault, now=now, issuer=issuer, ack_days=ack_days))
    sent = deliver_due(vault, now, issuer=issuer, post=post)
    forget_old_counts(vault, now)
    prune_links(vault, now)
    told = tell_overdue(vault, now, mail=mail)
    digests = queue_digests(vault, mail, now)
    mailed = deliver_mail(vault, mail, now)
    counts = {"expired": expired, **sent, "overdue_told": told, "digests": digests, **mailed}
    if any(counts.values()):
        log.info("jobs: %(expired)d agreements expired, %(delivered)d notices delivered, "
                 "%(failed)d failed, %(overdue_told)d told of overdue answers, %(mailed)d emails "
                 "sent, %(mail_failed)d failed", counts)
    return counts


class Runner:
    """The background thread: one run every interval, until stopped."""

    def __init__(self, app: Flask, run: Callable[[Flask], object] = run_jobs_once) -> None:
        self.app, self.run = app, run
        self.interval = app.config["CUSTOS_SETTINGS"].jobs_interval
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
