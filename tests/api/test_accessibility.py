"""Every control on every page has a label; every page has one h1 and a language."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.api.test_offer_pages import offers  # noqa: F401  (a person with offers)

PAGES = ["/", "/data", "/data/import", "/intents", "/terms", "/inbox", "/offers",
         "/offers?status=filtered", "/offers/rules", "/connections", "/log", "/receipts",
         "/settings"]


class Controls(HTMLParser):
    """Collects form controls, label targets, wrapped controls and headings."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.in_label = 0
        self.h1 = 0
        self.lang = None
        self.in_p = 0
        self.form_in_p = 0  # browsers close the <p> before a <form>: the layout breaks

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag == "p":
            self.in_p += 1
        if tag in ("form", "div", "ul", "section") and self.in_p:
            self.form_in_p += 1
        if tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append({**a, "_wrapped": self.in_label > 0, "_tag": tag})

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1
        if tag == "p" and self.in_p:
            self.in_p -= 1


@pytest.mark.parametrize("path", PAGES)
def test_every_control_is_labelled(client, offers, path):  # noqa: F811
    response = client.get(path)
    assert response.status_code == 200, path
    page = Controls()
    page.feed(response.get_data(as_text=True))
    assert page.lang == "en" and page.h1 == 1, path
    assert page.form_in_p == 0, f"{path}: a block element inside a <p>"
    if path in ("/data", "/intents", "/terms", "/settings"):
        assert len(page.controls) >= 3, f"{path}: the parser found no form"
    unlabelled = [c.get("name") or c["_tag"] for c in page.controls
                  if not (c["_wrapped"] or c.get("id") in page.label_for or c.get("aria-label"))]
    assert unlabelled == [], f"{path}: controls without a label: {unlabelled}"
