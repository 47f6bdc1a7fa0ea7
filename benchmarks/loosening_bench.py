"""How long does the "does this permit more?" check take (policies/loosening.py)?

An agent's terms change is compared with the current terms over the probe set before it may
apply (docs/oauth.md, "Agent mandates"). This times it for the 15- and 30-rule persons of
policy_bench.py: a change that only restricts (every probe is evaluated twice: the worst case
that still applies at once), and one that permits more (stops at the first examples).

Run: `python benchmarks/loosening_bench.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from policy_bench import EXTRA, SPEC, custos_terms  # noqa: E402

from policies import compile_terms, load_terms  # noqa: E402
from policies import loosening as lo  # noqa: E402

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
RUNS = 5


def _compiled(body: dict, version: int):
    return compile_terms(load_terms(body, version=version))


def _time(old: dict, new: dict) -> tuple[float, int]:
    """Median seconds of a fresh check (new compiled terms each time, as in the server)."""
    took, found = [], 0
    for _ in range(RUNS):
        a, b = _compiled(old, 1), _compiled(new, 2)
        start = time.perf_counter()
        found = len(lo.loosenings(a, b, NOW))
        took.append(time.perf_counter() - start)
    return statistics.median(took), found


def main() -> int:
    print(f"{'terms':<10} {'change':<22} {'median ms':>10} {'found':>6}")
    for name, spec in (("15 rules", SPEC), ("30 rules", SPEC + EXTRA)):
        old = custos_terms(spec)
        stricter = {**old, "rules": [{"id": "no-phone", "effect": "deny",
                                      "categories": ["contact.phone"]}, *old["rules"]]}
        looser = {**old, "default": "permit"}
        for label, new in (("restricts (all probes)", stricter), ("permits more", looser)):
            seconds, found = _time(old, new)
            print(f"{name:<10} {label:<22} {seconds * 1000:>10.1f} {found:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
