"""Real Chromium (Debian's) driven by Playwright against Custos served by waitress on loopback.

Screenshots of every step land in artifacts/screenshots/<test>/ (CI keeps them as artifacts);
with CUSTOS_UPDATE_SCREENSHOTS=1 the ones named for the README are also copied to docs/.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from api import create_app
from api.config import Settings

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
DOCS_SHOTS = ROOT / "docs" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]



def pytest_collection_modifyitems(items):
    """Every browser test is slow: `pytest -m "not slow"` leaves them out, CI runs them."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.slow)


def _need_browser() -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CUSTOS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} "
                    "(apt-get install chromium); CI installs it and does not skip")


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(tmp_path):
    """The real app behind waitress on a free loopback port, in a thread."""
    import waitress

    settings = Settings(home=tmp_path / "home", secret_key="b" * 40, secure_cookies=False,
                        signin_rate_limit="1000 per minute", argon2_profile="CHEAPEST")
    app = create_app(settings)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)

    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):  # the socket map was closed from the test thread
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.effective_port}"
    server.app = app
    yield server
    server.close()
    thread.join(timeout=5)
    app.extensions["custos.vault"].close()


class Shots:
    """Numbered screenshots for one test."""

    def __init__(self, page, name: str) -> None:
        self.page, self.count = page, 0
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)

    def __call__(self, step: str, *, readme: str | None = None) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if readme and os.environ.get("CUSTOS_UPDATE_SCREENSHOTS") == "1":
            DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, DOCS_SHOTS / f"{readme}.png")


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1100, "height": 800},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []

    def console(message) -> None:
        # A form answered 400 (validation) is expected; any other error is a defect.
        if message.type == "error" and "status of 400" not in message.text:
            errors.append(message.text)

    page.on("console", console)
    yield page
    context.close()
    assert errors == [], f"the browser console reported errors: {errors}"


@pytest.fixture
def shots(page, request) -> Shots:
    return Shots(page, request.node.name)
