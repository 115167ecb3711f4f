"""The re-implemented lemmatisation rules give exactly pattern's results (pattern as vendored by textblob-de)."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.sentiment_data import load
from moderation.sentiment_inflect import Singularizer, VerbLemmatizer, predicative

ROOT = Path(__file__).resolve().parents[2]
TWEETS = ROOT / "moderation" / "model" / "training" / "germeval2018.training.txt"
CRAFTED = [
    "", "a", "ab", "gut", "gute", "guten", "plausibles", "propres", "Häuser", "Löwen", "Bürgerinnen", "Straßen",
    "gegrüßt", "gemacht", "abgerissen", "aufgemacht", "zurückgekommen", "hielte", "schnitte", "wechselte",
    "trommeln", "abknallst", "setze nieder", "hieß", "ließe", "gegessen", "verstanden", "überlegt", "ging",
    "war", "WAR", "Sein", "te", "it", "iess", "test", "geit",
    "Fußball", "weißt", "gewusst", "Einsätze", "emp", "gelächelt", "handelnde",
]


@pytest.fixture(scope="module")
def words() -> list[str]:
    """Distinct words of 1,000 real tweets (every fifth) plus crafted ones."""
    with TWEETS.open(encoding="utf-8") as f:
        texts = [line.split("\t", 1)[0] for line in f][::5]
    found = {w.strip(".,!?:;\"'()") for t in texts for w in t.split()}
    return sorted(found | set(CRAFTED))


def test_predicative_and_singularize_match_pattern(words: list[str]) -> None:
    from textblob_de.packages import pattern_de

    data = load()
    singularize = Singularizer(data.singular_inflections, data.singular)
    assert len(words) > 3000
    for w in words:
        assert predicative(w) == pattern_de.predicative(w), w
        assert singularize(w) == pattern_de.singularize(w), w


def test_verb_lemmas_and_infinitives_match_pattern(words: list[str]) -> None:
    from textblob_de.packages import pattern_de

    data = load()
    verbs = VerbLemmatizer(data.verbs, data.verb_prefixes)
    reference = pattern_de.inflect.verbs
    for w in words:
        assert verbs.lemma(w) == reference.lemma(w), w
        assert verbs.find_lemma(w) == reference.find_lemma(w), w
        assert verbs.infinitive(w) == pattern_de.conjugate(w, pattern_de.INFINITIVE), w
