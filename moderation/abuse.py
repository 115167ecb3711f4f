"""Abuse detection: a linear model trained by ``netzpflege train`` plus the editable lexicon, with evidence.

The model is plain JSON (``moderation/model/abuse_model.json``); inference here is pure Python, no
scikit-learn. Lexicon hits of categories marked ``override`` (threats, hate, spam, doxxing) and strong insults
aimed at a person are clear cases that flag a comment whatever the model says; the evidence says so. Every
result carries its reasons in German and, where a comment may be criminal, the norm to consider as a hint.

Speed (comments we have never seen count, so the first sight of a word does): the features are additive per
word, so a text costs one cached look-up per whitespace-separated chunk; a word seen for the first time costs one
``itemgetter`` call that slices its character n-grams, a ``map`` over their weights and two set look-ups in the
lexicon. The model file stores its weights grouped by kind, so loading it builds no table in Python. (A table of
the n-gram sums of 60,000 common words spared their first sight in plain Python, but cost ~40 ms of start-up and
no longer paid once the hot path was compiled: `moderation.native`.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from moderation.abuse_features import (
    CHAR_MAX,
    CHAR_MIN,
    MODEL_FORMAT,
    Cues,
    GroupedWeights,
    clean,
    cues_of_hits,
    group_weights,
    has_lexicon_cue,
)
from moderation.abuse_lexicon import CATEGORIES, SOURCE_LEXICON, Lexicon, TermHit
from moderation.native import PACKAGE_DIR
from moderation.normalise import normalise, tokens

MODEL_PATH = PACKAGE_DIR / "model" / "abuse_model.json"
DEFAULT_LEXICON = SOURCE_LEXICON  # the shipped config/lexicon.yaml
FORMATS = ("netzpflege-abuse-linear/1", MODEL_FORMAT)  # 1: flat weights, converted at load
_CLEAR_SCORE = 0.95  # score reported for clear lexicon cases the model scored lower
_TOP_FEATURES = 5
_CACHE_LIMIT = 200_000
_DENSE_LABELS = {
    "x:insult_at_person": "Schimpfwort gegen eine Person",
    "x:insult_negated": "verneintes Schimpfwort",
    "x:second_person": "direkte Anrede (du/euch)",
    "x:second_person_mild": "direkte Anrede mit abwertendem Wort",
    "x:mild_insult": "abwertendes Wort",
    "x:exclamations": "Ausrufezeichen",
    "x:shouting": "durchgehende Großschrift",
}
# What inference needs of one word, cached: (sum of its character n-gram weights, number of its n-grams, its
# unigram weight, its lexicon term hits, the patterns it may start, the weights of the bigrams it starts by
# following word; an empty dict if none)
_WordEntry = tuple[float, int, float, tuple[TermHit, ...], tuple[int, ...], dict[str, float]]
# The same of a chunk of text between whitespace, which holds zero or more words (most hold one): (its words, the
# sums over them, its unigram plus inner bigram weights, its term hits by word index, the patterns they may start,
# its first word ("" if none), the bigram weights following its last word)
_ChunkEntry = tuple[tuple[str, ...], float, int, float, tuple[tuple[int, TermHit], ...], tuple[int, ...], str,
                    dict[str, float]]
_CUE_NAMES = {name: (f"x:pattern_{name}", f"x:lex_{name}") for name in CATEGORIES}  # dense cues per category
_NO_FOLLOWERS: dict[str, float] = {}
_ZEROS = repeat(0.0)  # endless: the default argument of ``map(dict.get, ...)``
# What the score of a text is made of, per word (for the evidence): character n-gram weight sums, unigram weights,
# the weights of the bigrams each word starts, and the number of character n-grams of the text
_Parts = tuple[Sequence[float], Sequence[float], Sequence[float], int]
_Slicer = tuple[Callable[[str], Iterable[str]], int]  # (n-grams of a padded word with weights, number of n-grams)


class ModelError(ValueError):
    """The model file is missing or not a Netzpflege abuse model; the message says why, in German."""


@dataclass(frozen=True, slots=True)
class AbuseResult:
    abusive: bool  # the binary decision (offensive or against the Netiquette)
    score: float  # 0..1; >= 0.5 means abusive
    categories: list[str] = field(default_factory=list)  # from CATEGORIES
    evidence: dict[str, list[str]] = field(default_factory=dict)  # terms, features, overrides
    criminal_hint: list[str] = field(default_factory=list)  # e.g. "§ 185 StGB": a hint, never a verdict
    reasons: list[str] = field(default_factory=list)  # short German strings for moderators


def clear_categories(dense: dict[str, float], lexicon: Lexicon) -> list[str]:
    """Categories whose lexicon hits make a clear case (override of the model), in category order (none without a
    lexicon cue: callers on a hot path check `has_lexicon_cue` first)."""
    found = []
    for name, cat in lexicon.categories.items():
        pattern_key, lex_key = _CUE_NAMES[name]  # from_dict admits only CATEGORIES
        if pattern_key in dense:
            hit = cat.override or cat.person_target  # person-target patterns are aimed by construction
        elif cat.person_target:
            hit = name == "insult" and "x:insult_at_person" in dense
        else:
            hit = cat.override and lex_key in dense
        if hit:
            found.append(name)
    return found


def decide_with_lexicon(model_says: bool, dense: dict[str, float], lexicon: Lexicon) -> bool:
    """The final binary decision: the model's, or a clear lexicon case."""
    return model_says or bool(clear_categories(dense, lexicon))


