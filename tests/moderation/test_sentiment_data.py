"""The shipped sentiment data must be exactly what the installed textblob-de holds, and be all the engine needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from moderation.sentiment_data import DATA_PATH, extract, load, serialize


def test_shipped_data_equals_a_fresh_extraction() -> None:
    shipped = orjson.loads(DATA_PATH.read_bytes())
    fresh = orjson.loads(serialize(extract()))
    assert shipped.keys() == fresh.keys()
    for key in fresh:  # key by key, for a readable failure
        assert shipped[key] == fresh[key], f"{key}: run `python -m moderation.sentiment_data`"


def test_loaded_data_has_the_expected_shape() -> None:
    data = load()
    assert len(data.tagger_lexicon) > 30_000 and data.tagger_lexicon["gut"] == "ADJD"
    assert data.sentiment_words["gut"][:3] == (1.0, 0.0, 1.0)
    assert "nicht" in data.negations and data.modifier_suffix == "lich"
    assert data.verbs["sein"] and "war" in data.verbs["sein"]
    assert ("innen", "in") in data.singular_inflections and "ver" in data.verb_prefixes
    assert any(":-)" in faces for _, faces in data.emoticons)


def test_sentiment_runs_without_textblob_de() -> None:
    code = (
        "import sys, moderation.sentiment as s\n"
        "assert s.sentiment('Das ist nicht gut.') == (-0.5, 0.0)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textblob_de', 'textblob', 'nltk', '_pattern')))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_shipped_index_equals_a_rebuild(tmp_path: Path) -> None:
    """moderation/model/sentiment/risky_words.txt is built from the shipped data by code, never by hand."""
    from moderation.sentiment_data import INDEX_PATH, build_index, load_index

    rebuilt = build_index(tmp_path / "risky_words.txt")
    assert INDEX_PATH.read_text(encoding="utf-8") == rebuilt.read_text(encoding="utf-8"), \
        "run `python -m moderation.sentiment_data`"
    assert len(load_index()) > 50_000


def test_index_of_other_data_is_refused(tmp_path: Path) -> None:
    from moderation.sentiment_data import INDEX_PATH, load_index

    other = tmp_path / "sentiment_data.json"
    other.write_bytes(DATA_PATH.read_bytes().replace(b'"gut"', b'"gud"', 1))
    with pytest.raises(ValueError, match="passt nicht"):
        load_index(INDEX_PATH, other)
