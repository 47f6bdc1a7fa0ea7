"""Import benchmark: how long a person waits for the preview and for Import, by file size.

Run: `python benchmarks/import_bench.py`. In-process on SQLite (no HTTP): reading and checking
the file, the plan against the vault (nothing written), and the write of every record in one
transaction (one sealed value and one chained log entry per record), median of five runs each
into a fresh person.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from api.services.dataimport import read_file
from api.services.dataimport.plan import apply_previewed, make_plan
from vault import Vault

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA"


def csv_file(rows: int) -> bytes:
    lines = [f"preferences.interests,Interest {i},,{'x' * 40} {i}" for i in range(rows)]
    return ("category,name,kind,value\r\n" + "\r\n".join(lines) + "\r\n").encode()


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.1f}"


def main() -> None:
    print(f"{'records':>8} {'file KB':>8} {'read ms':>8} {'plan ms':>8} {'import ms':>9}")
    with tempfile.TemporaryDirectory() as home:
        vault = Vault.open(home, now=NOW)
        try:
            for rows in (10, 100, 1000):
                data = csv_file(rows)
                read, plan, write = [], [], []
                for run in range(5):
                    person = vault.create_person(f"p{rows}-{run}@example.org", HASH, NOW)
                    start = time.perf_counter()
                    parsed = read_file("me.csv", data)
                    read.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    previewed = make_plan(vault, person, parsed, NOW)
                    plan.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    apply_previewed(vault, person, parsed, previewed.digest,
                                    NOW + timedelta(seconds=1))
                    write.append(time.perf_counter() - start)
                print(f"{rows:>8} {len(data) / 1024:>8.1f} {median_ms(read)} {median_ms(plan)} "
                      f"{median_ms(write):>9}")
        finally:
            vault.close()


if __name__ == "__main__":
    main()
