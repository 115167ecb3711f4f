"""moderation.sentiment must give textblob-de's numbers (its reference implementation), only faster."""

from __future__ import annotations

import math
import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.sentiment import sentiment
from tests.corpus import tweet_texts

FIXTURES = Path(__file__).parent / "fixtures"
TOLERANCE = 0.01
REQUIRED_SHARE = 0.99


def load_comments() -> list[str]:
    """The fixture comments; a literal "\\n" in a line stands for a line break."""
    lines = (FIXTURES / "sentiment_comments.txt").read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines if line.strip() and not line.startswith("#")]


def combined_comments(comments: list[str], count: int, seed: int) -> Iterator[str]:
    """Longer comments: two or three fixture comments glued with spaces, line breaks or paragraphs."""
    rng = random.Random(seed)
    for _ in range(count):
        parts = rng.sample(comments, rng.randint(2, 3))
        yield rng.choice([" ", "\n", "\n\n", " ... "]).join(parts)


def reference(text: str) -> tuple[float, float]:
    from textblob_de import PatternTokenizer, TextBlobDE

    polarity, subjectivity = TextBlobDE(text, tokenizer=PatternTokenizer()).sentiment
    return float(polarity), float(subjectivity)


def agreement(texts: list[str]) -> tuple[float, list[tuple[str, tuple[float, float], tuple[float, float]]]]:
    misses = []
    for text in texts:
        ours, theirs = sentiment(text), reference(text)
        if abs(ours[0] - theirs[0]) > TOLERANCE or abs(ours[1] - theirs[1]) > TOLERANCE:
            misses.append((text, ours, theirs))
    return 1 - len(misses) / len(texts), misses


def test_fixture_corpus_is_varied() -> None:
    comments = load_comments()
    assert len(comments) >= 300
    joined = "\n".join(comments)
    for feature in ("nicht gut", "Sehr schlecht", "!!!", ":-)", ":(", "<3", "(!)", "ä", "ß", "\n\n", "/", "z.B."):
        assert feature in joined, feature
    assert any(c.isupper() and len(c) > 5 for c in comments)
    assert sum(1 for c in comments if c.count(". ") + c.count("? ") + c.count("! ") >= 1) >= 30


def test_agrees_with_textblob_de_on_fixture_comments() -> None:
    share, misses = agreement(load_comments())
    assert share >= REQUIRED_SHARE, misses[:5]


def test_agrees_with_textblob_de_on_combined_comments() -> None:
    texts = list(combined_comments(load_comments(), 250, seed=4))
    share, misses = agreement(texts)
    assert share >= REQUIRED_SHARE, misses[:5]


def test_identical_to_textblob_de_on_real_tweets() -> None:
    """300 real tweets (every 16th of GermEval 2018), scored live by textblob-de: identical numbers."""
    tweets = tweet_texts(step=16)
    assert len(tweets) >= 300
    misses = [(t, sentiment(t), reference(t)) for t in tweets]
    misses = [m for m in misses if m[1] != pytest.approx(m[2], abs=1e-9)]
    assert not misses, misses[:3]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (0.0, 0.0)),
        ("Das ist gut.", (1.0, 0.0)),
        ("Das ist nicht gut.", (-0.5, 0.0)),  # negation halves and flips
        ("Gut. Und sonst nichts.", (0.5, 0.0)),  # averaged over sentences, the neutral one counts as 0
        ("Danke :-)", (0.5, 1.0)),  # emoticons carry polarity and subjectivity
    ],
)
def test_known_values(text: str, expected: tuple[float, float]) -> None:
    assert sentiment(text) == pytest.approx(expected)
    assert reference(text) == pytest.approx(expected)


WORDS = sorted({w for c in load_comments() for w in c.split()})
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(["nicht", "kein", "sehr", "!", "!!!", "?", ".", "...", ",", "(!)", ":-)", ":(", "XD", "<3",
                     "/", "\n", "\n\n", '"', "„", "“", "'s", "z.B.", "Str.", "ß", "Ä", "😡", "<b>", "&amp;"]),
    st.text(min_size=1, max_size=4),
)
SEPARATORS = st.sampled_from([" ", " ", " ", "", "\n", "  "])


@st.composite
def comment_like(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.tuples(PIECES, SEPARATORS), max_size=25))
    return "".join(p + s for p, s in pieces)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(comment_like())
def test_matches_textblob_de_on_generated_text(text: str) -> None:
    ours, theirs = sentiment(text), reference(text)
    assert ours == pytest.approx(theirs, abs=1e-9), text


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), comment_like()))
def test_never_raises_and_stays_in_range(text: str) -> None:
    polarity, subjectivity = sentiment(text)
    assert math.isfinite(polarity) and math.isfinite(subjectivity)
    assert -1.0 <= polarity <= 1.0
    assert 0.0 <= subjectivity <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02\x1f\x7f",
        "\u200b\u200e\u202e Gut \ufeff",
        "<script>alert('schlecht')</script><br/>&nbsp;&lt;p&gt;",
        "😀" * 500,
        "/" * 300,
        ("Das ist gut! " * 3000) + ("Das ist schlecht. " * 3000),  # ~100 kB
        "gut " * 20000,  # one very long sentence
    ],
)
def test_robust_on_odd_input(text: str) -> None:
    polarity, subjectivity = sentiment(text)
    assert -1.0 <= polarity <= 1.0 and 0.0 <= subjectivity <= 1.0


# -- the rebuilt parts of pattern, against pattern itself ----------------------------------------------------


