"""Sentiment of a comment: textblob-de's polarity and subjectivity, identical, some 15-25x faster on new text.

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
knows is "inert" and stands in as one unknown word, without a tag; a token's tag is only worked out when
its possible lemmas would score differently; sentences of tokens that can neither score nor merge into an
emoticon are skipped at once; every per-word step is cached (bounded caches).

New words cost most (the checker's comments are new): most are words of letters, and for those the
singular and verb lemmas are not even worked out -- an index built from the shipped data lists every word
where either could matter (`_Engine._quick_inert`, `moderation.sentiment_data.risky_words`: some 4 µs a
new word, ~15 µs before). tests/bench/bench_sentiment.py measures it all on real tweets.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain, compress

from moderation.sentiment_context import ContextTagger, Retagging
from moderation.sentiment_data import DATA_PATH, SentimentData, load_index, scorer_words
from moderation.sentiment_data import parse as parse_data
from moderation.sentiment_inflect import LETTERS, predicative_lower, rule_lemma
from moderation.sentiment_tagger import GermanTagger, load_tagger
from moderation.sentiment_tokenizer import PatternTokenizer

_SLASH_WORD = " FORWARDSLASH "  # textblob-de protects "/" from pattern's word/TAG format with this
_CACHE_LIMIT = 100_000  # token types remembered (most take ~0.3 kB, some 1.5 kB); then the caches start afresh


@dataclass(slots=True)  # not frozen: built for every new token, and a frozen one is built ~5x slower
class _Lemma:
    """What one token contributes to the sentiment scorer's word list (never changed once built)."""

    text: str | None  # the cased lemma textblob-de passes on, None when it drops the token
    cased: tuple[str, ...]  # that lemma after the scorer's own tokenizer (with its merging)
    lower: tuple[str, ...]  # ... lower-cased: the words the scorer looks up


@dataclass(slots=True)
class _TokenLemmas:
    """The lemmas a token can get, one per tag the tagger may end up giving it (never changed once built)."""

    tag: str | None  # the initial tag these lemmas are for (None: an inert token, its tag not worked out)
    guessed: bool  # the tag was guessed for an unknown word and may depend on the neighbours
    by_tag: dict[str, _Lemma]
    default: _Lemma
    flags: int  # _SCORES | _EDGY | _NEEDS_TAG
    deviant: Retagging | None  # the context rules that would give a differently scoring lemma
    varies: bool  # the possible lemmas differ at all (matters only on the rare exact path)
    # For the scorer tokenizer's emoticon/sarcasm merging across tokens ("Info ... O" -> "o.O"):
    firsts: frozenset[str]  # first characters (over all lemmas) that can end a merge pair
    lasts: frozenset[str]  # last characters that can start one
    may_vanish: bool  # some lemma is dropped, so neighbours may become adjacent
    words: tuple[str, ...]  # default.lower


_VANISHED = _Lemma(None, (), ())  # a token textblob-de drops
_VERB_RULE_STARTS = "eai"  # letters a verb rule lemma can start with that its word does not (see `_quick_inert`)
_STAND_IN = "xxxx"  # a word the scorer does not know: stands for an inert token's lemmas (checked at start-up)
_UNDECIDED = _TokenLemmas(None, False, {}, _VANISHED, 0, None, False, frozenset(), frozenset(), False,
                          ())  # `_Engine._quick_inert` cannot tell (a marker, never used as lemmas)
