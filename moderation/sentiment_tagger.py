"""Pattern's German tagger and lemmatiser (what textblob-de lemmatises with), rebuilt for speed.

The data (lexicon, suffix rules, context rules, verb table) is pattern's own, read from the installed
textblob-de package; only *how* it is evaluated differs. Initial tags come from the lexicon, or for unknown
words from the suffix ("morphology") rules, which are indexed by affix and cached per word and the
neighbour words they can look at. The context rules live in `moderation.sentiment_context`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from moderation.sentiment_context import ContextRules
from moderation.sentiment_data import SentimentData
from moderation.sentiment_inflect import Singularizer, VerbLemmatizer, predicative_lower

_CACHE_LIMIT = 200_000


class GermanTagger:
    """Pattern's ``de`` parser reduced to what the lemmatiser needs: tags and lemmata."""

    def __init__(
        self,
        lexicon: Mapping[str, str],
        morphology: Sequence[Sequence[str]],
        context: Sequence[Sequence[str]],
        stts_to_penn: Mapping[str, str],
        number_re: re.Pattern[str],
        singularizer: Singularizer,
        verbs: VerbLemmatizer,
    ) -> None:
        self._lexicon = dict(lexicon)
        self._morphology = _compile_morphology(morphology)
        neighbour_words = {x for f, tag, cmd, x, pos in self._morphology if cmd in ("goodleft", "goodright")}
        self._morph_neighbours = frozenset(neighbour_words)
        never = _never_firing(self._morphology)
        self._morph_by_affix: dict[str, dict[str, list[int]]] = {}  # command -> affix -> rule indices
        self._morph_other: dict[str, list[tuple[int, str]]] = {}
        for index, (_, _, cmd, x, _) in enumerate(self._morphology):
            if index in never:
                continue
            if (cmd in ("hassuf", "haspref", "word", "goodleft", "goodright", "deletesuf", "deletepref") and x
                    or cmd == "char" and len(x) == 1):
                self._morph_by_affix.setdefault(cmd, {}).setdefault(x, []).append(index)
            elif cmd in ("addpref", "addsuf"):  # tests that need a look-up of the word with the affix
                self._morph_other.setdefault(cmd, []).append((index, x))
            else:  # an empty affix or a "char" test of several characters: not in pattern's data
                raise ValueError(f"Morphologie-Regel {index} ({cmd!r} mit Affix {x!r}) wird nicht unterstützt")
        self._morph_lengths = sorted({len(x) for _, _, cmd, x, _ in self._morphology
                                      if cmd in ("hassuf", "haspref") and x})
        self._delete_lengths = sorted({len(x) for _, _, cmd, x, _ in self._morphology
                                       if cmd in ("deletesuf", "deletepref") and x})
        self._morph_chars = frozenset(self._morph_by_affix.get("char", {}))
        self.rules = ContextRules(context)
        self._penn = dict(stts_to_penn)
        self._number_re = number_re
        self.singularize = singularizer
        self.verbs = verbs
        self._morph_cache: dict[tuple[str, str | None, str | None], str] = {}
        self._lemmas: dict[tuple[str, str], str] = {}
        self._lemma_kinds: dict[frozenset[str], tuple[tuple[str, str, bool], ...]] = {}

    # -- initial tags (lexicon, then morphology for unknown words) -------------------------------------

    @property
    def neighbour_words(self) -> frozenset[str]:
        """Words whose presence next to an unknown word can change that word's initial tag."""
        return self._morph_neighbours

    def initial_tag(self, i: int, words: Sequence[str]) -> tuple[str, bool]:
        """STTS tag of ``words[i]`` before context rules, and whether it was guessed for an unknown
        word (then it may depend on the `neighbour_words` beside it).

        ``words`` have "ß" spelled "ss", as pattern's tagger sees them.
        """
        w = words[i]
        tag = self._lexicon.get(w)
        if tag is None and i == 0:
            tag = self._lexicon.get(w.lower()) or None
        if tag is not None:
            return tag, False
        if self._number_re.match(w) is not None:
            return "CARDNUM", False
        last = len(words) - 1
        return self._unknown_word_tag(w, words[i - 1] if i > 0 else None, words[i + 1] if i < last else None), True

    def _unknown_word_tag(self, word: str, prev: str | None, next_: str | None) -> str:
        near = self._morph_neighbours
        key = (word, prev if prev in near else None, next_ if next_ in near else None)
        tag = self._morph_cache.get(key)
        if tag is None:
            if len(self._morph_cache) > _CACHE_LIMIT:
                self._morph_cache.clear()
            tag = self._morph_cache[key] = self._apply_morphology(word, key[1], key[2])
        return tag

    def _apply_morphology(self, w: str, prev: str | None, next_: str | None) -> str:
        """Pattern's ``Morphology.apply``: the rules run in order, each may retag the word (rules
        marked ``f`` only when it has their tag by then). Only rules whose test holds are visited."""
        known = self._lexicon
        by_affix = self._morph_by_affix
        empty: dict[str, list[int]] = {}
        hassuf, haspref = by_affix.get("hassuf", empty), by_affix.get("haspref", empty)
        hits: list[int] = []
        for n in self._morph_lengths:
            hits += hassuf.get(w[-n:], ())
            hits += haspref.get(w[:n], ())
        hits += by_affix.get("word", empty).get(w, ())
        if next_ is not None:
            hits += by_affix.get("goodleft", empty).get(next_, ())
        if prev is not None:
            hits += by_affix.get("goodright", empty).get(prev, ())
        chars = by_affix.get("char", empty)
        for c in self._morph_chars.intersection(w):
            hits += chars[c]
        deletesuf, deletepref = by_affix.get("deletesuf", empty), by_affix.get("deletepref", empty)
        for n in self._delete_lengths:
            if len(w) >= n:
                found = deletesuf.get(w[-n:])
                if found is not None and w[:-n] in known:
                    hits += found
                found = deletepref.get(w[:n])
                if found is not None and w[n:] in known:
                    hits += found
        for cmd, entries in self._morph_other.items():  # the tests not indexed (few: see __init__)
            if cmd == "addpref":
                hits += [i for i, x in entries if x + w in known]
            else:  # "addsuf"
                hits += [i for i, x in entries if w + x in known]
        tag = "NN"
        rules = self._morphology
        for index in sorted(set(hits)):
            f, required, _, _, pos = rules[index]
            if not f or tag == required:
                tag = pos
        return tag

    # -- lemmata ----------------------------------------------------------------------------------------

    def penn(self, tag: str) -> str:
        """STTS tag -> Penn Treebank tag (pattern's default tagset for ``parse``)."""
        return self._penn.get(tag, tag)

    def possible_lemma_kinds(self, word: str, tag: str) -> tuple[tuple[str, str, bool], ...]:
        """(tag, `lemma_kind`, is a noun) for every tag the context rules could give this (word, initial tag)."""
        possible = self.rules.possible_tags(word, tag)
        found = self._lemma_kinds.get(possible)
        if found is None:
            found = self._lemma_kinds[possible] = tuple(
                (t, self.lemma_kind(self.penn(t)), self.penn(t).startswith("N")) for t in possible)
        return found

    @staticmethod
    def lemma_kind(penn_tag: str) -> str:
        """Which lemmatisation ``find_lemmata`` applies to a word with this Penn tag ("": none)."""
        if penn_tag.startswith(("DT", "JJ")):
            return "adjective"
        if penn_tag == "NNS":
            return "plural"
        if penn_tag.startswith(("VB", "MD")):
            return "verb"
        return ""

    def lemma(self, word: str, kind: str) -> str:
        """Pattern's ``find_lemmata`` for one token (lower case); ``word`` keeps its "ß"."""
        if not kind:
            return word.lower()
        key = (word, kind)
        lemma = self._lemmas.get(key)
        if lemma is None:
            if len(self._lemmas) > _CACHE_LIMIT:
                self._lemmas.clear()
            lemma = self._lemmas[key] = self._lemma_of(word, word.lower(), kind)
        return lemma

    def lemma_variants(self, word: str, lower: str) -> tuple[str, str, str]:
        """`lemma` of ``word`` (``lower`` = ``word.lower()``) as adjective, plural and verb, uncached."""
        lemma_of = self._lemma_of
        return lemma_of(word, lower, "adjective"), lemma_of(word, lower, "plural"), lemma_of(word, lower, "verb")

    def _lemma_of(self, word: str, lower: str, kind: str) -> str:
        """`lemma` of ``word`` (``lower`` = ``word.lower()``) by a non-empty ``kind``, uncached."""
        if kind == "adjective":
            return predicative_lower(lower)
        if kind == "plural":
            return self.singularize(word).lower()
        return (self.verbs.infinitive(word, lower) or word).lower()


