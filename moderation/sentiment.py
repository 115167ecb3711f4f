"""Sentiment of a comment: textblob-de's polarity and subjectivity, identical, about 10x faster on new text.

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

This module does the same steps with the same data, extracted from textblob-de into
moderation/model/sentiment/ (`moderation.sentiment_data`; textblob-de is not imported: start-up ~0.1 s).
It is fast because almost nothing depends on the POS tags: a token none of whose possible lemmas the scorer
knows is "inert" and stands in as one unknown word, without a tag (most new words: some 10-20 µs each);
a token's tag is only worked out when its possible lemmas would score differently; sentences without any
scoring word are skipped; every per-word step is cached (bounded caches). tests/bench/bench_sentiment.py
measures it on real tweets.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain, compress

from moderation.sentiment_context import ContextTagger, Retagging
from moderation.sentiment_data import SentimentData
from moderation.sentiment_data import load as load_data
from moderation.sentiment_tagger import GermanTagger, load_tagger
from moderation.sentiment_tokenizer import PatternTokenizer

_SLASH_WORD = " FORWARDSLASH "  # textblob-de protects "/" from pattern's word/TAG format with this
_CACHE_LIMIT = 100_000  # token types remembered (most take ~0.3 kB, some 1.5 kB); then the caches start afresh


@dataclass(frozen=True, slots=True)
class _Lemma:
    """What one token contributes to the sentiment scorer's word list."""

    text: str | None  # the cased lemma textblob-de passes on, None when it drops the token
    cased: tuple[str, ...]  # that lemma after the scorer's own tokenizer (with its merging)
    lower: tuple[str, ...]  # ... lower-cased: the words the scorer looks up


@dataclass(frozen=True, slots=True)
class _TokenLemmas:
    """The lemmas a token can get, one per tag the tagger may end up giving it."""

    tag: str | None  # the initial tag these lemmas are for (None: an inert token, its tag not worked out)
    guessed: bool  # the tag was guessed for an unknown word and may depend on the neighbours
    by_tag: dict[str, _Lemma]
    default: _Lemma
    flags: int  # _SCORES | _EDGY | _NEEDS_TAG
    needs_tag: bool  # the possible lemmas would score differently: the real tag may be needed
    deviant: Retagging | None  # the context rules that would give a differently scoring lemma
    varies: bool  # the possible lemmas differ at all (matters only on the rare exact path)
    # For the scorer tokenizer's emoticon/sarcasm merging across tokens ("Info ... O" -> "o.O"):
    firsts: frozenset[str]  # first characters (over all lemmas) that can end a merge pair
    lasts: frozenset[str]  # last characters that can start one
    may_vanish: bool  # some lemma is dropped, so neighbours may become adjacent
    edgy: bool  # this token can start a merge with the next: check the sentence
    words: tuple[str, ...]  # default.lower


_STAND_IN = "xxxx"  # a word the scorer does not know: stands for an inert token's lemmas (checked at start-up)
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


class _InitialTags:
    """A sentence's initial tags, those of inert tokens worked out only when a context rule reads them."""

    __slots__ = ("_tags", "_words", "_tagger")

    def __init__(self, tags: list[str | None], words: list[str], tagger: GermanTagger) -> None:
        self._tags = tags
        self._words = words
        self._tagger = tagger

    def __getitem__(self, i: int, /) -> str:
        tag = self._tags[i]
        if tag is None:
            tag = self._tags[i] = self._tagger.initial_tag(i, self._words)[0]
        return tag


