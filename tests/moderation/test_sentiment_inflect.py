"""The re-implemented lemmatisation rules give exactly pattern's results (pattern as vendored by textblob-de)."""

from __future__ import annotations

import itertools

import pytest

from moderation.sentiment_data import load
from moderation.sentiment_inflect import (
    LETTERS,
    Singularizer,
    VerbLemmatizer,
    predicative,
    rule_lemma,
    rule_lemma_sources,
)
from tests.corpus import tweet_texts

CRAFTED = [
    "", "a", "ab", "gut", "gute", "guten", "plausibles", "propres", "Häuser", "Löwen", "Bürgerinnen", "Straßen",
    "gegrüßt", "gemacht", "abgerissen", "aufgemacht", "zurückgekommen", "hielte", "schnitte", "wechselte",
    "trommeln", "abknallst", "setze nieder", "hieß", "ließe", "gegessen", "verstanden", "überlegt", "ging",
    "war", "WAR", "Sein", "te", "it", "iess", "test", "geit",
    "Fußball", "weißt", "gewusst", "Einsätze", "emp", "gelächelt", "handelnde",
]


# Endings the rules look at: adjective and plural endings, verb endings, subjunctive stems, and their mixes.
ENDINGS = ["", "e", "en", "em", "er", "es", "n", "s", "nen", "t", "te", "st", "et", "test", "end", "ten", "tet",
           "ieb", "ied", "ief", "ieg", "iel", "ien", "iess", "ieß", "iff", "iss", "iß", "it", "oss", "öss", "iebe",
           "iessen", "itte", "eln", "ern", "lnde", "rnde", "ae", "al", "äl", "öe", "hl", "eil", "ll", "innen", "bles",
           "pres", "eeiss", "eeid", "eit"]


@pytest.fixture(scope="module")
def words() -> list[str]:
    """Distinct words of 1,000 real tweets (every fifth), crafted ones, and words built from the lexicons'
    words with the endings the rules look at (and the prefixes of participles and verbs)."""
    texts = tweet_texts(step=5)
    found = {w.strip(".,!?:;\"'()") for t in texts for w in t.split()}
    data = load()
    stems = sorted(w for w in data.sentiment_words if w.isalpha())[::11] + sorted(data.verbs)[::17]
    for i, stem in enumerate(stems):
        ending = ENDINGS[i % len(ENDINGS)]
        found |= {stem + ending, stem[:-2] + ending, stem.capitalize() + ending}
        found |= {"ge" + stem[:-2] + "t", data.verb_prefixes[i % len(data.verb_prefixes)] + stem}
    for suffix, _ in data.singular_inflections:  # every plural rule, after a short and a long stem
        found |= {"Ka" + suffix, "Bürgerbe" + suffix}
    return sorted(found | set(CRAFTED))


def test_predicative_and_singularize_match_pattern(words: list[str]) -> None:
    from textblob_de.packages import pattern_de

    data = load()
    singularize = Singularizer(data.singular_inflections, data.singular)
    assert len(words) > 5000
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


# -- the index of words with risky lemmas (moderation.sentiment's shortcut for new words) -----------------------


def _short_words(alphabet: str, longest: int) -> list[str]:
    """Every word of up to ``longest`` letters from ``alphabet`` (none starting with "ß", as the shortcut's)."""
    return ["".join(letters) for n in range(1, longest + 1) for letters in itertools.product(alphabet, repeat=n)
            if letters[0] != "ß"]


def test_lemma_sources_list_every_word_with_that_lemma(words: list[str]) -> None:
    """Undoing the rules finds every word a lemma comes from: checked on the test words and on every word of
    up to four letters from those the rules look at."""
    data = load()
    singularize = Singularizer(data.singular_inflections, data.singular)
    plain = [w.lower() for w in words if w and LETTERS.issuperset(w.lower()) and not w.lower().startswith("ß")]
    for w in plain + _short_words("aeilnrstgdbßäöü", 3) + _short_words("aeilnrst", 4):
        assert w in rule_lemma_sources(rule_lemma(w)), w
        assert w in singularize.sources(singularize.by_rules(w.capitalize()).lower()), w


def test_edges_of_rule_lemmas_are_what_the_shortcut_assumes(words: list[str]) -> None:
    """A verb rule lemma ends in "n" and starts like its word, after a participle's "ge", or with e/a/i; a
    singular from the rules starts like its word. (Or they are shorter than three letters: in the index.)"""
    data = load()
    singularize = Singularizer(data.singular_inflections, data.singular)
    plain = [w.lower() for w in words if w and LETTERS.issuperset(w.lower()) and not w.lower().startswith("ß")]
    for w in plain + _short_words("aeilnrstgdbßäöü", 3):
        lemma = rule_lemma(w)
        assert lemma.endswith("n"), w
        participle = w.startswith("ge") and w.endswith("t")
        assert lemma[0] in (w[0], *"eai") or participle or len(lemma) < 3, w
        singular = singularize.by_rules(w.capitalize()).lower()
        assert not singular or singular[0] == w[0] or len(singular.replace("ß", "ss")) < 3, w


def test_index_lists_the_words_whose_lemmas_the_scorer_knows(words: list[str]) -> None:
    from moderation.sentiment_data import load_index, scorer_words

    data = load()
    index = load_index()
    known = scorer_words(data)
    singularize = Singularizer(data.singular_inflections, data.singular)
    plain = [w.lower() for w in words if w and LETTERS.issuperset(w.lower()) and not w.lower().startswith("ß")]
    plain += [w for w in known if LETTERS.issuperset(w)]  # the lexicon's own words: all have risky lemmas
    risky = 0
    for w in plain:
        for lemma in (rule_lemma(w), singularize.by_rules(w.capitalize()).lower()):
            folded = lemma.replace("ß", "ss")
            if folded in known or len(folded) < 3:
                assert w in index, (w, lemma)
                risky += 1
    assert risky > 1000
