"""Sentiment of a comment: textblob-de's polarity and subjectivity, identical, some 40x faster.

The reference is ``TextBlobDE(text, tokenizer=PatternTokenizer()).sentiment`` (textblob-de 0.4.3). It
does more than a lexicon look-up, and all of it matters for the numbers:

1. split the text into sentences with pattern's tokenizer (German abbreviations);
2. per sentence, tokenize again, POS-tag with pattern's German Brill tagger and lemmatise by tag
   (adjectives to their predicative form, plural nouns to singular, verbs to the infinitive);
3. join the lemmas and hand them to pattern's ``Sentiment``, which tokenizes once more (English settings)
   and scores lexicon words (textblob-de's ``de-sentiment.xml``), with negations ("nicht gut" = -0.5 x),
   known adjectives/adverbs intensifying the next known word, "!" boosting the word before it, "(!)"
   as irony and emoticons;
4. average polarity and subjectivity over the sentences -- sentences without any opinion word count
   as 0, which is why the per-text ``PatternAnalyzer().analyze`` gives different numbers.

This module does the same steps with the same data (read from the installed package at first use, about
0.3 s plus textblob-de's import). It is fast because almost nothing depends on the POS tags: a token's tag
is only worked out when its possible lemmas would score differently, sentences without any scoring word
are skipped, and every per-word step is cached (bounded caches; a word seen for the first time costs
roughly 0.1-0.2 ms, later ones a dictionary look-up). tests/bench/bench_sentiment.py measures it.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain, compress
from typing import Any

from moderation.sentiment_context import ContextTagger, Retagging
from moderation.sentiment_tagger import GermanTagger, load_pattern_tagger
from moderation.sentiment_tokenizer import PatternTokenizer

_SLASH_WORD = " FORWARDSLASH "  # textblob-de protects "/" from pattern's word/TAG format with this
_CACHE_LIMIT = 50_000  # token types remembered (about 1.5 kB each); then the cache starts afresh


@dataclass(frozen=True, slots=True)
class _Lemma:
    """What one token contributes to the sentiment scorer's word list."""

    text: str | None  # the cased lemma textblob-de passes on, None when it drops the token
    cased: tuple[str, ...]  # that lemma after the scorer's own tokenizer (with its merging)
    lower: tuple[str, ...]  # ... lower-cased: the words the scorer looks up


@dataclass(frozen=True, slots=True)
class _TokenLemmas:
    """The lemmas a token can get, one per tag the tagger may end up giving it."""

    tag: str  # the initial tag these lemmas are for
    guessed: bool  # the tag was guessed for an unknown word and may depend on the neighbours
    by_tag: dict[str, _Lemma]
    default: _Lemma
    flags: int  # _SCORES | _EDGY | _NEEDS_TAG
    needs_tag: bool  # the possible lemmas would score differently: the real tag may be needed
    deviant: Retagging  # the context rules that would give a differently scoring lemma
    varies: bool  # the possible lemmas differ at all (matters only on the rare exact path)
    # For the scorer tokenizer's emoticon/sarcasm merging across tokens ("Info ... O" -> "o.O"):
    firsts: frozenset[str]  # first characters (over all lemmas) that can end a merge pair
    lasts: frozenset[str]  # last characters that can start one
    may_vanish: bool  # some lemma is dropped, so neighbours may become adjacent
    edgy: bool  # this token can start a merge with the next: check the sentence
    words: tuple[str, ...]  # default.lower


_SCORES = 1  # some lemma has a word that gets a score: the sentence must be looked at
_EDGY = 2  # `_TokenLemmas.edgy`
_NEEDS_TAG = 4  # `_TokenLemmas.needs_tag`


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """pattern.Sentiment's settings as textblob-de configures them."""

    words: dict[str, tuple[float, float, float, bool]]  # word -> polarity, subjectivity, intensity, modifier
    negations: frozenset[str]
    is_modifier_word: Callable[[str], bool]
    emoticons: dict[str, float]  # lower-cased emoticon -> polarity
    punctuation: str