class AbuseModel:
    """A loaded abuse model (weights + threshold) with its lexicon; :meth:`assess` is pure and fast."""

    def __init__(self, model: dict[str, Any], lexicon: Lexicon) -> None:
        if model.get("format") not in FORMATS:
            raise ModelError(f"Unbekanntes Modellformat (erwartet {FORMATS[-1]})")
        features = model.get("features", {})
        if (features.get("char_min"), features.get("char_max")) != (CHAR_MIN, CHAR_MAX):
            raise ModelError("Das Modell wurde mit anderen Merkmalen trainiert; bitte neu trainieren")
        try:
            self.version: str = str(model["version"])
            self.threshold_cue = float(model["threshold"]["lexicon_cue"])
            self.threshold_no_cue = float(model["threshold"]["no_cue"])
            self.bias = float(model["bias"])
            weights = model["weights"]
            grouped: GroupedWeights = group_weights(weights) if model["format"] == FORMATS[0] else weights
            self._chars: dict[str, float] = grouped["c"]
            self._unigrams: dict[str, float] = grouped["w"]
            self._following: dict[str, dict[str, float]] = grouped["b"]  # "b:a b" as {a: {b: weight}}
            self._dense: dict[str, float] = grouped["x"]
            # every weight a number (sum raises TypeError otherwise), every group a dict of them
            sum(chain(self._chars.values(), self._unigrams.values(), self._dense.values(),
                      chain.from_iterable(map(dict.values, self._following.values()))))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"Modelldatei unvollständig oder beschädigt: {exc!r}") from exc
        self.lexicon = lexicon
        self._gram_lengths = sorted(set(map(len, self._chars)))  # lengths with weights: the ones sliced
        self._slicers: dict[int, _Slicer] = {}  # by padded word length
        self._word_cache: dict[str, _WordEntry] = {}
        self._chunk_cache: dict[str, _ChunkEntry] = {}
        self._always = lexicon.unanchored_patterns

    @classmethod
    def load(cls, path: Path | None = None, lexicon_path: Path | None = None,
             config_dir: Path | None = None) -> AbuseModel:
        """The shipped model (or ``path``) with ``lexicon.yaml`` of the configuration folder ``config_dir`` (default:
        :func:`store.config.config_dir`), or ``lexicon_path``; the shipped lexicon when the folder has none.

        Raises :class:`ModelError` or :class:`~moderation.abuse_lexicon.LexiconError`.
        """
        if lexicon_path is None:
            if config_dir is None:
                from store.config import config_dir as default_dir

                config_dir = default_dir()
            configured = config_dir / "lexicon.yaml"
            lexicon_path = configured if configured.is_file() else DEFAULT_LEXICON
        model_path = path or MODEL_PATH
        try:
            model = orjson.loads(model_path.read_bytes())
        except (OSError, ValueError) as exc:  # orjson.JSONDecodeError is a ValueError
            raise ModelError(f"{model_path}: Modell nicht lesbar: {exc}") from exc
        return cls(model, Lexicon.load(lexicon_path))

    def _word(self, word: str) -> _WordEntry:
        """What the model and the lexicon make of one word (see ``_WordEntry``), cached.

        The cold path (a word seen for the first time): its character n-grams are sliced by one ``itemgetter`` call
        and their weights looked up by ``map``, in the order of :func:`~moderation.abuse_features.char_grams`.
        """
        size = len(word) + 2
        slicer, n_grams = self._slicers.get(size) or self._slicer(size)
        char_sum = sum(map(self._chars.get, slicer(f" {word} "), _ZEROS))
        hits, starts = self.lexicon.word_info_uncached(word)
        entry = (char_sum, n_grams, self._unigrams.get(word, 0.0), hits, starts,
                 self._following.get(word, _NO_FOLLOWERS))
        if len(self._word_cache) >= _CACHE_LIMIT:
            self._word_cache.clear()
        self._word_cache[word] = entry
        return entry

    def _slicer(self, size: int) -> _Slicer:
        """(The character n-grams of a padded word of ``size`` characters in the order of ``char_grams``, their
        number), cached. N-gram lengths without any weight are not sliced (they add nothing to the sum).
        """
        cuts = [slice(i, i + n) for n in self._gram_lengths for i in range(size - n + 1)]
        slicer: Callable[[str], Iterable[str]] = itemgetter(*cuts) if len(cuts) >= 2 else (
            lambda padded: [padded[cut] for cut in cuts])
        n_grams = sum(max(0, size + 1 - n) for n in range(CHAR_MIN, CHAR_MAX + 1))
        self._slicers[size] = slicer, n_grams
        return slicer, n_grams

    def _chunk(self, chunk: str) -> _ChunkEntry:
        """What the model and the lexicon make of one whitespace-free chunk of text (see ``_ChunkEntry``), cached."""
        toks = (chunk,) if chunk.isalnum() else tuple(tokens(chunk))  # most chunks are one word (as tokens does)
        words = self._word_cache
        if len(toks) == 1:
            c, n, u, word_hits, starts, following = words.get(toks[0]) or self._word(toks[0])
            indexed = tuple([(0, hit) for hit in word_hits]) if word_hits else ()
            entry: _ChunkEntry = (toks, c, n, u, indexed, starts, toks[0], following)
        else:
            char_sum = word_sum = 0.0
            n_chars = 0
            hits: list[tuple[int, TermHit]] = []
            all_starts: set[int] = set()
            following = _NO_FOLLOWERS
            for j, w in enumerate(toks):
                c, n, u, word_hits, word_starts, after = words.get(w) or self._word(w)
                char_sum += c
                n_chars += n
                word_sum += u + following.get(w, 0.0)
                following = after
                hits += [(j, hit) for hit in word_hits]
                all_starts.update(word_starts)
            entry = (toks, char_sum, n_chars, word_sum, tuple(hits), tuple(sorted(all_starts)), toks[0] if toks else "",
                     following)
        if len(self._chunk_cache) >= _CACHE_LIMIT:
            self._chunk_cache.clear()
        self._chunk_cache[chunk] = entry
        return entry

    def decision(self, text: str, normalised: str | None = None) -> tuple[float, Cues]:
        """The raw linear decision value (compare with ``threshold_cue``/``threshold_no_cue``) and the lexicon cues.

        The hot path: one cached look-up per whitespace-separated chunk (n-gram sums are additive per word,
        lexicon hits are per word); patterns run only where a word may start them. Equals the training features
        times the weights up to float rounding (the reference in tests/moderation/test_abuse.py).
        """
        cleaned = clean(normalise(text) if normalised is None else normalised)
        cache = self._chunk_cache
        words: list[str] = []
        char_sum = word_sum = 0.0
        n_chars = 0
        term_hits: list[tuple[int, TermHit]] = []
        todo = set(self._always)  # patterns to run (what Lexicon.scan does, inlined)
        following = _NO_FOLLOWERS
        for toks, c, n, u, hits, starts, first, after in [cache.get(chunk) or self._chunk(chunk)
                                                         for chunk in cleaned.split()]:
            if not toks:
                continue  # a chunk without words (punctuation): bigrams span it
            if hits:
                term_hits += [(len(words) + j, hit) for j, hit in hits]
            if starts:
                todo.update(starts)
            words += toks
            char_sum += c
            n_chars += n
            word_sum += u + following.get(first, 0.0)
            following = after
        z = self.bias
        if words:
            z += char_sum / math.sqrt(n_chars) + word_sum / math.sqrt(len(words))
        found = cues_of_hits(text, words, term_hits, self.lexicon.patterns_in(cleaned, todo) if todo else [])
        weights = self._dense
        for name, value in found.dense.items():
            z += weights.get(name, 0.0) * value
        return z, found

    def assess(self, text: str, normalised: str | None = None, *, features: bool = True) -> AbuseResult:
        """Judge one comment; ``normalised`` = :func:`moderation.normalise.normalise` of it, if already known.

        ``features=False`` leaves the evidence's strongest model features out (an empty list): a fifth of the time
        of this stage on real tweets, for callers that show no evidence (the batch command).
        """
        z, found = self.decision(text, normalised)  # (no star call: compiled, it would go the slow generic way)
        return self._result(z, found, self._parts if features else None)

    def _parts(self, words: list[str]) -> _Parts:
        """The per-word parts of the score of ``words`` (for the evidence of flagged comments), from the cache."""
        cache = self._word_cache
        chars, n_grams, unigrams, _, _, followers = zip(*[cache.get(w) or self._word(w) for w in words], strict=True)
        bigrams = list(map(dict.get, followers, islice(words, 1, None), _ZEROS))
        return chars, unigrams, bigrams, sum(n_grams)

    def _result(self, z: float, found: Cues, parts: Callable[[list[str]], _Parts] | None) -> AbuseResult:
        """The result for decision value ``z``; ``parts`` gives the per-word parts of the score (:meth:`_parts`, or
        the tests' reference from the training features), None to leave the top features out."""
        cue = has_lexicon_cue(found.dense)
        threshold = self.threshold_cue if cue else self.threshold_no_cue  # lower with a lexicon cue (chosen by CV)
        model_says = z >= threshold
        clear = clear_categories(found.dense, self.lexicon) if cue else []
        margin = z - threshold
        score = 1.0 / (1.0 + math.exp(-margin)) if abs(margin) < 500 else float(margin > 0)
        if not (found.term_hits or found.pattern_hits or model_says or clear):
            return AbuseResult(False, round(score, 4))  # most comments: nothing to show
        term_evidence = [f"{h.category}: {h.word} ({h.term})" for _, h in found.term_hits]
        term_evidence += [f"{p.category}: {p.text}" for p in found.pattern_hits]
        if not model_says and not clear:
            return AbuseResult(False, round(score, 4), evidence={"terms": term_evidence, "features": []})
        if clear and not model_says:
            score = max(score, _CLEAR_SCORE)
        categories = self._categories(found, clear)
        evidence = {"terms": term_evidence, "features": self._top_features(found, parts(found.words)) if parts else []}
        if clear:
            evidence["overrides"] = [f"Eindeutiger Lexikon-Fall: {self.lexicon.categories[c].label}" for c in clear]
        return AbuseResult(True, round(score, 4), categories, evidence, self._hints(found, categories),
                           self._reasons(found, categories, model_says, score))

    def _categories(self, found: Cues, clear: list[str]) -> list[str]:
        named = set(clear)
        named.update(h.category for _, h in found.term_hits)
        named.update(p.category for p in found.pattern_hits)
        if not named:
            named.add("insult")  # the model found it offensive without naming words: insult in the wide sense
        return [c for c in CATEGORIES if c in named]

    def _hints(self, found: Cues, categories: list[str]) -> list[str]:
        hints: list[str] = []
        for p in found.pattern_hits:
            hints.append(p.hint)
        for name in categories:
            cat = self.lexicon.categories.get(name)
            if cat is None or (name == "insult" and not (found.insult_at_person or "x:pattern_insult" in found.dense
                                                         or "x:second_person" in found.dense)):
                continue
            hints.append(cat.hint)
        return list(dict.fromkeys(h for h in hints if h))

    def _reasons(self, found: Cues, categories: list[str], model_says: bool, score: float) -> list[str]:
        by_category: dict[str, list[str]] = {}
        for _, hit in found.term_hits:
            by_category.setdefault(hit.category, []).append(hit.word)
        for p in found.pattern_hits:
            by_category.setdefault(p.category, []).append(p.text)
        reasons = []
        for name in categories:
            label = self.lexicon.categories[name].label if name in self.lexicon.categories else name
            quoted = ", ".join(f"„{w}“" for w in dict.fromkeys(by_category.get(name, [])))
            reasons.append(f"{label}: {quoted}" if quoted else f"{label} (laut statistischem Modell)")
        if model_says:
            reasons.append(f"Statistisches Modell: beleidigend (Wert {score:.2f})")
        return reasons

    def _top_features(self, found: Cues, parts: _Parts) -> list[str]:
        """The strongest positive contributions, readable: words (their n-grams together), word pairs and cues."""
        words = found.words
        if not words:
            return []
        chars, unigrams, bigrams, n_chars = parts
        char_scale, word_scale = 1 / math.sqrt(n_chars), 1 / math.sqrt(len(words))
        by_word: dict[str, float] = {}
        for w, c, u in zip(words, chars, unigrams, strict=True):
            by_word[w] = by_word.get(w, 0.0) + c * char_scale + u * word_scale
        named = {f"„{w}“": v for w, v in by_word.items() if v > 0}  # only positive ones are shown
        for i in compress(range(len(bigrams)), bigrams):  # the pairs with a bigram weight
            key = f"„{words[i]} {words[i + 1]}“"
            named[key] = named.get(key, 0.0) + bigrams[i] * word_scale
        for name, value in found.dense.items():
            weight = self._dense.get(name, 0.0) * value
            if weight:
                label = _DENSE_LABELS.get(name) or self._dense_label(name)
                named[label] = named.get(label, 0.0) + weight
        ranked = sorted((v, k) for k, v in named.items() if v > 0)[::-1][:_TOP_FEATURES]
        return [f"{k} ({v:+.2f})" for v, k in ranked]

    def _dense_label(self, name: str) -> str:
        kind, _, category = name[2:].partition("_")
        cat = self.lexicon.categories.get(category)
        label = cat.label if cat else category
        return f"Lexikon {label}" if kind == "lex" else f"Muster {label}"
