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
    ) -> None:
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
        self._merge_hint = re.compile("|".join(re.escape(f"{a} {b}") for a, b in sorted(pairs)))
        self._words: dict[str, tuple[str, ...]] = {}
        self.stable: set[str] = set()  # words known to tokenize to themselves

    # -- words --------------------------------------------------------------------------------------

    def split_word(self, raw: str) -> tuple[str, ...]:
        """Tokens of one whitespace-free piece of text (pattern's per-word punctuation rules), cached."""
        parts = self._words.get(raw)
        if parts is None:
            if len(self._words) > _CACHE_LIMIT:
                self._words.clear()
                self.stable.clear()
            parts = self._words[raw] = self._split_word(raw)
            if parts == (raw,):
                self.stable.add(raw)
        return parts

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

    def tokens(self, text: str) -> list[str]:
        """All tokens of ``text`` in order, before sentence grouping (paragraph breaks become EOS)."""
        if "\n" in text:
            text = _LINEBREAK.sub(f" {EOS} ", text.replace("\r\n", "\n"))
        words, split = self._words, self.split_word
        tokens: list[str] = []
        for raw in text.split():
            parts = words.get(raw)
            tokens += parts if parts is not None else split(raw)
        return tokens

    def sentences(self, text: str) -> list[str]:
        """``find_tokens(text)``: sentences as space-separated token strings."""
        return self.group(self.tokens(text))

    def group(self, tokens: list[str]) -> list[str]:
        """Pattern's sentence grouping and emoticon merging over a token list."""
        groups: list[list[str]] = [[]]
        i = j = 0
        n = len(tokens)
        while j < n:
            if tokens[j] in _SENTENCE_ENDS:
                while j < n and tokens[j] in _SENTENCE_TAIL:
                    if tokens[j] in ("'", '"') and groups[-1].count(tokens[j]) % 2 == 0:
                        break  # balanced quotes (pattern counts in the still empty group)
                    j += 1
                groups[-1].extend(t for t in tokens[i:j] if t != EOS)
                groups.append([])
                i = j
            j += 1
        groups[-1].extend(tokens[i:j])
        return [self.merge(" ".join(g)) for g in groups if g]

    def needs_merge(self, sentence: str) -> bool:
        """Whether the sarcasm or emoticon regex could change ``sentence`` (two of their characters
        around a space)."""
        return self._merge_hint.search(sentence) is not None

    def merge(self, sentence: str) -> str:
        """Join "( ! )" to "(!)" and spaced emoticons (": )" -> ":)") as pattern does."""
        if not self.needs_merge(sentence):
            return sentence
        sentence = self._sarcasm_re.sub("(!)", sentence)
        return self._emoticon_re.sub(lambda m: m.group(1).replace(" ", "") + m.group(2), sentence)
