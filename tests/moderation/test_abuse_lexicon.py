"""The abuse lexicon's fast paths: the built JSON, patterns compiled when needed, new words ruled out by sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation.abuse import DEFAULT_LEXICON, MODEL_PATH, AbuseModel
from moderation.abuse_features import clean, flat_weights
from moderation.abuse_lexicon import _ENDINGS, BUILT_LEXICON, Lexicon, LexiconError, _squeeze, build
from moderation.normalise import normalise, tokens
from tests.corpus import tweet_texts


def test_built_lexicon_equals_a_rebuild(tmp_path: Path) -> None:
    """The shipped JSON is what ``python -m moderation.abuse_lexicon`` writes from ``config/lexicon.yaml``."""
    out = tmp_path / "abuse_lexicon.json"
    build(DEFAULT_LEXICON, out)
    assert out.read_bytes() == BUILT_LEXICON.read_bytes(), "python -m moderation.abuse_lexicon ausführen"


def test_shipped_lexicon_comes_from_the_built_json_and_compiles_patterns_when_needed() -> None:
    lexicon = Lexicon.load(DEFAULT_LEXICON)
    yaml_lexicon = Lexicon.from_dict(_yaml(DEFAULT_LEXICON))
    assert lexicon.categories == yaml_lexicon.categories and lexicon._patterns == yaml_lexicon._patterns
    assert not any(lexicon._compiled)  # nothing compiled at load
    assert not lexicon.patterns_in("ein ganz normaler text", set(range(len(lexicon._patterns))))
    assert not any(lexicon._compiled)  # no anchor in the text: still nothing compiled
    assert [p.category for p in lexicon.patterns_in("ich weiss wo du wohnst", set(range(len(lexicon._patterns))))]
    assert 0 < sum(rx is not None for rx in lexicon._compiled) < len(lexicon._patterns)


def test_edited_lexicon_is_read_from_yaml_and_checked_at_once(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text(DEFAULT_LEXICON.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # differs by a byte
    lexicon = Lexicon.load(path)
    assert lexicon._patterns == Lexicon.load(DEFAULT_LEXICON)._patterns
    path.write_text("categories:\n  threat:\n    patterns: ['\\bok', '(kaputt']\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="ungültiges Muster"):
        Lexicon.load(path)
    with pytest.raises(LexiconError, match="nicht lesbar"):
        Lexicon.load(tmp_path / "fehlt.yaml")
    path.write_text("categories: [unclosed\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="nicht lesbar"):
        Lexicon.load(path)


def test_a_stale_built_lexicon_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = json.loads(BUILT_LEXICON.read_text(encoding="utf-8"))
    built["lexicon"]["categories"]["spam"]["patterns"] = []
    stale = tmp_path / "abuse_lexicon.json"
    stale.write_text(json.dumps({**built, "source_sha256": "0" * 64}), encoding="utf-8")
    monkeypatch.setattr("moderation.abuse_lexicon.BUILT_LEXICON", stale)
    assert Lexicon.load(DEFAULT_LEXICON)._patterns == Lexicon.from_dict(_yaml(DEFAULT_LEXICON))._patterns


def _yaml(path: Path) -> object:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _lookup_reference(lexicon: Lexicon, word: str) -> set[tuple[str, str, bool]]:
    """Every term the word matches, by trying every term (no index, no filter): what ``_lookup`` must find."""
    if len(word) < 2 or word.isdigit():
        return set()
    squeezed = _squeeze(word)
    found: set[tuple[str, str, bool]] = set()
    for ending in _ENDINGS:
        base = squeezed[: len(squeezed) - len(ending)]
        if not squeezed.endswith(ending) or len(base) < 2:
            continue
        found.update(e for core, entries in lexicon._exact.items() if base == core for e in entries)
        found.update(e for core, entries in lexicon._suffix.items() if base.endswith(core) for e in entries)
    found.update(e for core, entries in lexicon._prefix.items() if squeezed.startswith(core) for e in entries)
    found.update(e for core, e in lexicon._infix if core in squeezed)
    return found


def test_new_words_ruled_out_by_sets_lose_no_term() -> None:
    """``_lookup`` (ending and beginning checked against sets first) finds what trying every term finds."""
    lexicon = Lexicon.load(DEFAULT_LEXICON)
    words = {w for text in tweet_texts() for w in tokens(clean(normalise(text)))}
    for core in [*lexicon._exact, *lexicon._suffix, *lexicon._prefix]:  # every term with every ending, compounded
        words.update(f"{head}{core}{ending}" for head in ("", "stadt", "x") for ending in _ENDINGS)
    assert len(words) > 20_000
    for word in words:
        hits = {(h.category, h.term, h.mild) for h in lexicon._lookup(word)}
        assert hits == _lookup_reference(lexicon, word), word


def test_model_format_1_still_loads_and_decides_the_same() -> None:
    """Models written before the grouped format (flat ``weights``) load and give the same results."""
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    flat = {**shipped, "format": "netzpflege-abuse-linear/1", "weights": flat_weights(shipped["weights"])}
    lexicon = Lexicon.load(DEFAULT_LEXICON)
    old, new = AbuseModel(flat, lexicon), AbuseModel(shipped, lexicon)
    for text in ["Du Vollidiot!", "Danke für die schnelle Hilfe", "Halt die Fresse, du Penner", ""]:
        assert old.assess(text) == new.assess(text)
