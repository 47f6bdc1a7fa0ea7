"""Sign-up, sign-in, sign-out, sessions, CSRF and rate limits through the real pages."""

from __future__ import annotations

import pytest

from api.config import Settings
from tests.conftest import csrf_token


def test_signup_signs_in_and_shows_the_vault(auth, client):
    response = auth.signup()
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Your vault" in page and "Sign out" in page


def test_password_is_stored_as_argon2id(auth, app):
    auth.signup()
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@example.org")
    assert person.password_hash.startswith("$argon2id$")


def test_production_uses_rfc9106_parameters(tmp_path):
    from argon2 import extract_parameters, profiles

    from api import create_app

    app = create_app(Settings(home=tmp_path / "p", secret_key="z" * 40))
    made = extract_parameters(app.extensions["custos.dummy_hash"])
    assert made == profiles.RFC_9106_LOW_MEMORY
    assert made.memory_cost == 65536 and made.time_cost == 3
    app.extensions["custos.vault"].close()


@pytest.mark.parametrize("data, field, message", [
    ({"email": "not-an-email", "password": "long enough pw", "confirm": "long enough pw"},
     "email", "Enter an email address such as name@example.org."),
    ({"email": "a@example.org", "password": "short", "confirm": "short"},
     "password", "Use a password of 10 to 256 characters."),
    ({"email": "a@example.org", "password": "long enough pw", "confirm": "other one!!"},
     "confirm", "The two passwords differ."),
    ({"email": "", "password": "long enough pw", "confirm": "long enough pw"},
     "email", "Enter your email address."),
])
def test_signup_errors_name_the_field_and_keep_input(auth, app, data, field, message):
    response = auth.post("/signup", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error">{message}' in page
    if data["email"]:
        assert f'value="{data["email"]}"' in page  # what the person typed stays
    assert app.extensions["custos.vault"].find_person_by_email("a@example.org") is None


def test_duplicate_signup_is_refused(auth, client):
    auth.signup()
    auth.signout()
    response = auth.signup()
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_unknown_account_and_wrong_password_get_the_same_answer(auth):
    auth.signup()
    auth.signout()
    wrong = auth.signin(password="wrong password!")
    unknown = auth.signin(email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 400
    strip = lambda r: r.get_data(as_text=True).split('name="csrf_token"')[0]  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert "The email or the password is wrong." in wrong.get_data(as_text=True)


def test_signin_after_signout(auth, client):
    auth.signup()
    auth.signout()
    assert client.get("/data").status_code == 302
    assert auth.signin().status_code == 302
    assert client.get("/data").status_code == 200


def test_signout_ends_the_session_on_the_server(auth, client):
    auth.signup()
    cookie = client.get_cookie("custos_session").value
    auth.signout()
    client.set_cookie("custos_session", cookie)  # replaying the old cookie does not work
    assert client.get("/data").status_code == 302


def test_signout_everywhere_ends_other_devices(app, auth, client):
    auth.signup()
    other = app.test_client()
    from tests.conftest import Auth

    Auth(other).signin()
    assert other.get("/data").status_code == 200
    auth.post("/signout-everywhere", {}, page="/settings")
    assert other.get("/data").status_code == 302
    assert client.get("/data").status_code == 302


def test_session_expires(auth, client, clock):
    auth.signup()
    clock.advance(hours=13)
    assert client.get("/data").status_code == 302


def test_forms_need_the_csrf_token(client, app):
    response = client.post("/signup", data={"email": "a@example.org", "password": "x" * 12,
                                            "confirm": "x" * 12})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert app.extensions["custos.vault"].find_person_by_email("a@example.org") is None


def test_signin_is_rate_limited(tmp_path, clock):
    from api import create_app

    settings = Settings(home=tmp_path / "h", secret_key="y" * 40, secure_cookies=False,
                        signin_rate_limit="3 per minute", argon2_profile="CHEAPEST")
    app = create_app(settings, testing=True)
    app.extensions["custos.clock"] = clock
    from tests.conftest import Auth

    auth = Auth(app.test_client())
    codes = [auth.signin(email="x@example.org", password="wrong password").status_code
             for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    app.extensions["custos.vault"].close()


def test_signin_is_recorded_in_the_log(auth, app):
    auth.signup()
    auth.signout()
    auth.signin()
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@example.org")
    kinds = [entry.kind for entry in vault.list_events(person.id)]
    assert kinds == ["account_created", "signed_in", "signed_out", "signed_in"]


def test_security_headers(client):
    response = client.get("/signin")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_signin_returns_to_the_page_asked_for(auth, client):
    auth.signup()
    auth.signout()
    bounce = client.get("/terms")
    assert bounce.status_code == 302 and "next=/terms" in bounce.headers["Location"]
    page = client.get(bounce.headers["Location"])
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/signin", data={"email": "ada@example.org",
                                            "password": "correct horse battery",
                                            "next": "/terms", "csrf_token": token})
    assert response.headers["Location"] == "/terms"


OFF_SITE = ["https://evil.example/", "//evil.example/x", "////evil.example", "///evil.example",
            "/\\evil.example", "/\\/evil.example", "\\\\evil.example", "/%2F%2Fevil.example",
            "/%2f/evil.example", "/%5Cevil.example", "/%5C%5Cevil.example",
            "/%252F%252Fevil.example",
            "/\t/evil.example", "/\n/evil.example", " //evil.example", "/\u3000/evil.example",
            "javascript:alert(1)", "/x\nSet-Cookie", "http:/evil.example", "https:evil.example",
            "/\x00/evil.example", "\uff0f\uff0fevil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_signin_never_redirects_off_site(auth, client, target):
    """Issue 9, item 8: only a same-origin path, after normalisation, is a place to go next."""
    auth.signup()
    auth.signout()
    response = auth.post("/signin", {"email": "ada@example.org",
                                     "password": "correct horse battery", "next": target})
    if "\x00" in target:  # refused before any redirect (api/untrusted.py)
        assert response.status_code == 400 and "Location" not in response.headers
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_signup_never_redirects_off_site(auth, target):
    password = "correct horse battery"
    response = auth.post("/signup", {"email": "ada@example.org", "password": password,
                                     "confirm": password, "next": target})
    if "\x00" in target:  # refused before any redirect (api/untrusted.py)
        assert response.status_code == 400 and "Location" not in response.headers
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target, path", [("/terms", "/terms"), ("/log?vendor=x&since=2026-01-01",
                                                                  "/log?vendor=x&since=2026-01-01"),
                                          ("/data#phone", "/data#phone")])
