"""Import in real Chromium without script: a vCard previewed, imported, seen on My data; the
import pages fit a 390 px phone."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import phone_page
from tests.browser.test_person_journey import nav, sign_up
from tests.dataimport.conftest import ADA


def test_import_a_vcard_with_its_preview(browser, live_server, tmp_path, axe_source,
                                         javascript):
    with phone_page(browser, "test_import_a_vcard_with_its_preview", axe_source,
                    javascript=javascript) as (page, shots):
        card = tmp_path / "ada.vcf"
        card.write_text(ADA, newline="")
        sign_up(page, live_server.url)
        nav(page, "My data")
        page.get_by_role("link", name="Import data from a contact card").click()
        expect(page.get_by_role("heading", name="Import data")).to_be_visible()
        page.get_by_role("button", name="Preview").click()  # no file chosen
        expect(page.locator("#file-error")).to_contain_text("Choose a file to import.")
        page.get_by_label("File to import").set_input_files(str(card))
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("heading", name="To add (13)")).to_be_visible()
        expect(page.get_by_role("cell", name="pictures are not imported, only text")
               ).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shots("preview")
        page.get_by_role("button", name="Import").click()
        expect(page.get_by_role("heading", name="My data")).to_be_visible()
        expect(page.get_by_text("Imported your vCard file: 13 added, 0 changed, 2 left out.")
               ).to_be_visible()
        expect(page.get_by_role("cell", name="ada@analytical.example")).to_be_visible()
        expect(page.get_by_role("cell", name="1815-12-10")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shots("my-data")
        page.goto(live_server.url + "/data/import")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shots("import-page")
