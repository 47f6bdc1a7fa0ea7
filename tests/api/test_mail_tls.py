"""Sending over TLS to a real aiosmtpd server: STARTTLS with AUTH (RFC 3207, RFC 4954) and
implicit TLS (RFC 8314), the server's certificate verified; a failed upgrade sends nothing."""

from __future__ import annotations

import datetime
import ipaddress
import ssl

import pytest
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from api.config import _smtp
from api.services.mail import MailConfig, deliver_mail
from tests.conftest import Mailbox

MESSAGE = {"to": "ada@example.org", "subject": "Hello", "text": "Hello.\n", "unsubscribe": None}


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def started():
    boxes = []

    def start(**server) -> Mailbox:
        box = Mailbox(**server)
        box.controller.start()
        boxes.append(box)
        return box

    yield start
    for box in boxes:
        box.controller.stop()


def send(app, clock, url: str) -> dict[str, int]:
    vault = app.extensions["custos.vault"]
    person = vault.create_person("ada@example.org", "h", clock())
    vault.mail.queue(person, MESSAGE, clock())
    mail = MailConfig(issuer="http://localhost", smtp=_smtp(url), sender="Custos <c@localhost>")
    return deliver_mail(vault, mail, clock())


def test_starttls_then_auth(app, clock, started, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust the test certificate
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    box = started(tls_context=server_context(certificate), require_starttls=True,
                  auth_required=True, authenticator=authenticator)
    counts = send(app, clock, f"smtp://custos:p%40ss@127.0.0.1:{box.port}?starttls=1")
    assert counts == {"mailed": 1, "mail_failed": 0}
    assert logins == [(b"custos", b"p@ss")]
    assert [m["Subject"] for m in box.take()] == ["Hello"]


def test_implicit_tls(app, clock, started, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    box = started(ssl_context=server_context(certificate))
    assert send(app, clock, f"smtps://127.0.0.1:{box.port}") == {"mailed": 1, "mail_failed": 0}
    assert len(box.take()) == 1


def test_an_untrusted_certificate_sends_nothing(app, clock, started, certificate, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    box = started(ssl_context=server_context(certificate))
    assert send(app, clock, f"smtps://127.0.0.1:{box.port}") == {"mailed": 0, "mail_failed": 1}
    assert box.take() == []


def test_starttls_asked_but_not_offered_sends_nothing_in_the_clear(app, clock, started):
    box = started()  # no TLS at all
    counts = send(app, clock, f"smtp://127.0.0.1:{box.port}?starttls=1")
    assert counts == {"mailed": 0, "mail_failed": 1}
    assert box.take() == []
