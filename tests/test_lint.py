"""The code passes ruff, configured in ruff.toml: unused names, shadowed imports, likely bugs
(flake8-bugbear), outdated syntax and import order are found here, so CI runs the linter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed!" in result.stdout
