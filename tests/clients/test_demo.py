"""`custos demo` played to the end against its own server, as a newcomer would run it."""

from __future__ import annotations

import re
import stat

from click.testing import CliRunner

from api import create_app
from api.cli.demo import demo
from api.config import from_env
from tests.conftest import Auth


def test_demo_story_plays_to_the_end(tmp_path, monkeypatch):
    monkeypatch.setenv("CUSTOS_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(demo, ["--port", "0", "--exit", "--pace", "0"],
                                catch_exceptions=False)
    print(result.output)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "denied at once" in out and "it waits for Ada" in out
    assert "Refused before reaching Ada" in out
    assert "agreements SD-BASE and delete-on-request" in out
    assert "Custos verifies and countersigns: accepted" in out
    assert "Delivered the offer from GreenWheels" in out
    assert "Filtered out the offer from FastCars" in out and "b-corp" in out
    assert "polls: approved, signs, and reads household size 3" in out
    assert "Through Custos: Ada asks “Can you deliver it in Berlin in March?”" in out
    assert "She accepts, giving her city but not the phone number" in out
    assert "GreenWheels reads city Berlin" in out
    assert "GreenWheels writes back: Thank you! Your e-Up! is booked." in out
    assert "Her terms let it add the order to her vault: “e-Up! order”" in out
    assert "got a signed intent_closed notice (verified)" in out
    assert "Ada stops sharing everything with GreenWheels: 3 agreements end" in out
    assert "invalid_token" in out and "access_refused" in out
    assert "receipts now say: revoked, revoked" in out
    assert "webhook got 3 signed notices (verified): agreements revoked, duty to delete" in out
    assert "confirms each with its signature: 3 of 3 deletions confirmed" in out
    assert "Sign in at http://127.0.0.1:" in out
    token_file = tmp_path / "home" / "demo-butler.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    _pages_tell_the_same_story(out, monkeypatch)


def _pages_tell_the_same_story(out: str, monkeypatch) -> None:
    """What the story says last is what Ada's Connections page shows: GreenWheels has ended."""
    email, password = re.search(r"as (\S+) with password (\S+)", out).groups()
    monkeypatch.setenv("CUSTOS_SECRET_KEY", "d" * 40)
    app = create_app(from_env(), testing=True)
    try:
        client = app.test_client()
        assert Auth(client).signin(email, password).status_code == 302
        page = client.get("/connections").get_data(as_text=True)
        live, _, rest = page.partition('id="agents"')  # the agents, then ended connections
        agents, _, ended = rest.partition("Ended connections")
        assert "GreenWheels" not in live and "GreenWheels" in ended
        assert "Custos butler" in agents and "by your agent Custos butler" in agents
        assert "No vendor can read your data." in live
        assert "Deletions confirmed: 3 of 3." in ended
    finally:
        app.extensions["custos.vault"].close()
