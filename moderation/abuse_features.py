"""Features of the abuse model, shared by training (:mod:`moderation.train`) and inference (:mod:`moderation.abuse`).

Three groups, all over the *normalised* text with Twitter noise (@mentions, URLs, ``#``, ``|LBR|``) removed so
that what the model learns from tweets transfers to comment sections:

* ``c:`` character n-grams inside words (padded with a space at both ends), length ``CHAR_MIN..CHAR_MAX``;
* ``w:`` word unigrams and ``b:`` word bigrams;
* ``x:`` dense cues: lexicon hits per category, patterns, insult aimed at a person, negation, shouting.

A feature value is ``count * idf / sqrt(n)`` where ``n`` is the number of n-grams of its group in the text (an
additive stand-in for L2 normalisation). Because it is additive per word, inference caches one sum per word.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from moderation.abuse_lexicon import CATEGORIES, Lexicon, PatternHit, TermHit
from moderation.normalise import tokens

MODEL_FORMAT = "netzpflege-abuse-linear/2"  # what `netzpflege train` writes: weights grouped (see group_weights)
CHAR_MIN = 3
CHAR_MAX = 6
_URL = re.compile(r"https?://\S+|www\.\S+")
_NOISE = re.compile(r"@[^\W_]\w*|\|lbr\||#")

SECOND_PERSON = frozenset("du dich dir dein deine deinen deinem deiner euch euer eure euren eurem eurer".split())
# words that, just before an insult, aim it at someone: "du Idiot", "ist ein Vollidiot", "diese Idioten"
_TARGETING = SECOND_PERSON | frozenset(
    "ihr sie er ist bist sind seid war warst waren wart bleibt bleiben ein eine einen einem einer der die das "
    "den dem dieser diese diesen diesem dieses solche solcher solchen lauter alles typisch sein seine seinen "
    "ihre ihren unser unsere unseren so voll total echt".split()
)
NEGATIONS = frozenset("kein keine keinen keinem keiner nicht nie niemals niemand".split())
_WINDOW = 3

DENSE_NAMES = (
    *(f"x:lex_{c}" for c in CATEGORIES),
    "x:mild_insult",
    *(f"x:pattern_{c}" for c in CATEGORIES),
    "x:insult_at_person",
    "x:insult_negated",
    "x:second_person",
    "x:second_person_mild",
    "x:exclamations",
    "x:shouting",
)


_NOT_CUES = frozenset({"x:second_person", "x:exclamations", "x:shouting", "x:mild_insult", "x:second_person_mild"})


def has_lexicon_cue(dense: dict[str, float]) -> bool:
    """Whether the lexicon found a strong term or a pattern (such texts have their own decision threshold)."""
    return not _NOT_CUES.issuperset(dense)


def clean(normalised: str) -> str:
    """Remove @mentions, ``#`` and the ``|LBR|`` line-break markers of the tweets; URLs become the word "url"."""
    if "/" in normalised or "www." in normalised:
        normalised = _URL.sub(" url ", normalised)
    if "@" in normalised or "#" in normalised or "|" in normalised:
        normalised = _NOISE.sub(" ", normalised)
    return normalised


def char_grams(word: str) -> list[str]:
    """Character n-grams of one word, padded with a space at both ends."""
    padded = f" {word} "
    size = len(padded)
    return [padded[i : i + n] for n in range(CHAR_MIN, CHAR_MAX + 1) for i in range(size - n + 1)]


def word_grams(words: list[str]) -> list[str]:
    """Unigram and bigram feature names of a token list."""
    return [f"w:{w}" for w in words] + [f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True, slots=True)
class Cues:
    """What the lexicon found in one text, with the dense features derived from it."""

    words: list[str]
    term_hits: list[tuple[int, TermHit]]  # (token index, hit)
    pattern_hits: list[PatternHit]
    insult_at_person: list[str]  # insult words aimed at someone and not negated
    dense: dict[str, float]


def cues(text: str, cleaned: str, lexicon: Lexicon) -> Cues:
    """Lexicon hits and dense features of a text (``cleaned`` = :func:`clean` of its normalised form)."""
    words = tokens(cleaned)
    return cues_of_hits(text, words, *lexicon.scan(cleaned, words))


def cues_of_hits(text: str, words: list[str], term_hits: list[tuple[int, TermHit]],
                 pattern_hits: list[PatternHit]) -> Cues:
    """:func:`cues` from the tokens and the :meth:`~moderation.abuse_lexicon.Lexicon.scan` of a text.

    Inference calls it directly with no hits when it already knows that no word can hit (see ``AbuseModel``).
    """
    dense: dict[str, float] = {}
    for _, hit in term_hits:
        dense["x:mild_insult" if hit.mild else f"x:lex_{hit.category}"] = 1.0
    for p in pattern_hits:
        dense[f"x:pattern_{p.category}"] = 1.0
    aimed: list[str] = []
    negated = False
    for i, hit in term_hits:
        if hit.category != "insult" or hit.mild:
            continue
        before = words[max(0, i - _WINDOW) : i]
        if NEGATIONS.intersection(before):
            negated = True
        elif i == 0 or _TARGETING.intersection(before):
            aimed.append(hit.word)
    if aimed:
        dense["x:insult_at_person"] = 1.0
    if negated:
        dense["x:insult_negated"] = 1.0
    if not SECOND_PERSON.isdisjoint(words):
        dense["x:second_person"] = 1.0
        if "x:mild_insult" in dense:
            dense["x:second_person_mild"] = 1.0
    bangs = text.count("!")
    if bangs:
        dense["x:exclamations"] = min(bangs, 3) / 3
    if len(text) >= 12 and text.isupper():
        dense["x:shouting"] = 1.0
    return Cues(words, term_hits, pattern_hits, aimed, dense)


GroupedWeights = dict[str, dict[str, Any]]


def group_weights(weights: dict[str, float]) -> GroupedWeights:
    """Feature weights by group, as the model file stores them (format 2): fast to load, no per-key work.

    ``{"b": {first: {second: w}}, "c": {gram: w}, "w": {word: w}, "x": {"x:cue": w}}``: group prefixes are
    dropped except for the dense cues (named as :func:`cues` names them); bigrams are nested by their first word
    so that inference looks a pair up without joining strings.
    """
    grouped: GroupedWeights = {"b": {}, "c": {}, "w": {}, "x": {}}
    for name, value in weights.items():
        kind, colon, feature = name.partition(":")
        if not colon or kind not in grouped:
            raise ValueError(f"unbekannte Merkmalsgruppe in {name!r}")
        if kind == "b":
            first, _, second = feature.partition(" ")
            grouped["b"].setdefault(first, {})[second] = value
        else:
            grouped[kind][name if kind == "x" else feature] = value
    return grouped


def flat_weights(grouped: GroupedWeights) -> dict[str, float]:
    """The inverse of :func:`group_weights`: every weight by its feature name (``c:``, ``w:``, ``b:``, ``x:``)."""
    flat = {f"b:{first} {second}": v for first, seconds in grouped["b"].items() for second, v in seconds.items()}
    flat |= {f"c:{gram}": v for gram, v in grouped["c"].items()}
    flat |= {f"w:{word}": v for word, v in grouped["w"].items()}
    return flat | grouped["x"]


def sparse_counts(words: list[str]) -> tuple[Counter[str], int, Counter[str], int]:
    """Character n-gram counts and their total, word n-gram counts and the number of words (training)."""
    chars: Counter[str] = Counter()
    for w in words:
        chars.update(f"c:{g}" for g in char_grams(w))
    grams = word_grams(words)
    return chars, sum(chars.values()), Counter(grams), len(words)
