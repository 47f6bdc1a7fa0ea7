"""Real Chromium (Debian's) driven by Playwright against Custos served by waitress on loopback.

Every test calls `look(step)` after each step: the page is screenshot at desktop and phone width
(artifacts/screenshots/<test>/; with CUSTOS_UPDATE_SCREENSHOTS=1 the ones named for the README
are also copied to docs/) and checked there: axe-core finds no WCAG 2.2 AA violation, nothing
scrolls sideways on a phone, and no short word breaks across lines.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from api import create_app
from api.config import Settings

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
DOCS_SHOTS = ROOT / "docs" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
JS = ROOT / "tests" / "js"  # package.json + package-lock.json: the JavaScript the tests inject
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # axe-core's tags
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# Words up to 15 letters that the layout splits across two lines ("Hambur/g"); longer
# strings (addresses, identifiers) may break so that nothing scrolls sideways.
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    // identifiers and machine text (a receipt id, an IRI, a JWS) may break anywhere by design
    if (node.parentElement.closest('code, pre, .iri')) continue;
    for (const m of node.data.matchAll(/\\p{L}{2,15}/gu)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                      .map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""


def pytest_collection_modifyitems(items):
    """Every browser test is slow: `pytest -m "not slow"` leaves them out, CI runs them."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.slow)


def _cannot(why: str) -> None:
    """Skip, saying why; CI (CUSTOS_REQUIRE_BROWSER=1) fails instead."""
    if os.environ.get("CUSTOS_REQUIRE_BROWSER") == "1":
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _cannot(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install "
                "chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from tests/js/package-lock.json (npm ci) when missing."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            _cannot("browser tests check each page with axe-core, installed by npm "
                    "(apt-get install npm; then `npm ci` in tests/js)")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0 or not AXE.exists():
            _cannot(f"`npm ci` in tests/js could not install axe-core: {done.stderr[-500:]}")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def live_server(tmp_path):
    """The real app behind waitress on a free loopback port, in a thread."""
    from tests.oauth.conftest import serving

    settings = Settings(home=tmp_path / "home", secret_key="b" * 40, secure_cookies=False,
                        signin_rate_limit="1000 per minute", argon2_profile="CHEAPEST")
    app = create_app(settings)
    try:
        with serving(app) as url:
            yield SimpleNamespace(url=url, app=app)
    finally:
        app.extensions["custos.vault"].close()


def axe_violations(page, source: str) -> list[str]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now, one line per rule."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated over the DevTools protocol: the page's own strict CSP stays in force.
        page.evaluate(f"() => {{ {source}\n}}")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           WCAG_22_AA)
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}: "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in result["violations"]]


class Look:
    """Numbered screenshots at both widths for one test, and the checks each step must pass."""

    def __init__(self, page, name: str, axe: str) -> None:
        self.page, self.axe, self.count = page, axe, 0
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)

    def __call__(self, step: str, *, readme: str | None = None) -> None:
        self.count += 1
        page, problems = self.page, []
        kept = page.viewport_size
        try:
            for label, size in WIDTHS.items():
                page.set_viewport_size(size)
                path = self.folder / f"{self.count:02d}-{step}-{label}.png"
                page.screenshot(path=str(path), full_page=True)
                problems += [f"{label}: axe-core: {v}" for v in axe_violations(page, self.axe)]
                if label == "phone":
                    width = page.evaluate("document.documentElement.scrollWidth")
                    if width > size["width"]:
                        problems.append(f"phone: the page scrolls sideways ({width}px)")
                    if broken := page.evaluate(BROKEN_WORDS):
                        problems.append(f"phone: words broken across lines: {broken[:10]}")
        finally:
            page.set_viewport_size(kept)
        if readme and os.environ.get("CUSTOS_UPDATE_SCREENSHOTS") == "1":
            DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.folder / f"{self.count:02d}-{step}-desktop.png",
                        DOCS_SHOTS / f"{readme}.png")
        assert not problems, f"step {step!r} at {page.url}:\n" + "\n".join(problems)


@contextmanager
def phone_page(browser, name: str, axe: str, *, javascript: bool) -> Iterator[tuple]:
    """A phone-width page and its step checker. With JavaScript each step is checked like
    `look`; without it (the flow must still work) only screenshots are taken, since axe-core
    needs the page's timers, which never run there."""
    context = browser.new_context(viewport=WIDTHS["phone"], java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())  # custos.js asks before destructive forms
    name = f"{name}-{'with' if javascript else 'without'}-js"
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    check = Look(page, name, axe) if javascript else \
        (lambda step: page.screenshot(path=str(folder / f"{step}.png"), full_page=True))
    try:
        yield page, check
    finally:
        context.close()


@pytest.fixture(params=[False, True], ids=["without-js", "with-js"])
def javascript(request) -> bool:
    """Run a phone test twice: the flow without JavaScript, and every step checked with it."""
    return request.param


@pytest.fixture
def page(browser, live_server, axe_source):
    """A fresh browser context; closed before the server stops, so no late request fails."""
    context = browser.new_context(viewport=WIDTHS["desktop"], accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []

    def console(message) -> None:
        # A form answered 400 (validation) or a page 404 is expected; any other error is a defect.
        if message.type == "error" and not re.search(r"status of 40[04]", message.text):
            errors.append(message.text)

    page.on("console", console)
    yield page
    context.close()
    assert errors == [], f"the browser console reported errors: {errors}"


@pytest.fixture
def look(page, request, axe_source) -> Look:
    return Look(page, request.node.name, axe_source)