class _Engine:
    def __init__(self) -> None:
        from textblob_de.packages import pattern_de, pattern_text
        from textblob_de.sentiments import sentiment as reference_sentiment

        pt: Any = pattern_text
        abbreviation_res = (pt.RE_ABBR1, pt.RE_ABBR2, pt.RE_ABBR3)
        emoticons = [e for group in pt.EMOTICONS.values() for e in group]
        self.german = PatternTokenizer(string.punctuation, pattern_de.ABBREVIATIONS, pt.replacements,
                                       abbreviation_res, emoticons, pt.RE_EMOTICONS, pt.RE_SARCASM)
        self.english = PatternTokenizer(pt.PUNCTUATION, pt.ABBREVIATIONS, pt.replacements,
                                        abbreviation_res, emoticons, pt.RE_EMOTICONS, pt.RE_SARCASM)
        self.tagger: GermanTagger = load_pattern_tagger()
        self.lexicon = _load_lexicon(reference_sentiment, pt.EMOTICONS, pt.PUNCTUATION)
        self._lemmas: dict[tuple[str, bool, str], _TokenLemmas] = {}
        # The same by token alone: (first token of a sentence, any later token).
        self._by_token: tuple[dict[str, _TokenLemmas], dict[str, _TokenLemmas]] = ({}, {})

    # -- text and sentences ---------------------------------------------------------------------------

    def score_text(self, text: str) -> tuple[float, float]:
        sentences = self.german.sentences_with_tokens(text)
        if not sentences:
            return 0.0, 0.0
        polarity: float = 0.0
        subjectivity: float = 0.0
        for sentence, tokens in sentences:
            tokens = self.sentence_tokens(sentence, tokens)
            words = self.lemma_words(tokens, [t.replace("ß", "ss") for t in tokens] if "ß" in sentence else tokens)
            if words:
                p, s = self.score_words(words)
                polarity += p
                subjectivity += s
        return polarity / len(sentences), subjectivity / len(sentences)

    def sentence_tokens(self, sentence: str, tokens: list[str] | None) -> list[str]:
        """The tokens textblob-de's lemmatiser parses for one sentence: it tokenizes it again.

        ``tokens``: the sentence's tokens when that gives them back unchanged, else None.
        """
        if tokens is not None and "/" not in sentence:
            return _word_tokenize(tokens)
        out: list[str] = []
        for part in self.german.sentences(sentence.replace("/", _SLASH_WORD)):
            out += _word_tokenize(part.split(" "))
        return out

    # -- lemmata ----------------------------------------------------------------------------------------

    def lemma_words(self, tokens: list[str], words: list[str]) -> list[str]:
        """The lower-cased words pattern's sentiment scorer sees for one sentence -- or none at all when
        none of them gets a score (the sentence scores 0 then anyway).

        ``words`` are the ``tokens`` as the tagger sees them ("ß" spelled "ss").
        """
        first, later = self._by_token
        near, last = self.tagger.neighbour_words, len(tokens) - 1
        option = first.get(tokens[0])
        if option is None or (option.guessed and last and words[1] in near):
            option = self._options_at(0, tokens, words)
        options = [option]
        flags = option.flags
        for i in range(1, last + 1):
            option = later.get(tokens[i])
            if option is None or (option.guessed and (words[i - 1] in near or (i < last and words[i + 1] in near))):
                option = self._options_at(i, tokens, words)
            options.append(option)
            flags |= option.flags
        if not flags & (_SCORES | _EDGY):
            return []
        if flags & _EDGY and self._may_merge(options):
            return self._exact_lemma_words(options, words)
        if not flags & _SCORES:
            return []
        if not flags & _NEEDS_TAG:
            return [*chain.from_iterable(o.words for o in options)]
        tags = [o.tag for o in options]
        rules = self.tagger.rules
        context: ContextTagger | None = None
        chosen = [o.words for o in options]
        for i in compress(range(last + 1), [o.needs_tag for o in options]):
            option = options[i]
            if rules.may_retag(i, words, tags, option.deviant):
                context = context or rules.context(words, tags)
                if context.any_fires(i, option.deviant.rules):
                    chosen[i] = option.by_tag[context.final_tag(i)].lower
        return [*chain.from_iterable(chosen)]

    def _exact_lemma_words(self, options: list[_TokenLemmas], words: list[str]) -> list[str]:
        """Rare: the scorer's tokenizer may join tokens (emoticons, "(!)"): run it on the exact lemmas."""
        context = self.tagger.rules.context(words, [o.tag for o in options])
        lemmas = [(o.by_tag[context.final_tag(i)] if o.varies else o.default).text for i, o in enumerate(options)]
        text = " ".join(lemma for lemma in lemmas if lemma is not None)
        return [w.lower() for w in " ".join(self.english.sentences(text)).split()]

    def _options_at(self, i: int, tokens: list[str], words: list[str]) -> _TokenLemmas:
        tag, guessed = self.tagger.initial_tag(i, words)
        key = (tokens[i], i == 0, tag)
        option = self._lemmas.get(key)
        if option is None:
            if len(self._lemmas) > _CACHE_LIMIT:
                self._lemmas.clear()
                for by_token in self._by_token:
                    by_token.clear()
            option = self._lemmas[key] = self._token_lemmas(tokens[i], words[i], i == 0, tag, guessed)
        # Remember by token alone when the neighbours played no part (a guessed tag is re-checked).
        near = self.tagger.neighbour_words
        if not guessed or (
            (i == 0 or words[i - 1] not in near) and (i == len(words) - 1 or words[i + 1] not in near)
        ):
            self._by_token[i > 0][tokens[i]] = option
        return option

    def _may_merge(self, options: list[_TokenLemmas]) -> bool:
        """Whether the scorer's emoticon/sarcasm merging could join pieces of these tokens' lemmas."""
        pairs = self.english.merge_pairs
        before: frozenset[str] = frozenset()
        for o in options:
            if any((a, b) in pairs for a in before for b in o.firsts):
                return True
            before = o.lasts | before if o.may_vanish else o.lasts
        return False

    def _token_lemmas(self, token: str, word: str, first: bool, tag: str, guessed: bool) -> _TokenLemmas:
        tagger = self.tagger
        upper = token[0].isupper() and not first
        variants: dict[tuple[str, bool], _Lemma] = {}  # many tags share a lemma
        by_tag = {}
        for t in tagger.rules.possible_tags(word, tag):
            penn = tagger.penn(t)
            key = (tagger.lemma_kind(penn), upper or (first and penn.startswith("N")))
            lemma = variants.get(key)
            if lemma is None:
                lemma = variants[key] = self._lemma(token, *key)
            by_tag[t] = lemma
        lemmas = variants.values()
        signature = {id(lm): tuple(self._word_class(w) for w in lm.lower) for lm in lemmas}
        default = signature[id(by_tag[tag])]
        deviant = frozenset(t for t, lm in by_tag.items() if signature[id(lm)] != default)
        english = self.english
        firsts = frozenset(lm.cased[0][0] for lm in lemmas if lm.cased) & english.merge_seconds
        lasts = frozenset(lm.cased[-1][-1] for lm in lemmas if lm.cased) & english.merge_firsts
        may_vanish = any(not lm.cased for lm in lemmas)
        edgy = bool(lasts)
        flags = (_SCORES if any(map(self._scores, lemmas)) else 0) | (_EDGY if edgy else 0)
        return _TokenLemmas(
            tag, guessed, by_tag, by_tag[tag], flags | (_NEEDS_TAG if deviant else 0),
            bool(deviant), self.tagger.rules.rules_towards(word, tag, deviant),
            len({lm.text for lm in lemmas}) > 1,
            firsts, lasts, may_vanish, edgy, by_tag[tag].lower,
        )

    def _lemma(self, token: str, kind: str, titled: bool) -> _Lemma:
        """PatternParserLemmatizer's lemma for a token: lemmatised by ``kind`` (see
        `GermanTagger.lemma_kind`), title-cased when textblob-de does that."""
        lemma = self.tagger.lemma(token, kind)
        lemma = lemma.replace("ß", "ss").strip().replace("forwardslash", "/")
        if titled:
            lemma = lemma.title()
        if token in string.punctuation or lemma == "/":
            return _Lemma(None, (), ())
        english = self.english
        cased = tuple(part for raw in lemma.split() for part in english.split_word(raw))
        if len(cased) > 1:  # its own pieces may merge back (":)" -> ":", ")" -> ":)")
            cased = tuple(english.merge(" ".join(cased)).split(" "))
        return _Lemma(lemma, cased, tuple(w.lower() for w in cased))

    def _scores(self, lemma: _Lemma) -> bool:
        """Whether the lemma has a word the scorer gives a score (not just a negation or "!")."""
        lex = self.lexicon
        return any(w in lex.words or w == "(!)" or w in lex.emoticons for w in lemma.lower)

    def _word_class(self, w: str) -> object:
        lex = self.lexicon
        if w in lex.words or w in lex.negations or w in ("!", "(!)") or w in lex.emoticons:
            return w
        return (len(w.strip("'")) > 1, len(w) > 2)

    # -- scoring (pattern.text.Sentiment.assessments with pos=None) -------------------------------------

    def score_words(self, words: Sequence[str]) -> tuple[float, float]:
        lex = self.lexicon
        known, negations = lex.words, lex.negations
        found: list[list[float]] = []  # [polarity, subjectivity, intensity, negated(-1)/not(1)]
        modifier: str | None = None
        negation: str | None = None
        for w in words:
            entry = known.get(w)
            if entry is not None:
                p, s, i, is_modifier = entry
                if modifier is None:
                    found.append([p, s, i, 1])
                else:
                    last = found[-1]
                    last[0] = max(-1.0, min(p * last[2], +1.0))
                    last[1] = max(-1.0, min(s * last[2], +1.0))
                    last[2] = i
                if negation is not None:
                    found[-1][2] = 1.0 / found[-1][2]
                    found[-1][3] = -1
                modifier = w if is_modifier else None
                negation = w if w in negations else None
                continue
            if w in negations:
                negation = w
            elif negation and len(w.strip("'")) > 1:
                negation = None
            if negation is not None and modifier is not None and lex.is_modifier_word(modifier):
                found[-1][3] = -1
                negation = None
            elif modifier and len(w) > 2:
                modifier = None
            if w == "!" and found:
                found[-1][0] = max(-1.0, min(found[-1][0] * 1.25, +1.0))
            if w == "(!)":
                found.append([0.0, 1.0, 1.0, 1])
            if w.isalpha() is False and len(w) <= 5 and w not in lex.punctuation:
                mood = lex.emoticons.get(w)
                if mood is not None:
                    found.append([mood, 1.0, 1.0, 1])
        polarity: float = 0.0
        subjectivity: float = 0.0
        for p, s, _, n in found:
            polarity += p * -0.5 if n < 0 else p
            subjectivity += s
        return polarity / float(len(found) or 1), subjectivity / float(len(found) or 1)


