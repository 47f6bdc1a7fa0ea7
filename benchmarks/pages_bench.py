"""The person's pages with and without 20 vendors of ~1 MB metadata each (issue 9 item 11).

Registration now caps stored metadata at 16 KiB, so the bulky vendors are planted through the
vault, as rows registered before the cap would be. Each page is fetched through Flask's test
client by a signed-in person; the median and p95 of `--rounds` fetches are printed.

    python benchmarks/pages_bench.py [--rounds 30] [--vendors 20] [--size 1000000]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PAGES = ("/", "/log", "/terms")


def _app(home: Path):
    from api import create_app
    from api.config import Settings

    return create_app(Settings(home=home, secret_key="p" * 40, secure_cookies=False,
                               signin_rate_limit="1000 per minute", argon2_profile="CHEAPEST"))


def _signed_in(app):
    client = app.test_client()
    page = client.get("/signup").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    password = "correct horse battery"
    client.post("/signup", data={"csrf_token": token, "email": "bench@example.org",
                                 "password": password, "confirm": password})
    return client


def _measure(client, rounds: int) -> dict[str, tuple[float, float]]:
    out = {}
    for path in PAGES:
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        times.sort()
        out[path] = (statistics.median(times), times[int(len(times) * 0.95) - 1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--vendors", type=int, default=20)
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        vault = app.extensions["custos.vault"]
        now = datetime.now(UTC)
        for i in range(3):
            vault.agreements.clients.register({"client_name": f"Vendor {i}"}, now,
                                              confidential=True)
        client = _signed_in(app)
        before = _measure(client, args.rounds)
        for i in range(args.vendors):
            vault.agreements.clients.register(
                {"client_name": f"Bulky {i}", "pad": "x" * args.size}, now, confidential=True)
        after = _measure(client, args.rounds)
        vault.close()
    print(f"{args.vendors} vendors x {args.size:,} bytes of metadata; "
          f"median / p95 of {args.rounds} fetches, ms")
    print(f"{'page':8} {'without':>16} {'with':>16} {'ratio':>7}")
    for path in PAGES:
        (m0, p0), (m1, p1) = before[path], after[path]
        print(f"{path:8} {m0:7.2f} / {p0:6.2f} {m1:7.2f} / {p1:6.2f} {m1 / m0:6.2f}x")


if __name__ == "__main__":
    main()
