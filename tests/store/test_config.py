"""The shipped configuration validates; broken files give one clear German message naming file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from store.config import DEFAULT_DIR, ConfigError, load_config


def test_shipped_config_is_valid() -> None:
    cfg = load_config(DEFAULT_DIR)
    assert {c.platform for c in cfg.channels} >= {"rss", "mastodon", "facebook"}
    assert [i.id for i in cfg.checklist.items] == [f"DS{n:02d}" for n in range(1, 17)]
    assert cfg.policy.urgency_class("notfall").sla_minutes == 15


@pytest.fixture
def cfg_dir(tmp_path: Path) -> Path:
    d = tmp_path / "config"
    shutil.copytree(DEFAULT_DIR, d)
    return d


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("policy.yaml", "sla_minutes: 15", "sla_minutes: bald", "urgency[0].sla_minutes"),
        ("policy.yaml", "land: NW", "land: XX", "land"),
        (
            "channels.yaml", "token_env: NETZPFLEGE_FACEBOOK_TOKEN", "token_env: EAAB-geheim",
            "channels[3].token_env",
        ),
        ("channels.yaml", "platform: mastodon", "platform: myspace", "channels[1].platform"),
        ("channels.yaml", "posts_per_week: [3, 8]", "posts_per_week: [3, 8]\n    colour: blue", "colour"),
        ("netiquette.yaml", "default_action: hide", "default_action: verbrennen", "default_action"),
        ("policy.yaml", "land: NW", "land: [NW", "Zeile"),
    ],
)
def test_broken_file_names_file_and_key(cfg_dir: Path, file: str, old: str, new: str, expected: str) -> None:
    path = cfg_dir / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg_dir)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Konfigurationsordner fehlt"):
        load_config(tmp_path / "nope")
