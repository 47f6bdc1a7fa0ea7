"""An import through the real pages: upload with CSRF, preview, Import."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest

from tests.conftest import csrf_token

ADA = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;Augusta;;\r\n"
    "EMAIL;TYPE=work:ada@analytical.example\r\nTEL;VALUE=uri;TYPE=cell:tel:+44-20-7946-0000\r\n"
    "ADR;TYPE=home:;;12 St James\\, Square;London;;SW1Y 4JH;United Kingdom\r\n"
    "BDAY:18151210\r\nGENDER:F\r\nLANG:en\r\nPHOTO:data:image/png;base64,AAAA\r\n"
    "NOTE:Countess of Lovelace\r\nEND:VCARD\r\n"
)


BOUNDARY = "custos-test-boundary-7095"


def multipart(token: str, filename: str, data: bytes) -> bytes:
    """The body a browser sends (RFC 7578), built here: Werkzeug's own encoder spools a large
    file to a temporary file that it never closes (a ResourceWarning under -W error)."""
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


class Importer:
    """Upload a file on the import page, read the preview, press Import."""

    def __init__(self, client) -> None:
        self.client = client

    def preview(self, content: str | bytes, filename: str = "me.vcf"):
        token = csrf_token(self.client.get("/data/import"))
        data = content.encode() if isinstance(content, str) else content
        return self.client.post("/data/import", data=multipart(token, filename, data),
                                content_type=f"multipart/form-data; boundary={BOUNDARY}")

    def confirm(self, preview):
        page = preview.get_data(as_text=True)
        carried = re.search(r'name="carried" value="([^"]*)"', page).group(1)
        digest = re.search(r'name="digest" value="([^"]*)"', page).group(1)
        return self.client.post("/data/import/apply", data={
            "csrf_token": csrf_token(preview), "carried": html.unescape(carried),
            "digest": digest})

    def run(self, content: str | bytes, filename: str = "me.vcf"):
        preview = self.preview(content, filename)
        assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
        return self.confirm(preview)


@pytest.fixture
def importer(client) -> Importer:
    return Importer(client)


@pytest.fixture
def person(auth, app):
    auth.signup()
    return app.extensions["custos.vault"].find_person_by_email("ada@example.org").id


@pytest.fixture
def live_server(tmp_path):
    """A second, empty vault served by waitress on a free loopback port."""
    from api import create_app
    from api.config import Settings
    from tests.oauth.conftest import serving

    settings = Settings(home=tmp_path / "new-home", secret_key="n" * 40, secure_cookies=False,
                        signin_rate_limit="1000 per minute", argon2_profile="CHEAPEST")
    app = create_app(settings)
    try:
        with serving(app, threads=2) as url:
            yield SimpleNamespace(url=url, app=app)
    finally:
        app.extensions["custos.vault"].close()