def test_tagger_gives_patterns_tags() -> None:
    from textblob_de.packages import pattern_de

    from moderation.sentiment import _engine

    engine = _engine()
    texts = load_comments() + list(combined_comments(load_comments(), 100, seed=9))
    checked = 0
    for text in texts:
        for sentence, tokens in engine.german.sentences_with_tokens(text):
            tokens = engine.sentence_tokens(sentence, tokens)
            words = [t.replace("ß", "ss") for t in tokens]
            initial = [engine.tagger.initial_tag(i, words)[0] for i in range(len(words))]
            context = engine.tagger.rules.context(words, initial)
            ours = [context.final_tag(i) for i in reversed(range(len(words)))][::-1]  # any order works
            theirs = [tag for _, tag in pattern_de.parser.find_tags(tokens, tagset=pattern_de.STTS)]
            assert ours == theirs, (tokens, ours, theirs)
            checked += len(tokens)
    assert checked > 3000


def test_morphology_and_infinitives_match_pattern() -> None:
    from textblob_de.packages import pattern_de

    from moderation.sentiment import _engine

    tagger = _engine().tagger
    words = sorted({w for c in load_comments() for w in c.split()})
    words += ["Bürgerbeteiligungsverfahren", "gegrüßt", "abgerissen", "Verkehrsberuhigung", "", "ß", "1", ":-)"]
    for w in words:
        for prev, next_ in [(None, None), ("der", "sich"), ("ist", "worden"), ("Prof.", ".")]:
            expected = pattern_de.parser.morphology.apply([w, "NN"], (prev, None), (next_, None))[1]
            assert tagger._apply_morphology(w, prev, next_) == expected, (w, prev, next_)
        assert tagger.lemma(w, "verb") == (pattern_de.conjugate(w, pattern_de.INFINITIVE) or w).lower(), w


# -- the shortcuts for new words, against the plain rules they stand for ------------------------------------


def _reference_inert(engine: Any, token: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """What `_Engine._inert_option` must decide, the plain way: every lemma of every kind, title-cased or
    not, must be scorer words none of which the scorer knows (one unknown alphabetic word of 3+ letters;
    or, for a token with other characters, pieces of which one ends a negation and one an intensifier).
    The merge edges of an inert token, None when it is not inert."""
    lexicon, english = engine.lexicon, engine.english
    matters = set(lexicon.words) | set(lexicon.negations) | set(lexicon.emoticons)
    firsts: set[str] = set()
    lasts: set[str] = set()
    raws = [engine.tagger.lemma(token, kind) for kind in ("", "adjective", "plural", "verb")]
    folded = [raw.replace("ß", "ss") for raw in raws]
    if all(w.isalpha() and len(w) > 2 and "forwardslash" not in w for w in folded[:1]):
        for w in folded:
            if not w.isalpha() or len(w) < 3 or "forwardslash" in w or w in matters:
                return None
            if not w.isascii() and w.title().lower() != w:
                return None
            firsts |= {w[0], w.title()[0]}
            lasts.add(w[-1])
    else:
        if len(token) < 3 or token in string.punctuation:
            return None
        for raw in raws:
            for titled in (False, True):
                lemma = engine._finish_lemma(token, raw, titled)
                if not lemma.cased or (matters | {"!", "(!)"}) & set(lemma.lower):
                    return None
                if not any(len(w.strip("'")) > 1 for w in lemma.lower) or not any(len(w) > 2 for w in lemma.lower):
                    return None
                firsts.add(lemma.cased[0][0])
                lasts.add(lemma.cased[-1][-1])
    return frozenset(firsts & english.merge_seconds), frozenset(lasts & english.merge_firsts)


def _new_words() -> list[str]:
    """Token types of the real tweets, plus inflected, capitalised and glued forms of the lexicon's words."""
    from moderation.sentiment import _engine

    engine = _engine()
    found: dict[str, None] = {}
    for text in tweet_texts():
        for sentence, tokens in engine.german.sentences_with_tokens(text):
            found.update(dict.fromkeys(engine.sentence_tokens(sentence, tokens)))
    lexicon = sorted(w for w in engine.lexicon.words if w.islower())[::7]
    endings = ["", "e", "en", "em", "er", "es", "n", "s", "nen", "t", "te", "st", "et", "test", "end", "ern", "ten"]
    for i, w in enumerate(lexicon):
        ending = endings[i % len(endings)]
        for form in (w + ending, ("ge" + w + "t") if i % 5 == 0 else w.capitalize() + ending):
            found.update(dict.fromkeys((form, form.replace("ss", "ß"), form.upper(), form + "...x", "#" + form)))
    return list(found)[::2]


def test_inert_shortcut_decides_as_the_plain_rules() -> None:
    from moderation.sentiment import _engine

    engine = _engine()
    words = _new_words()
    assert len(words) > 12_000
    inert = 0
    for token in words:
        option = engine._inert_option(token)
        expected = _reference_inert(engine, token)
        got = None if option is None else (option.firsts, option.lasts)
        assert got == expected, token
        inert += option is not None
    assert inert > len(words) // 2


def test_word_splitting_shortcuts_give_patterns_tokens() -> None:
    from moderation.sentiment import _engine

    engine = _engine()
    raws = {raw for text in tweet_texts() for raw in text.split()}
    raws |= {edge + raw for raw in sorted(raws)[::21] for edge in "@#(\"'-.,!?*"}
    raws |= {raw + edge for raw in sorted(raws)[::21] for edge in ")\"'-.,!?:;*"}
    raws |= {raw.title() for raw in sorted(raws)[::5]} | {"a.b", "x...y", "’s", "„x“", "u.s.a", "A.", "l'x", "(!)"}
    for tokenizer in (engine.german, engine.english):
        whole = 0
        for raw in raws:
            assert tokenizer.split_word(raw) == tokenizer._split_word(raw), raw
            if tokenizer.stays_whole(raw):
                assert tokenizer._split_word(raw) == (raw,), raw
                whole += 1
        assert whole > 10_000