def _word_tokenize(tokens: list[str]) -> list[str]:
    """PatternTokenizer.word_tokenize(include_punc=True) on an already tokenized sentence."""
    if len(tokens) == 1 and tokens[0] in string.punctuation:
        return tokens
    last = tokens[-1]
    if last.endswith(".") and len(last) > 1:
        return [*tokens[:-1], last[:-1], "."]
    return tokens


def _load_lexicon(reference: Any, emoticons: dict[tuple[str, float], set[str]], punctuation: str) -> _Lexicon:
    """textblob-de's sentiment lexicon as loaded by its own ``Sentiment`` (incl. its accent folding)."""
    modifiers = tuple(reference.modifiers)
    words = {
        w: (float(v[None][0]), float(v[None][1]), float(v[None][2]), any(m in v for m in modifiers))
        for w, v in reference.items()
    }
    moods: dict[str, float] = {}
    for (_, polarity), faces in emoticons.items():  # first group wins, like pattern's loop
        for face in faces:
            moods.setdefault(face.lower(), polarity)
    is_modifier_word: Callable[[str], bool] = reference.modifier
    return _Lexicon(words, frozenset(reference.negations), is_modifier_word, moods, punctuation)


@cache
def _engine() -> _Engine:
    return _Engine()


def sentiment(text: str) -> tuple[float, float]:
    """(polarity -1..1, subjectivity 0..1) equal to TextBlobDE(text, tokenizer=PatternTokenizer()).sentiment."""
    return _engine().score_text(text)
