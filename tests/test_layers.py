"""The one-way layers of DESIGN.md section 2, enforced by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([exe, "--config", str(REPO / "pyproject.toml")], cwd=REPO,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_top_level_layout() -> None:
    for name in ("pyproject.toml", "README.md", "config", "connectors", "moderation", "store", "dashboard",
                 "tests", ".ci/run"):
        assert (REPO / name).exists(), name
