"""`custos demo` played to the end against its own server, as a newcomer would run it."""

from __future__ import annotations

import stat

from click.testing import CliRunner

from api.cli_demo import demo


def test_demo_story_plays_to_the_end(tmp_path, monkeypatch):
    monkeypatch.setenv("CUSTOS_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(demo, ["--port", "0", "--exit", "--pace", "0"],
                                catch_exceptions=False)
    print(result.output)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "denied at once" in out and "it waits for Ada" in out
    assert "Refused by her terms" in out
    assert "Delivered the offer from GreenWheels" in out
    assert "Filtered out the offer from FastCars" in out and "b-corp" in out
    assert "polls: approved, and reads household size 3" in out
    assert "invalid_token" in out and "receipt now says: revoked" in out
    assert "webhook got the signed notice (verified): agreement revoked, duty to delete" in out
    assert "Sign in at http://127.0.0.1:" in out
    token_file = tmp_path / "home" / "demo-butler.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