class _Engine:
    def __init__(self, data: SentimentData) -> None:
        abbreviation_res = [re.compile(p) for p in data.abbreviation_patterns]
        emoticons = [face for _, faces in data.emoticons for face in faces]
        emoticon_re, sarcasm_re = re.compile(data.emoticon_pattern), re.compile(data.sarcasm_pattern)
        self.german = PatternTokenizer(string.punctuation, data.german_abbreviations, data.replacements,
                                       abbreviation_res, emoticons, emoticon_re, sarcasm_re)
        self.english = PatternTokenizer(data.english_punctuation, data.english_abbreviations, data.replacements,
                                        abbreviation_res, emoticons, emoticon_re, sarcasm_re)
        self.tagger: GermanTagger = load_tagger(data)
        self.lexicon = _load_lexicon(data)
        if _STAND_IN in self.lexicon.words or _STAND_IN in self.lexicon.emoticons:
            raise ValueError(f"{_STAND_IN!r} ist ein Wort des Sentiment-Lexikons: anderen Platzhalter wählen")
        self._lemmas: dict[tuple[str, bool, str], _TokenLemmas] = {}
        self._inert: dict[str, _TokenLemmas | None] = {}  # `_inert_option` by token
        self._plain_stand_in: _TokenLemmas | None = None
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
            return self._exact_lemma_words(options, tokens, words)
        if not flags & _SCORES:
            return []
        if not flags & _NEEDS_TAG:
            return [*chain.from_iterable(o.words for o in options)]
        tags = self._initial_tags(options, words)
        rules = self.tagger.rules
        context: ContextTagger | None = None
        chosen = [o.words for o in options]
        for i in compress(range(last + 1), [o.needs_tag for o in options]):
            option = options[i]
            deviant = option.deviant
            if deviant is not None and rules.may_retag(i, words, tags, deviant):
                context = context or rules.context(words, tags)
                if context.any_fires(i, deviant.rules):
                    chosen[i] = option.by_tag[context.final_tag(i)].lower
        return [*chain.from_iterable(chosen)]

    def _exact_lemma_words(self, options: list[_TokenLemmas], tokens: list[str], words: list[str]) -> list[str]:
        """Rare: the scorer's tokenizer may join tokens (emoticons, "(!)"): run it on the exact lemmas."""
        options = [o if o.tag is not None else self._options_at(i, tokens, words, inert=False)
                   for i, o in enumerate(options)]
        context = self.tagger.rules.context(words, self._initial_tags(options, words))
        lemmas = [(o.by_tag[context.final_tag(i)] if o.varies else o.default).text for i, o in enumerate(options)]
        text = " ".join(lemma for lemma in lemmas if lemma is not None)
        return [w.lower() for w in " ".join(self.english.sentences(text)).split()]

    def _forget(self) -> None:
        """Start the per-token caches afresh (they are bounded)."""
        self._lemmas.clear()
        self._inert.clear()
        for by_token in self._by_token:
            by_token.clear()

    def _initial_tags(self, options: list[_TokenLemmas], words: list[str]) -> _InitialTags:
        return _InitialTags([o.tag for o in options], words, self.tagger)

    def _options_at(self, i: int, tokens: list[str], words: list[str], inert: bool = True) -> _TokenLemmas:
        """The lemmas of token ``i``; with ``inert``, a token none of whose lemmas can matter gets a stand-in
        without a tag (see `_inert_option`)."""
        if inert:
            token = tokens[i]
            if token in self._inert:
                option = self._inert[token]
            else:
                if len(self._inert) > _CACHE_LIMIT:
                    self._forget()
                option = self._inert[token] = self._inert_option(token)
            if option is not None:
                self._by_token[0][token] = self._by_token[1][token] = option
                return option
        tag, guessed = self.tagger.initial_tag(i, words)
        key = (tokens[i], i == 0, tag)
        option = self._lemmas.get(key)
        if option is None:
            if len(self._lemmas) > _CACHE_LIMIT:
                self._forget()
            option = self._lemmas[key] = self._token_lemmas(tokens[i], words[i], i == 0, tag, guessed)
        # Remember by token alone when the neighbours played no part (a guessed tag is re-checked).
        near = self.tagger.neighbour_words
        if inert and (not guessed or (
            (i == 0 or words[i - 1] not in near) and (i == len(words) - 1 or words[i + 1] not in near)
        )):
            self._by_token[i > 0][tokens[i]] = option
        return option

    def _inert_option(self, token: str) -> _TokenLemmas | None:
        """A stand-in for a token that scores the same whatever its tag: every lemma it could get is one
        alphabetic word of 3+ letters the scorer does not know (so it only resets a pending negation or
        intensifier, as any such word does), and it cannot vanish. None when that is not certain.

        Its words are the lower-cased lemma; which lemma does not matter to the scorer. Only the emoticon
        merging could see the difference: it looks at the edge characters, of every lemma.
        """
        tagger = self.tagger
        lex = self.lexicon
        known, negations, moods = lex.words, lex.negations, lex.emoticons
        first_chars: set[str] = set()
        last_chars: set[str] = set()
        plain = token.lower()
        # The lemmas of each kind (see `GermanTagger.lemma`), cheapest first: most tokens fail early.
        for kind in range(4):
            if kind == 0:
                w = plain
            elif kind == 1:
                w = tagger.predicative(token).lower()
            elif kind == 2:
                w = tagger.singularize(token).lower()
            else:
                w = (tagger.infinitive(token) or token).lower()
            if "ß" in w:
                w = w.replace("ß", "ss")
            if not w.isalpha() or len(w) < 3 or "forwardslash" in w:
                return self._inert_pieces(token) if kind == 0 and len(token) > 2 else None
            if w in known or w in negations or w in moods:
                return None
            titled = w.title()
            if not w.isascii() and titled.lower() != w:
                return None
            first_chars.add(w[0])
            first_chars.add(titled[0])
            last_chars.add(w[-1])
            if kind == 0:
                plain = w
        return self._stand_in(plain, first_chars, last_chars)

    def _inert_pieces(self, token: str) -> _TokenLemmas | None:
        """`_inert_option` for a token with other characters than letters ("AfD-Fans", "@user", "08.03"):
        its lemmas may fall into several pieces for the scorer. Those act as one unknown word when none is
        known to the scorer (nor "!", "(!)" or an emoticon) and one is long enough to end a pending
        negation (2+ characters without apostrophes) and one to end a pending intensifier (3+): the others
        only end what those end, too. (A negation and a "-lich" intensifier both pending cannot be: the
        scorer resolves that at once, and no negation ends in "-lich".)"""
        if token in string.punctuation:
            return None
        lex = self.lexicon
        known, negations, moods = lex.words, lex.negations, lex.emoticons
        first_chars: set[str] = set()
        last_chars: set[str] = set()
        lemma_of = self.tagger.lemma
        for raw in {lemma_of(token, kind) for kind in ("", "adjective", "plural", "verb")}:
            for titled in (False, True):
                lemma = self._finish_lemma(token, raw, titled)
                if not lemma.cased:
                    return None
                for w in lemma.lower:
                    if w in known or w in negations or w in moods or w == "!" or w == "(!)":
                        return None
                if not any(len(w.strip("'")) > 1 for w in lemma.lower) or not any(len(w) > 2 for w in lemma.lower):
                    return None
                first_chars.add(lemma.cased[0][0])
                last_chars.add(lemma.cased[-1][-1])
        return self._stand_in(_STAND_IN, first_chars, last_chars)

    def _stand_in(self, word: str, first_chars: set[str], last_chars: set[str]) -> _TokenLemmas:
        """The lemmas of an inert token: ``word`` stands for them (see `_inert_option`)."""
        english = self.english
        firsts = frozenset(first_chars & english.merge_seconds)
        lasts = frozenset(last_chars & english.merge_firsts)
        if not firsts and not lasts:  # cannot take part in any merge: one shared stand-in does
            word = _STAND_IN
            if self._plain_stand_in is not None:
                return self._plain_stand_in
        default = _Lemma(word, (word,), (word,))
        option = _TokenLemmas(None, False, {}, default, _EDGY if lasts else 0, False, None, False,
                              firsts, lasts, False, bool(lasts), default.lower)
        if not firsts and not lasts:
            self._plain_stand_in = option
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
        return self._finish_lemma(token, self.tagger.lemma(token, kind), titled)

    def _finish_lemma(self, token: str, lemma: str, titled: bool) -> _Lemma:
        """`_lemma` from the tagger's lemma."""
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


def _load_lexicon(data: SentimentData) -> _Lexicon:
    """textblob-de's sentiment lexicon as its own ``Sentiment`` uses it (incl. its accent folding)."""
    moods: dict[str, float] = {}
    for polarity, faces in data.emoticons:  # first group wins, like pattern's loop
        for face in faces:
            moods.setdefault(face.lower(), polarity)
    suffix = data.modifier_suffix
    return _Lexicon(data.sentiment_words, data.negations, lambda w: w.endswith(suffix), moods,
                    data.english_punctuation)


@cache
def _engine() -> _Engine:
    return _Engine(load_data())


def sentiment(text: str) -> tuple[float, float]:
    """(polarity -1..1, subjectivity 0..1) equal to TextBlobDE(text, tokenizer=PatternTokenizer()).sentiment."""
    return _engine().score_text(text)