def _compile_morphology(rules: Sequence[Sequence[str]]) -> tuple[tuple[bool, str, str, str, str], ...]:
    """Pattern's Morphology rules as (needs_tag, required_tag, command, affix, new_tag) tuples.

    Parsed the way ``Morphology.apply`` reads them, including its quirk that a line it cannot parse
    repeats the previous rule.
    """
    commands = {"word", "char", "haspref", "hassuf", "addpref", "addsuf", "deletepref", "deletesuf",
                "goodleft", "goodright"}
    commands |= {"f" + c for c in commands}
    compiled: list[tuple[bool, str, str, str, str]] = []
    current: tuple[bool, str, str, str] | None = None  # (f, x, pos, cmd)
    for r in rules:
        if r[1] in commands:
            current = (False, r[0], r[-2], r[1].lower())
        if r[2] in commands:
            current = (True, r[1], r[-2], r[2].lower().lstrip("f"))
        if current is None:
            continue
        f, x, pos, cmd = current
        compiled.append((f, r[0], cmd, x, pos))
    return tuple(compiled)


def _never_firing(rules: Sequence[tuple[bool, str, str, str, str]]) -> set[int]:
    """Rules that only fire on a word that has their tag by then, where no earlier rule gives that tag (nor is it
    the start tag "NN"): pattern tests them in vain (18 "char" rules of its German data that require "XX")."""
    reachable = {"NN"}
    never = set()
    for index, (needs_tag, required, _, _, tag) in enumerate(rules):
        if needs_tag and required not in reachable:
            never.add(index)
        else:
            reachable.add(tag)
    return never


def load_tagger(data: SentimentData) -> GermanTagger:
    """The tagger over pattern's data as shipped in moderation/model/sentiment."""
    verbs = VerbLemmatizer(data.verbs, data.verb_prefixes)
    return GermanTagger(
        lexicon=data.tagger_lexicon,
        morphology=data.morphology,
        context=data.context,
        stts_to_penn=data.stts_to_penn,
        number_re=re.compile(data.number_pattern),
        singularizer=Singularizer(data.singular_inflections, data.singular),
        verbs=verbs,
    )
