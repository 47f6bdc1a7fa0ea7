"""`custos butler run`: pass after pass, polling with backoff, stopping cleanly on a signal.

After a pass that did something the butler looks again soon (`interval`); each quiet pass
doubles the wait up to `max_interval`, and an unreachable server doubles it too. SIGINT and
SIGTERM end the wait at once and finish the pass in progress; nothing is cut in the middle.
An authorization the person revoked stops the butler with a plain message (exit code 2).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

from clients.sdk import AccessRefused, CustosError, InvalidToken, OAuthError, ServerUnavailable

from .agent import Butler
from .report import summary

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Runner:
    """Runs a Butler until stopped; `stop` may also be set from another thread."""

    def __init__(self, butler: Butler, *, interval: float = 30.0, max_interval: float = 600.0,
                 say: Callable[[str], None] = print) -> None:
        self.butler, self.interval, self.max_interval, self.say = (
            butler, interval, max_interval, say)
        self.stop = threading.Event()
        self.passes = 0

    def _handle(self, signum, frame) -> None:
        self.say(f"Received {signal.Signals(signum).name}; stopping after this pass.")
        self.stop.set()

    def run(self, *, once: bool = False, dry_run: bool = False) -> int:
        """Exit code: 0 stopped cleanly, 1 the last pass failed, 2 the butler lost its right."""
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {s: signal.signal(s, self._handle) for s in STOP_SIGNALS}
        try:
            return self._loop(once, dry_run)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _loop(self, once: bool, dry_run: bool) -> int:
        delay, code = self.interval, 0
        while not self.stop.is_set():
            try:
                actions = self.butler.run_once(dry_run=dry_run)
                self.passes += 1
                code = 0
                self.say(summary(actions, dry_run))
                done = [a for a in actions if a.verdict != "leave"]
                delay = self.interval if done else min(delay * 2, self.max_interval)
            except (InvalidToken, OAuthError, AccessRefused) as exc:
                self.say(f"The butler may no longer act for you ({exc}). "
                         "Run `custos butler authorize` to authorise it again.")
                return 2
            except ServerUnavailable as exc:
                code = 1
                delay = min(delay * 2, self.max_interval)
                self.say(f"Custos is not answering ({exc}); trying again in {delay:.0f} s.")
            except CustosError as exc:
                code = 1
                delay = min(delay * 2, self.max_interval)
                self.say(f"The pass failed: {exc}; trying again in {delay:.0f} s.")
            if once:
                break
            self.stop.wait(delay)
        if not once:
            self.say("The butler has stopped.")
        return code