_SCORES = 1  # some lemma has a word that gets a score: the sentence must be looked at
_EDGY = 2  # this token can start a merge with the next: check the sentence
_NEEDS_TAG = 4  # the possible lemmas would score differently: the real tag may be needed


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
    def __init__(self, data: SentimentData, risky: frozenset[str]) -> None:
        """``risky``: `moderation.sentiment_data.risky_words`."""
        abbreviation_res = [re.compile(p) for p in data.abbreviation_patterns]
        emoticons = [face for _, faces in data.emoticons for face in faces]
        emoticon_re, sarcasm_re = re.compile(data.emoticon_pattern), re.compile(data.sarcasm_pattern)
        self.german = PatternTokenizer(string.punctuation, data.german_abbreviations, data.replacements,
                                       abbreviation_res, emoticons, emoticon_re, sarcasm_re)
        self.english = PatternTokenizer(data.english_punctuation, data.english_abbreviations, data.replacements,
                                        abbreviation_res, emoticons, emoticon_re, sarcasm_re, track_stability=False)
        self.tagger: GermanTagger = load_tagger(data)
        self.lexicon = _load_lexicon(data)
        if _STAND_IN in self.lexicon.words or _STAND_IN in self.lexicon.emoticons:
            raise ValueError(f"{_STAND_IN!r} ist ein Wort des Sentiment-Lexikons: anderen Platzhalter wählen")
        self._lemmas: dict[tuple[str, bool, str], _TokenLemmas] = {}
        self._inert_seen: set[str] = set()  # tokens `_inert_option` has looked at (see `_options_at`)
        self._stand_ins: dict[tuple[frozenset[str], frozenset[str]], _TokenLemmas] = {}
        self._plain = self._stand_in(frozenset(), frozenset())  # the stand-in of most inert tokens
        self._matters = scorer_words(data)
        self._matters_or_bang = self._matters | {"!", "(!)"}
        self._scoring = frozenset(self.lexicon.words).union(self.lexicon.emoticons, ["(!)"])  # see `_scores`
        self._merge_firsts, self._merge_seconds = self.english.merge_firsts, self.english.merge_seconds
        # Lower-case letters whose title case is their upper case and lower-cases back, and those of them that
        # can end a merge pair at the start of a word, as they are or title-cased.
        self._plain_letters = LETTERS - {"ß"}
        self._edge_starts = frozenset(c for c in self._plain_letters if {c, c.upper()} & self._merge_seconds)
        for c in self._plain_letters:  # (what the shortcuts in `_inert_option` rely on)
            if c.title() != c.upper() or len(c.upper()) != 1 or c.upper().lower() != c:
                raise ValueError(f"{c!r}: Groß-/Kleinschreibung nicht umkehrbar")
        self._risky = risky
        # A verb rule lemma ends in "n" and starts with the word's first letter, its third (after "ge"), or
        # one of these; none of them may take part in a merge for `_quick_inert`'s edges to hold.
        # A singular from a rule ends in its replacement's last letter: none may take part in a merge either.
        if ({"n", "e"} & self._merge_firsts or self._edge_starts & set(_VERB_RULE_STARTS)
                or self._merge_firsts & self.tagger.singularize.replacement_ends()):
            raise ValueError("Emoticon-Zeichen überschneiden sich mit Lemma-Rändern: Abkürzung prüfen")
        # By token alone: (first token of a sentence, any later token).
        self._by_token: tuple[dict[str, _TokenLemmas], dict[str, _TokenLemmas]] = ({}, {})
        # Tokens in `_by_token` whose lemmas can neither score nor merge, whatever their neighbours.
        self._quiet: tuple[set[str], set[str]] = (set(), set())

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
        quiet_first, quiet_later = self._quiet
        if tokens[0] in quiet_first and quiet_later.issuperset(tokens[1:]):
            return []
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
        for i in compress(range(last + 1), [o.flags & _NEEDS_TAG for o in options]):
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
        self._inert_seen.clear()
        for by_token in (*self._by_token, *self._quiet):
            by_token.clear()

    def _initial_tags(self, options: list[_TokenLemmas], words: list[str]) -> _InitialTags:
        return _InitialTags([o.tag for o in options], words, self.tagger)

    def _options_at(self, i: int, tokens: list[str], words: list[str], inert: bool = True) -> _TokenLemmas:
        """The lemmas of token ``i``; with ``inert``, a token none of whose lemmas can matter gets a stand-in
        without a tag (see `_inert_option`)."""
        if inert:
            token = tokens[i]
            # A token seen before is here again only when it had no stand-in (else `_by_token` has it).
            if token not in self._inert_seen:
                if len(self._inert_seen) > _CACHE_LIMIT:
                    self._forget()
                self._inert_seen.add(token)
                option = self._inert_option(token)
                if option is not None:
                    self._by_token[0][token] = self._by_token[1][token] = option
                    if not option.flags & (_SCORES | _EDGY):
                        self._quiet[0].add(token)
                        self._quiet[1].add(token)
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
            if not option.flags & (_SCORES | _EDGY) and (not guessed or self._never_matters(tokens[i])):
                self._quiet[i > 0].add(tokens[i])
        return option

    def _inert_option(self, token: str) -> _TokenLemmas | None:
        """A stand-in for a token that scores the same whatever its tag: every lemma it could get is one
        alphabetic word of 3+ letters the scorer does not know (so it only resets a pending negation or
        intensifier, as any such word does), and it cannot vanish. None when that is not certain.

        Which unknown word the scorer sees does not matter to it. Only the emoticon merging could see the
        difference: it looks at the edge characters, of every lemma (the stand-in keeps those that can merge).
        """
        lower = token.lower()
        if LETTERS.issuperset(lower) and len(lower) > 2 and lower[0] != "ß":
            quick = self._quick_inert(token, lower)
            if quick is not _UNDECIDED:
                return quick
        w = lower.replace("ß", "ss") if "ß" in lower else lower
        if not w.isalpha() or len(w) < 3 or "forwardslash" in w:
            return self._inert_pieces(token) if len(token) > 2 else None
        if w in self._matters:
            return None
        # The lemmas of the other kinds (see `GermanTagger.lemma`), checked all at once.
        a, b, c = self.tagger.lemma_variants(token, lower)
        joined = w + a + b + c
        if "ß" in joined:
            a, b, c = a.replace("ß", "ss"), b.replace("ß", "ss"), c.replace("ß", "ss")
            joined = w + a + b + c
        lemmas = (w, a, b, c)
        if (not joined.isalpha() or min(len(a), len(b), len(c)) < 3 or "forwardslash" in joined
                or not self._matters.isdisjoint(lemmas)):
            return None  # (a "forwardslash" across two lemmas only costs the exact path)
        firsts = (w[0], a[0], b[0], c[0])
        lasts = (w[-1], a[-1], b[-1], c[-1])
        if self._plain_letters.issuperset(joined):
            return self._plain_stand_in(firsts, lasts)
        titled = [lemma.title() for lemma in lemmas]
        if any(t.lower() != lemma for t, lemma in zip(titled, lemmas, strict=True)):
            return None
        return self._stand_in(self._merge_seconds.intersection([*firsts, *(t[0] for t in titled)]),
                              self._merge_firsts.intersection(lasts))

    def _quick_inert(self, token: str, lower: str) -> _TokenLemmas | None:
        """`_inert_option` for a word of lower-case letters and "ß" (``lower``; not starting with "ß"), mostly
        without working out its singular and verb lemmas: `_UNDECIDED` when that is needed after all.

        The adjective lemma is worked out (it is quick) and a verb lemma from the verb table looked up. The
        singular and the verb rule lemma are not: the word is looked up in the index of the words for which
        either could be a word the scorer knows or shorter than three letters, or whose singular is an
        exception (`moderation.sentiment_data.risky_words`). Outside it both are unknown words of letters
        only, and their edge characters are known without them: a verb rule lemma ends in "n" and starts
        like the word or with one of `_VERB_RULE_STARTS` (a participle's is worked out: it may start after
        the "ge"); a singular starts like the word and ends in a replacement's last letter or in "e"
        (neither can merge: checked at start-up), or in one of the word's last four letters (when one of
        those can merge, the singular is worked out). tests/moderation/test_sentiment_inflect.py checks
        these claims and that the index lists every word it must.
        """
        w = lower.replace("ß", "ss") if "ß" in lower else lower
        matters = self._matters
        if w in matters:
            return None
        tagger = self.tagger
        if lower in self._risky or "forward" in w:
            return _UNDECIDED
        adjective = predicative_lower(lower)
        if "ß" in adjective:
            adjective = adjective.replace("ß", "ss")
        if adjective in matters or len(adjective) < 3:
            return None
        merge_firsts = self._merge_firsts
        firsts = [w[0]]
        lasts = [w[-1], adjective[-1]]
        verb = tagger.verbs.known_lemma(token, lower)
        if verb is not None:  # from the verb table: look at it
            verb = verb.lower().replace("ß", "ss")
            if not self._plain_letters.issuperset(verb) or len(verb) < 3 or verb in matters:
                return None if verb in matters else _UNDECIDED
            firsts.append(verb[0])
            lasts.append(verb[-1])
        elif lower.startswith("ge") and lower.endswith("t"):  # a participle's may start after the "ge"
            firsts.append(rule_lemma(lower)[0].replace("ß", "s"))
        if not merge_firsts.isdisjoint(lower[-4:]):
            lasts.append(tagger.singularize.by_rules(lower.capitalize())[-1:].lower())
        return self._plain_stand_in(firsts, lasts)

    def _plain_stand_in(self, firsts: Sequence[str], lasts: Sequence[str]) -> _TokenLemmas:
        """The stand-in for lemmas of `_plain_letters` (title-casing changes nothing but the first letter)
        with these first and last characters."""
        if self._edge_starts.isdisjoint(firsts) and self._merge_firsts.isdisjoint(lasts):
            return self._plain
        return self._stand_in(self._merge_seconds.intersection([*firsts, *(f.upper() for f in firsts)]),
                              self._merge_firsts.intersection(lasts))

    def _never_matters(self, token: str) -> bool:
        """Whether no lemma the token could get, whatever its tag, has a scoring word or can merge."""
        lemma_of, lasts = self.tagger.lemma, self.english.merge_firsts
        for raw in {lemma_of(token, kind) for kind in ("", "adjective", "plural", "verb")}:
            for titled in (False, True):
                lemma = self._finish_lemma(token, raw, titled)
                if self._scores(lemma) or (lemma.cased and lemma.cased[-1][-1] in lasts):
                    return False
        return True

    def _inert_pieces(self, token: str) -> _TokenLemmas | None:
        """`_inert_option` for a token with other characters than letters ("AfD-Fans", "@user", "08.03"):
        its lemmas may fall into several pieces for the scorer. Those act as one unknown word when none is
        known to the scorer (nor "!", "(!)" or an emoticon) and one is long enough to end a pending
        negation (2+ characters without apostrophes) and one to end a pending intensifier (3+): the others
        only end what those end, too. (A negation and a "-lich" intensifier both pending cannot be: the
        scorer resolves that at once, and no negation ends in "-lich".)"""
        if token in string.punctuation:
            return None
        matters = self._matters_or_bang
        first_chars: set[str] = set()
        last_chars: set[str] = set()
        lower = token.lower()
        texts = set()
        english = self.english
        for raw in {lower, *self.tagger.lemma_variants(token, lower)}:
            text = self._lemma_text(raw, False)
            # An ASCII title-case only changes letters' case: it stays whole too, with the same lower case.
            if text.isascii() and text and english.stays_whole(text):
                w = text.lower()
                if w in matters or len(w) < 3:
                    return None
                titled = text.title()
                first_chars.update((text[0], titled[0]))
                last_chars.update((text[-1], titled[-1]))
                continue
            texts.add(text)
            texts.add(text.title())
        for text in texts:
            if text and english.stays_whole(text):  # most: the scorer sees the lemma as one word
                w = text.lower()
                if w in matters or len(w) < 3:
                    return None
                first_chars.add(text[0])
                last_chars.add(text[-1])
                continue
            lemma = self._scorer_words(text)
            words = lemma.lower
            if not words or not matters.isdisjoint(words):
                return None
            if not any(len(w) > 2 for w in words) or not any(len(w.strip("'")) > 1 for w in words):
                return None
            first_chars.add(lemma.cased[0][0])
            last_chars.add(lemma.cased[-1][-1])
        return self._stand_in(frozenset(first_chars & english.merge_seconds),
                              frozenset(last_chars & english.merge_firsts))

    def _stand_in(self, firsts: frozenset[str], lasts: frozenset[str]) -> _TokenLemmas:
        """The lemmas of an inert token (see `_inert_option`): one unknown word, with the edge characters
        its lemmas can take part in a merge with. Shared by all inert tokens with the same edges."""
        key = (firsts, lasts)
        option = self._stand_ins.get(key)
        if option is None:
            default = _Lemma(_STAND_IN, (_STAND_IN,), (_STAND_IN,))
            option = self._stand_ins[key] = _TokenLemmas(
                None, False, {}, default, _EDGY if lasts else 0, None, False, firsts, lasts, False, default.lower)
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
        upper = token[0].isupper() and not first
        variants: dict[tuple[str, bool], _Lemma] = {}  # many tags share a lemma
        by_tag = {}
        for t, kind, noun in self.tagger.possible_lemma_kinds(word, tag):
            key = (kind, upper or (first and noun))
            lemma = variants.get(key)
            if lemma is None:
                lemma = variants[key] = self._lemma(token, key[0], key[1])
            by_tag[t] = lemma
        lemmas = variants.values()
        signature = {id(lm): self._signature(lm) for lm in lemmas}
        default = signature[id(by_tag[tag])]
        deviant = frozenset(t for t, lm in by_tag.items() if signature[id(lm)] != default)
        english = self.english
        firsts = frozenset(lm.cased[0][0] for lm in lemmas if lm.cased) & english.merge_seconds
        lasts = frozenset(lm.cased[-1][-1] for lm in lemmas if lm.cased) & english.merge_firsts
        may_vanish = any(not lm.cased for lm in lemmas)
        flags = (_SCORES if any(map(self._scores, lemmas)) else 0) | (_EDGY if lasts else 0)
        return _TokenLemmas(
            tag, guessed, by_tag, by_tag[tag], flags | (_NEEDS_TAG if deviant else 0),
            self.tagger.rules.rules_towards(word, tag, deviant) if deviant else None,
            len({lm.text for lm in lemmas}) > 1,
            firsts, lasts, may_vanish, by_tag[tag].lower,
        )

    def _lemma(self, token: str, kind: str, titled: bool) -> _Lemma:
        """PatternParserLemmatizer's lemma for a token: lemmatised by ``kind`` (see
        `GermanTagger.lemma_kind`), title-cased when textblob-de does that."""
        return self._finish_lemma(token, self.tagger.lemma(token, kind), titled)

    def _finish_lemma(self, token: str, lemma: str, titled: bool) -> _Lemma:
        """`_lemma` from the tagger's lemma."""
        if token in string.punctuation:
            return _VANISHED
        return self._scorer_words(self._lemma_text(lemma, titled))

    @staticmethod
    def _lemma_text(lemma: str, titled: bool) -> str:
        """The lemma text textblob-de passes on for a tagger's lemma (title-cased when ``titled``)."""
        if "ß" in lemma:
            lemma = lemma.replace("ß", "ss")
        lemma = lemma.strip()
        if "forwardslash" in lemma:
            lemma = lemma.replace("forwardslash", "/")
        return lemma.title() if titled else lemma

    def _scorer_words(self, lemma: str) -> _Lemma:
        """A lemma text as the scorer's tokenizer splits (and merges) it."""
        if lemma == "/":
            return _VANISHED
        split_word = self.english.split_word
        parts = lemma.split()
        if len(parts) == 1:
            cased = split_word(parts[0])
        else:
            cased = tuple(chain.from_iterable(map(split_word, parts)))
        if len(cased) > 1:  # its own pieces may merge back (":)" -> ":", ")" -> ":)")
            cased = tuple(self.english.merge(" ".join(cased)).split(" "))
            return _Lemma(lemma, cased, tuple(w.lower() for w in cased))
        return _Lemma(lemma, cased, (cased[0].lower(),) if cased else ())

    def _scores(self, lemma: _Lemma) -> bool:
        """Whether the lemma has a word the scorer gives a score (not just a negation or "!")."""
        return not self._scoring.isdisjoint(lemma.lower)

    def _signature(self, lemma: _Lemma) -> tuple[object, ...]:
        """What the scorer makes of the lemma's words: the word itself when it reacts to it, else only
        whether it is long enough to end a pending negation and a pending intensifier."""
        matters = self._matters_or_bang
        return tuple(w if w in matters else (len(w.strip("'")) > 1, len(w) > 2) for w in lemma.lower)

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
    content = DATA_PATH.read_bytes()  # read once: parsed, and its digest checks the index's
    return _Engine(parse_data(content), load_index(data=content))


def sentiment(text: str) -> tuple[float, float]:
    """(polarity -1..1, subjectivity 0..1) equal to TextBlobDE(text, tokenizer=PatternTokenizer()).sentiment."""
    return _engine().score_text(text)