def test_signin_keeps_a_same_site_path(auth, target, path):
    auth.signup()
    auth.signout()
    response = auth.post("/signin", {"email": "ada@example.org",
                                     "password": "correct horse battery", "next": target})
    assert response.headers["Location"] == path


def test_forms_work_over_https_with_the_same_origin_referer(tmp_path, clock):
    """Flask-WTF checks the Referer on HTTPS; Referrer-Policy same-origin lets browsers send it."""
    from api import create_app
    from tests.conftest import csrf_token

    app = create_app(Settings(home=tmp_path / "s", secret_key="t" * 40,
                              argon2_profile="CHEAPEST"), testing=True)
    client = app.test_client()
    base = "https://custos.example"
    page = client.get("/signup", base_url=base)
    assert page.headers["Referrer-Policy"] == "same-origin"
    form = {"email": "ada@example.org", "password": "correct horse battery",
            "confirm": "correct horse battery", "csrf_token": csrf_token(page)}
    refused = client.post("/signup", base_url=base, data=form)
    assert refused.status_code == 400  # no Referer at all: refused, as Flask-WTF intends
    done = client.post("/signup", base_url=base, data=form,
                       headers={"Referer": base + "/signup"})
    assert done.status_code == 302
    app.extensions["custos.vault"].close()


def test_settings_list_live_sessions(app, auth, client):
    auth.signup()
    from tests.conftest import Auth

    Auth(app.test_client()).signin()
    page = client.get("/settings").get_data(as_text=True)
    assert "You are signed in 2 times:" in page


def test_change_password_signs_out_other_devices(app, auth, client):
    auth.signup()
    from tests.conftest import Auth

    other = app.test_client()
    Auth(other).signin()
    wrong = auth.post("/settings/password", {"pw_current": "not it at all",
                                             "pw_password": "a new long password",
                                             "pw_confirm": "a new long password"},
                      page="/settings")
    assert wrong.status_code == 400 and 'id="pw_current-error">The password is wrong.' in \
        wrong.get_data(as_text=True)
    short = auth.post("/settings/password", {"pw_current": "correct horse battery",
                                             "pw_password": "short", "pw_confirm": "short"},
                      page="/settings")
    assert 'id="pw_password-error">Use a password of 10 to 256' in short.get_data(as_text=True)
    done = auth.post("/settings/password", {"pw_current": "correct horse battery",
                                            "pw_password": "a new long password",
                                            "pw_confirm": "a new long password"},
                     page="/settings")
    assert done.status_code == 302
    assert client.get("/settings").status_code == 200  # this browser stays signed in
    assert other.get("/settings").status_code == 302  # the other device is signed out
    auth.signout()
    assert auth.signin().status_code == 400
    assert auth.signin(password="a new long password").status_code == 302
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@example.org")
    assert "password_changed" in [e.kind for e in vault.list_events(person.id)]


@pytest.mark.parametrize("enter", ["signin", "signup"])
def test_signing_in_rotates_the_csrf_token(auth, client, enter):
    """Issue 9, item 15: a CSRF token known before signing in is worthless afterwards."""
    if enter == "signin":
        auth.signup()
        auth.signout()
    before = csrf_token(client.get("/" + enter))
    cookie_before = client.get_cookie("custos_csrf").value
    password = "correct horse battery"
    entered = client.post("/" + enter, data={"email": "ada@example.org", "password": password,
                                             "confirm": password, "csrf_token": before})
    assert entered.status_code == 302
    after = client.get_cookie("custos_csrf")  # gone, or holding another token
    assert after is None or after.value != cookie_before
    stale = client.post("/signout", data={"csrf_token": before})
    assert stale.status_code == 400 and "This form has expired" in stale.get_data(as_text=True)
    fresh = csrf_token(client.get("/settings"))
    assert fresh != before
    assert client.post("/signout", data={"csrf_token": fresh}).status_code == 302


