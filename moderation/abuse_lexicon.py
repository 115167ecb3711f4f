"""The editable abuse lexicon (``config/lexicon.yaml``): terms and patterns per abuse category.

Terms match normalised words (see :mod:`moderation.normalise`), with German endings and compounds;
patterns are regular expressions over the normalised text. Word look-ups are cached because the words
of comment sections repeat (Zipf), which keeps matching at a few microseconds per comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import yaml

from moderation.normalise import normalise

CATEGORIES = ("insult", "profanity", "threat", "hate", "spam", "doxxing")
# endings tried when a word is not in the lexicon as it stands: Idioten, Schlampen, Penners, Lügnerin
_ENDINGS = ("", "e", "en", "n", "s", "es", "er", "ern", "in", "innen", "em", "ens")
_SQUEEZE = re.compile(r"(.)\1+")
_DOUBLE = re.compile(r"(.)\1")
_FIRST_GROUP = itemgetter(1)
_NO_ENDING = ("",)
_CACHE_LIMIT = 200_000


class LexiconError(ValueError):
    """The lexicon file is missing or malformed; the message says where, in German."""


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    label: str  # German, for reasons shown to moderators
    hint: str  # criminal norm to consider, "" if none
    override: bool  # a hit is a clear case whatever the model says
    person_target: bool  # a clear case only when aimed at a person


@dataclass(frozen=True, slots=True)
class TermHit:
    category: str
    term: str  # as written in the lexicon
    word: str  # the normalised word of the comment
    mild: bool


@dataclass(frozen=True, slots=True)
class PatternHit:
    category: str
    text: str  # the matched normalised text
    hint: str


_LETTERS = re.compile(r"[a-zäöüß]+")


def anchors(rx: str) -> frozenset[str] | None:
    """Word beginnings one of which every match of ``rx`` must start with, or None if unknown.

    Understands the common form ``\\b(alt|alt ...)...`` and ``\\bword...``; lets patterns run only on texts
    that contain such a word (a regex search per pattern and comment would cost ~100 µs).
    """
    if not rx.startswith("\\b"):
        return None
    rest = rx[2:]
    if rest.startswith("("):
        depth, end = 0, -1
        for i, ch in enumerate(rest):
            if ch == "\\":
                return None  # escapes inside the first group: keep it simple, always run
            depth += (ch == "(") - (ch == ")")
            if depth == 0:
                end = i
                break
        if end < 0 or rest[end + 1 : end + 2] in ("?", "*", "{"):
            return None
        body = rest[1:end].removeprefix("?:")
        alternatives = _split_top(body)
    else:
        alternatives = [rest]
    found = set()
    for alt in alternatives:
        m = _LETTERS.match(alt)
        if not m:
            return None
        word = m.group()
        if alt[m.end() : m.end() + 1] in ("?", "*", "{"):
            word = word[:-1]
        if len(word) < 2:
            return None
        found.add(word)
    return frozenset(found)


def _split_top(body: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in body:
        depth += (ch == "(") - (ch == ")")
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def _squeeze(word: str) -> str:
    """All letter runs to one letter, so "doof", "dooof" and "dof" meet."""
    return _SQUEEZE.sub(_FIRST_GROUP, word) if _DOUBLE.search(word) else word  # a callable: no template parsing


class Lexicon:
    """Compiled lexicon; build with :meth:`load` or :meth:`from_dict`."""

    def __init__(self, categories: dict[str, Category], terms: list[tuple[str, str, bool]],
                 patterns: list[tuple[str, str, str]], version: str) -> None:
        self.categories = categories
        self.version = version
        self._exact: dict[str, list[tuple[str, str, bool]]] = {}
        self._prefix: dict[str, list[tuple[str, str, bool]]] = {}
        self._suffix: dict[str, list[tuple[str, str, bool]]] = {}
        self._infix: list[tuple[str, tuple[str, str, bool]]] = []
        for category, term, mild in terms:
            entry = (category, term, mild)
            core = _squeeze(normalise(term.strip("*")))
            if not core:
                continue
            if term.startswith("*") and term.endswith("*") and len(term) > 1:
                self._infix.append((core, entry))
            elif term.endswith("*"):
                self._prefix.setdefault(core, []).append(entry)
            elif term.startswith("*"):
                self._suffix.setdefault(core, []).append(entry)
            else:
                self._exact.setdefault(core, []).append(entry)
        self._prefix_lengths = sorted({len(p) for p in self._prefix})
        # the first two letters of the prefix terms: a word that starts otherwise needs no look-up (None: always)
        self._prefix_heads = frozenset(p[:2] for p in self._prefix) if all(len(p) >= 2 for p in self._prefix) else None
        # the lengths of the suffix terms by their last two letters, longest first (shorter ones never match)
        tails: dict[str, set[int]] = {}
        for core in self._suffix:
            if len(core) >= 2:
                tails.setdefault(core[-2:], set()).add(len(core))
        self._suffix_tails = {tail: sorted(lengths, reverse=True) for tail, lengths in tails.items()}
        # the endings a word may carry, by its last letter, in the order of _ENDINGS
        self._endings = {e[-1]: tuple(x for x in _ENDINGS if not x or x.endswith(e[-1])) for e in _ENDINGS if e}
        self._patterns = [(category, re.compile(rx), hint) for category, rx, hint in patterns]
        self._always: list[int] = []  # patterns without known anchors
        self._anchored: dict[str, list[tuple[str, int]]] = {}  # first two letters -> (anchor, pattern index)
        self._starts: list[tuple[str, ...]] = []  # per pattern: anchors, none the prefix of another; () = unknown
        for i, (_, rx, _) in enumerate(patterns):
            found = anchors(rx) or frozenset()
            if not found:
                self._always.append(i)
            for word in found:
                self._anchored.setdefault(word[:2], []).append((word, i))
            # "gehören" starts where "gehör" does: searching for the shorter anchor finds both
            self._starts.append(tuple(sorted(w for w in found if not any(w != o and w.startswith(o) for o in found))))
        self._cache: dict[str, tuple[tuple[TermHit, ...], tuple[int, ...]]] = {}

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Read and compile a lexicon YAML file. Raises :class:`LexiconError`."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise LexiconError(f"{path}: Lexikon nicht lesbar: {exc}") from exc
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: Any, where: str = "Lexikon") -> Lexicon:
        """Compile the parsed YAML structure (see ``config/lexicon.yaml``). Raises :class:`LexiconError`."""
        if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
            raise LexiconError(f"{where}: erwartet wird ein Abschnitt „categories“")
        categories: dict[str, Category] = {}
        terms: list[tuple[str, str, bool]] = []
        patterns: list[tuple[str, str, str]] = []
        for name, spec in data["categories"].items():
            if name not in CATEGORIES:
                raise LexiconError(f"{where}: unbekannte Kategorie „{name}“ (erlaubt: {', '.join(CATEGORIES)})")
            if not isinstance(spec, dict):
                raise LexiconError(f"{where}: Kategorie „{name}“ muss ein Abschnitt sein")
            hint = str(spec.get("hint") or "")
            categories[name] = Category(name, str(spec.get("label") or name), hint,
                                        bool(spec.get("override", False)), bool(spec.get("person_target", False)))
            for key, mild in (("terms", False), ("mild_terms", True)):
                terms.extend((name, str(t), mild) for t in spec.get(key) or [])
            for item in spec.get("patterns") or []:
                rx, item_hint = (item.get("re"), item.get("hint", hint)) if isinstance(item, dict) else (item, hint)
                try:
                    re.compile(str(rx))
                except re.error as exc:
                    raise LexiconError(f"{where}: ungültiges Muster in „{name}“: {rx!r} ({exc})") from exc
                patterns.append((name, str(rx), str(item_hint or "")))
        return cls(categories, terms, patterns, str(data.get("version", "1")))

    @property
    def unanchored_patterns(self) -> tuple[int, ...]:
        """Indices of the patterns that run on every text (see :meth:`patterns_in`)."""
        return tuple(self._always)

    def word_info(self, word: str) -> tuple[tuple[TermHit, ...], tuple[int, ...]]:
        """(lexicon terms the normalised word matches, patterns the word may start) of one word, cached."""
        info = self._cache.get(word)
        if info is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            info = self._cache[word] = self.word_info_uncached(word)
        return info

    def word_info_uncached(self, word: str) -> tuple[tuple[TermHit, ...], tuple[int, ...]]:
        """:meth:`word_info` without its cache, for callers that cache more per word anyway (the abuse model)."""
        anchored = self._anchored.get(word[:2])
        starts = tuple(sorted({i for anchor, i in anchored if word.startswith(anchor)})) if anchored else ()
        return self._lookup(word), starts

    def _lookup(self, word: str) -> tuple[TermHit, ...]:
        """Terms the word matches: exact or suffix terms after removing an ending, prefix and infix terms.

        The hot path of a first pass over new words: endings are only tried where the last letter allows them,
        suffix terms only where their last two letters fit, prefix terms only where their first two do.
        """
        if len(word) < 2 or word.isdigit():
            return ()
        squeezed = _squeeze(word)
        found: dict[tuple[str, str, bool], None] = {}
        exact, suffix, tails = self._exact, self._suffix, self._suffix_tails
        for ending in self._endings.get(squeezed[-1], _NO_ENDING):
            base = squeezed[: len(squeezed) - len(ending)] if ending else squeezed
            if len(base) < 2 or (ending and not squeezed.endswith(ending)):
                continue
            entries = exact.get(base)
            if entries:
                found.update(dict.fromkeys(entries))
            for n in tails.get(base[-2:], ()):  # longest first, as a scan of base[i:] from i = 0 would go
                if n <= len(base):
                    entries = suffix.get(base[-n:])
                    if entries:
                        found.update(dict.fromkeys(entries))
        heads = self._prefix_heads
        if heads is None or squeezed[:2] in heads:
            for n in self._prefix_lengths:
                if n > len(squeezed):
                    break
                for entry in self._prefix.get(squeezed[:n], ()):
                    found[entry] = None
        for core, entry in self._infix:
            if core in squeezed:
                found[entry] = None
        return tuple(TermHit(c, t, word, mild) for c, t, mild in found) if found else ()

    def scan(self, normalised: str, words: list[str]) -> tuple[list[tuple[int, TermHit]], list[PatternHit]]:
        """Term hits (with the index of their word) and pattern matches of a normalised text and its tokens."""
        term_hits: list[tuple[int, TermHit]] = []
        todo = set(self._always)
        cache = self._cache
        for i, word in enumerate(words):
            hits, starts = cache.get(word) or self.word_info(word)  # inlined cache hit: hot path
            if hits:
                term_hits += [(i, hit) for hit in hits]
            if starts:
                todo.update(starts)
        return term_hits, self.patterns_in(normalised, todo)

    def patterns_in(self, normalised: str, todo: set[int]) -> list[PatternHit]:
        """Matches of the patterns ``todo`` (indices from :meth:`word_info` and the unanchored ones), in order."""
        found: list[PatternHit] = []
        for i in sorted(todo):
            category, rx, hint = self._patterns[i]
            m = self._search(i, normalised)
            if m:
                found.append(PatternHit(category, m.group(), hint))
        return found

    def _search(self, i: int, text: str) -> re.Match[str] | None:
        """``rx.search(text)`` of pattern ``i``, tried only where one of its anchors occurs (5x faster).

        Every match starts at an anchor (see :func:`anchors`), and the leftmost of them is what a search finds.
        """
        rx = self._patterns[i][1]
        starts = self._starts[i]
        if not starts:
            return rx.search(text)
        best: re.Match[str] | None = None
        for anchor in starts:
            at = text.find(anchor)
            while at >= 0 and (best is None or at < best.start()):
                m = rx.match(text, at)  # \b and look-behinds still see the text before ``at``
                if m:
                    best = m
                    break
                at = text.find(anchor, at + 1)
        return best
