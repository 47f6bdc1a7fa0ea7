"""Every page a person can reach, found by following links from home after `custos demo`'s story:
each is looked at (both widths, axe-core), so a new page is checked without a new test."""

from __future__ import annotations

import re
from contextlib import ExitStack
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from werkzeug.exceptions import HTTPException

from api.cli.demo_story import Teller, play

# Links that end the session or answer with a file rather than a page.
SKIP = re.compile(r"/signout|/odrl$|/export|\.json$|\.jws$|/static/")


def shape(app, url: str) -> str:
    """One visit per page and first query argument: other ids are the same page, other data."""
    parts = urlsplit(url)
    try:
        endpoint, _ = app.url_map.bind("localhost").match(parts.path)
    except HTTPException:
        endpoint = "not-found"
    return endpoint + ("-" + parts.query.split("&")[0] if parts.query else "")


def test_every_page_reachable_from_home_passes_the_checks(page, live_server, look, tmp_path,
                                                           capsys):
    url = live_server.url
    with ExitStack() as stack:
        play(url, tmp_path, email="ada@demo.example", password="correct horse battery",
             tell=Teller(), stack=stack, notice_wait=0)
    page.goto(url + "/signin")
    page.get_by_label("Email").fill("ada@demo.example")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your vault")).to_be_visible()
    queue, seen = [url + "/", url + "/no-such-page"], set()
    while queue:
        target = queue.pop(0)
        if (name := shape(live_server.app, target)) in seen:
            continue
        seen.add(name)
        try:
            page.goto(target)
        except PlaywrightError as exc:  # a download, not a page
            assert "Download is starting" in str(exc), exc
            continue
        look(name)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = href.split("#")[0]
            if href.startswith(url) and not SKIP.search(href):
                queue.append(href)
    assert len(seen) >= 15, sorted(seen)  # the tour found the pages, not just home