def test_hsts_only_over_https(client):
    """RFC 6797 section 7.2: HSTS on secure transport, never on plain HTTP."""
    secure = client.get("/signin", base_url="https://custos.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/signin").headers


@pytest.mark.parametrize("trusted, expected", [(True, "max-age=31536000"), (False, None)])
def test_hsts_behind_the_trusted_tls_proxy(app, trusted, expected):
    """The header follows X-Forwarded-Proto only from the proxy named by --trusted-proxy."""
    import requests

    from api.cli.custos import proxy_options
    from api.cli.loopback import serving

    options = proxy_options("127.0.0.1") if trusted else {}
    with serving(app, threads=2, **options) as base:
        answer = requests.get(base + "/signin", headers={"X-Forwarded-Proto": "https",
                                                        "X-Forwarded-For": "203.0.113.9",
                                                        "X-Forwarded-Host": "custos.example"},
                              timeout=10)
    assert answer.status_code == 200
    assert answer.headers.get("Strict-Transport-Security") == expected


@pytest.mark.parametrize("password", ["password1234", "iloveyou123", "1q2w3e4r5t",
                                      "correcthorsebatterystaple", "aaaaaaaaaaaa", "0123456789"])
def test_signup_refuses_a_breached_password(auth, app, password):
    """Issue 9, item 14: NIST SP 800-63B 5.1.1.2, a password from breach lists is refused."""
    response = auth.post("/signup", {"email": "ada@example.org", "password": password,
                                     "confirm": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="password-error">This password is on a list' in page
    assert 'value="ada@example.org"' in page
    assert app.extensions["custos.vault"].find_person_by_email("ada@example.org") is None


@pytest.mark.parametrize("password", ["ada.lovelace@example.org", "ada.lovelace2026!",
                                      "Custos-Custos", "custos ada.lovelace"])
def test_signup_refuses_a_password_made_of_the_email_or_the_service(auth, app, password):
    response = auth.post("/signup", {"email": "Ada.Lovelace@example.org", "password": password,
                                     "confirm": password})
    assert response.status_code == 400
    assert 'id="password-error">This password is made of your email address or the name ' \
        'Custos' in response.get_data(as_text=True)


def test_password_change_refuses_a_breached_password(auth, app, client):
    auth.signup()
    refused = auth.post("/settings/password", {"pw_current": "correct horse battery",
                                               "pw_password": "letmein12345",
                                               "pw_confirm": "letmein12345"}, page="/settings")
    assert refused.status_code == 400
    assert 'id="pw_password-error">This password is on a list' in refused.get_data(as_text=True)
    auth.signout()
    assert auth.signin().status_code == 302  # the old password still works


def _limited_app(tmp_path, clock, **limits):
    from api import create_app

    settings = Settings(home=tmp_path / "h", secret_key="y" * 40, secure_cookies=False,
                        argon2_profile="CHEAPEST", **limits)
    app = create_app(settings, testing=True)
    app.extensions["custos.clock"] = clock
    return app


def test_a_stranger_cannot_lock_the_owner_out(tmp_path, clock):
    """Issue 9, item 14: wrong tries from many addresses never refuse the owner's password."""
    from tests.conftest import Auth

    app = _limited_app(tmp_path, clock, signin_rate_limit="3 per minute",
                       signin_account_rate_limit="3 per minute")
    try:
        Auth(app.test_client()).signup()
        for n in range(10):
            stranger = Auth(app.test_client())
            wrong = stranger.signin(password=f"guess number {n}",
                                    environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
            assert wrong.status_code == 400
        owner = Auth(app.test_client())
        assert owner.signin(environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 302
    finally:
        app.extensions["custos.vault"].close()


def test_failed_sign_ins_are_limited_per_account_and_address(tmp_path, clock):
    from tests.conftest import Auth

    app = _limited_app(tmp_path, clock, signin_rate_limit="100 per minute",
                       signin_account_rate_limit="3 per hour")
    here = {"REMOTE_ADDR": "198.51.100.7"}
    try:
        Auth(app.test_client()).signup()
        Auth(app.test_client()).signup(email="bob@example.org")
        for _ in range(3):  # successes never count
            assert Auth(app.test_client()).signin(environ_base=here).status_code == 302
        attacker = Auth(app.test_client())
        codes = [attacker.signin(password="wrong password", environ_base=here).status_code
                 for _ in range(4)]
        assert codes == [400, 400, 400, 429]
        assert attacker.signin(environ_base=here).status_code == 429  # this pair: slowed down
        other = attacker.signin(email="bob@example.org", password="wrong password",
                                environ_base=here)
        assert other.status_code == 400  # another account from the same address
        elsewhere = Auth(app.test_client()).signin(environ_base={"REMOTE_ADDR": "192.0.2.1"})
        assert elsewhere.status_code == 302  # the owner, from her own address
    finally:
        app.extensions["custos.vault"].close()
