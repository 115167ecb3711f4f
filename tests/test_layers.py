"""Static checks: the one-way layers of DESIGN.md section 2 (import-linter), ruff, and mypy --strict on the core."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    result = subprocess.run([_tool("lint-imports"), "--config", str(REPO / "pyproject.toml"),
                             "--cache-dir", str(REPO / "tests" / ".cache" / "import-linter")], cwd=REPO,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_top_level_layout() -> None:
    for name in ("pyproject.toml", "README.md", "config", "connectors", "moderation", "store", "dashboard",
                 "tests", ".ci/run"):
        assert (REPO / name).exists(), name


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_strict_on_the_core_packages() -> None:
    result = subprocess.run([_tool("mypy"), "connectors", "moderation", "store"], cwd=REPO,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
