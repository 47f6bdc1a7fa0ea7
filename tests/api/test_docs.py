"""The docs stay true: every `custos` command is in docs/cli.md, every docs link resolves."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from api.cli import custos as cli_module

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: click.Group, prefix: str = "custos") -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append(path)
    return found


def test_every_command_is_documented():
    cli_module._register_optional()
    text = (ROOT / "docs" / "cli.md").read_text()
    commands = _commands(cli_module.cli)
    assert len(commands) >= 15, commands
    missing = [c for c in commands if f"`{c}" not in text]
    assert missing == [], f"undocumented commands: {missing}"


@pytest.mark.parametrize("doc", sorted(p.name for p in (ROOT / "docs").glob("*.md")) +
                         ["../README.md"])
def test_relative_links_resolve(doc):
    path = (ROOT / "docs" / doc).resolve()
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
        if "://" in target:
            continue
        assert (path.parent / target).exists(), f"{doc} links to missing {target}"
