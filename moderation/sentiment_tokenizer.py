"""Pattern's rule-based tokenizer (``pattern.text.find_tokens``), rebuilt for speed.

textblob-de runs this tokenizer three times per comment: to split sentences (German abbreviations), again
inside its lemmatiser, and once more (English settings) inside pattern's sentiment scorer. The output must be
the same token for token, so the per-word rules are pattern's own, only cached per whitespace-separated word;
the sentence grouping and the emoticon/sarcasm merging run as in pattern, but the (slow) regexes only run
when a cheap pre-check says they can change something.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EOS = "END-OF-SENTENCE"
_SENTENCE_ENDS = frozenset(("...", ".", "!", "?", EOS))
_SENTENCE_TAIL = frozenset(("'", '"', "”", "’", "...", ".", "!", "?", ")", EOS))
_UNICODE_QUOTES = (("“", " “ "), ("”", " ” "), ("‘", " ‘ "), ("’", " ’ "))
_LINEBREAK = re.compile(r"\n{2,}")
_CACHE_LIMIT = 200_000


class PatternTokenizer:
    """``find_tokens`` with one set of parameters (punctuation, abbreviations, contractions)."""

    def __init__(
        self,
        punctuation: str,
        abbreviations: Iterable[str],
        replacements: dict[str, str],
        abbreviation_patterns: Iterable[re.Pattern[str]],
        emoticons: Iterable[str],
        emoticon_re: re.Pattern[str],
        sarcasm_re: re.Pattern[str],
        track_stability: bool = True,
    ) -> None:
        """``track_stability``: keep what `tokens` needs to tell whether its tokens are stable (a tokenizer
        only used through `split_word`, `merge` and `sentences` can skip that work)."""
        self._punct = tuple(punctuation.replace(".", ""))
        self._punct_dot = (*self._punct, ".")
        self._abbreviations = frozenset(abbreviations)
        self._abbreviation_res = tuple(abbreviation_patterns)
        self._replace_keys = frozenset(replacements)
        self._replacements = tuple((re.compile(a), b) for a, b in replacements.items())
        self._emoticon_re = emoticon_re
        self._sarcasm_re = sarcasm_re
        # An emoticon merge ("; )" -> ";)") needs two emoticon characters around a space: look for
        # those pairs first, the full emoticon regex is far slower.
        pairs = {(e[k], e[k + 1]) for e in emoticons for k in range(len(e) - 1)} | {("(", "!"), ("!", ")")}
        self.merge_pairs = frozenset(pairs)
        self.merge_firsts = frozenset(a for a, _ in pairs)
        self.merge_seconds = frozenset(b for _, b in pairs)
        # A space between a possible first and a possible second character; the exact pair is checked
        # on each hit (a regex alternation of all pairs is much slower).
        self._merge_hint = re.compile(
            "[" + "".join(map(re.escape, sorted(self.merge_firsts))) + "]"
            + " (?=[" + "".join(map(re.escape, sorted(self.merge_seconds))) + "])"
        )
        self._words: dict[str, tuple[str, ...]] = {}
        self._unstable: set[str] = set()  # words with a token that would tokenize differently again
        self._track_stability = track_stability
        self._edge_marks = frozenset(self._punct)
        self._curly_quotes = frozenset(q for q, _ in _UNICODE_QUOTES)
        # Punctuation marks that split off a word's edge as one stable token of their own, whatever the word.
        self._simple = frozenset(c for c in self._punct if c.isascii() and c != "'" and c not in self._replace_keys)
        for mark in (*self._simple, "."):  # the shortcuts in `split_word` take these as stable tokens
            if self._split_word(mark) != (mark,):
                raise ValueError(f"{mark!r} ist kein eigenes Token: Abkürzung in split_word prüfen")

    # -- words --------------------------------------------------------------------------------------

    def split_word(self, raw: str) -> tuple[str, ...]:
        """Tokens of one whitespace-free piece of text (pattern's per-word punctuation rules), cached."""
        parts = self._words.get(raw)
        if parts is None:
            if len(self._words) > _CACHE_LIMIT:
                self._words.clear()
                self._unstable.clear()
            if raw.isalnum():  # no punctuation, quote or apostrophe: one stable token
                parts = self._words[raw] = (raw,)
            elif raw[1:].isalnum() and raw[0] in self._simple:  # "@user", "(so": quicker, same tokens
                parts = self._words[raw] = (raw[0], raw[1:])
            elif raw[:-1].isalnum() and raw[-1] in self._simple:  # "Merkel," "gut!"
                parts = self._words[raw] = (raw[:-1], raw[-1])
            elif raw[-1] == "." and raw[:-1].isalnum():  # "Deutschland.", but "Dr." stays whole
                parts = self._words[raw] = (raw,) if self._is_abbreviation(raw) else (raw[:-1], ".")
            else:
                parts = self._words[raw] = self._split_word(raw)
                if self._track_stability and parts != (raw,) and not all(self.is_stable(p) for p in parts):
                    self._unstable.add(raw)
        return parts

    def stays_whole(self, text: str) -> bool:
        """A quick sufficient condition for `split_word` to give back a non-empty whitespace-free ``text``
        as one token: no punctuation mark at its edges (nor a final "."), no apostrophe, no curly quote."""
        return (text[0] not in self._edge_marks and text[-1] not in self._edge_marks and text[-1] != "."
                and "'" not in text and self._curly_quotes.isdisjoint(text))

    def is_stable(self, token: str) -> bool:
        """True when tokenizing ``token`` again gives back exactly ``token``."""
        parts = self.split_word(token)
        return len(parts) == 1 and parts[0] == token

    def _split_word(self, raw: str) -> tuple[str, ...]:
        s = raw
        if "'" in s:  # every contraction pattern contains an apostrophe
            for pattern, replacement in self._replacements:
                s = pattern.sub(replacement, s)
        for quote, spaced in _UNICODE_QUOTES:
            if quote in s:
                s = s.replace(quote, spaced)
        punct, punct_dot, keep = self._punct, self._punct_dot, self._replace_keys
        out: list[str] = []
        for t in s.split():
            tail: list[str] = []
            while t.startswith(punct) and t not in keep:
                out.append(t[0])
                t = t[1:]
            while t.endswith(punct_dot) and t not in keep:
                if t.endswith(punct):
                    tail.append(t[-1])
                    t = t[:-1]
                if t.endswith("..."):
                    tail.append("...")
                    t = t[:-3].rstrip(".")
                if t.endswith("."):
                    if self._is_abbreviation(t):
                        break
                    tail.append(t[-1])
                    t = t[:-1]
            if t != "":
                out.append(t)
            out.extend(reversed(tail))
        return tuple(out)

    def _is_abbreviation(self, t: str) -> bool:
        return t in self._abbreviations or any(p.match(t) is not None for p in self._abbreviation_res)

    # -- sentences ----------------------------------------------------------------------------------

    def tokens(self, text: str) -> tuple[list[str], bool]:
        """All tokens of ``text`` in order, before sentence grouping (paragraph breaks become EOS), and
        whether every token is `stable` (always False without ``track_stability``)."""
        if "\n" in text:
            text = _LINEBREAK.sub(f" {EOS} ", text.replace("\r\n", "\n"))
        words = self._words
        raws = text.split()
        tokens: list[str] = []
        for raw in raws:
            parts = words.get(raw)
            tokens += parts if parts is not None else self.split_word(raw)
        return tokens, self._track_stability and self._unstable.isdisjoint(raws)

    def sentences(self, text: str) -> list[str]:
        """``find_tokens(text)``: sentences as space-separated token strings."""
        return [sentence for sentence, _ in self.sentences_with_tokens(text)]

    def sentences_with_tokens(self, text: str) -> list[tuple[str, list[str] | None]]:
        """``find_tokens(text)`` with each sentence's tokens, when re-tokenizing the sentence would
        give them back unchanged (None: re-tokenize to know)."""
        tokens, stable = self.tokens(text)
        out: list[tuple[str, list[str] | None]] = []
        for group in self._group(tokens):
            joined = " ".join(group)
            merged = self.merge(joined)
            out.append((merged, group if stable and merged == joined else None))
        return out

    @staticmethod
    def _group(tokens: list[str]) -> list[list[str]]:
        """Pattern's sentence grouping: a sentence ends after ".", "!", "?", "..." or a paragraph
        break, taking closing quotes, brackets and further end marks with it."""
        groups: list[list[str]] = []
        n = len(tokens)
        start = resume = 0
        for end in [j for j, t in enumerate(tokens) if t in _SENTENCE_ENDS]:
            if end < resume:
                continue
            j = end
            while j < n and tokens[j] in _SENTENCE_TAIL:
                if tokens[j] in ("'", '"'):
                    break  # pattern's quote balancing counts in a still empty group: always even
                j += 1
            group = [t for t in tokens[start:j] if t != EOS]
            if group:
                groups.append(group)
            start = j
            resume = j + 1  # pattern does not look at the token the tail stopped at
        if start < n:
            groups.append(tokens[start:])
        return groups

    def needs_merge(self, sentence: str) -> bool:
        """Whether the sarcasm or emoticon regex could change ``sentence`` (two of their characters
        around a space)."""
        search, pairs = self._merge_hint.search, self.merge_pairs
        hit = search(sentence)
        while hit is not None:
            i = hit.start()
            if (sentence[i], sentence[i + 2]) in pairs:
                return True
            hit = search(sentence, i + 1)
        return False

    def merge(self, sentence: str) -> str:
        """Join "( ! )" to "(!)" and spaced emoticons (": )" -> ":)") as pattern does."""
        if not self.needs_merge(sentence):
            return sentence
        sentence = self._sarcasm_re.sub("(!)", sentence)
        return self._emoticon_re.sub(lambda m: m.group(1).replace(" ", "") + m.group(2), sentence)
