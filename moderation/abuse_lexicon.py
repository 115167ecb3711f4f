"""The editable abuse lexicon (``config/lexicon.yaml``): terms and patterns per abuse category.

Terms match normalised words (see :mod:`moderation.normalise`), with German endings and compounds;
patterns are regular expressions over the normalised text. Word look-ups are cached because the words
of comment sections repeat (Zipf), which keeps matching at a few microseconds per comment; a word seen for
the first time is ruled out by two set look-ups (its ending, its beginning) unless a term may fit it.

Start-up: the shipped lexicon is also stored as JSON (``moderation/model/abuse_lexicon.json``, written by
``python -m moderation.abuse_lexicon`` from the YAML, with the YAML's SHA-256). When the YAML read is that
file, the JSON is used and its patterns, checked when it was built, are compiled only when first needed;
any other (edited) lexicon is read from YAML and every pattern is checked at once.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from moderation.matching import has_top_level_bar
from moderation.native import PACKAGE_DIR
from moderation.normalise import normalise

CATEGORIES = ("insult", "profanity", "threat", "hate", "spam", "doxxing")
BUILT_LEXICON = PACKAGE_DIR / "model" / "abuse_lexicon.json"
SOURCE_LEXICON = PACKAGE_DIR.parent / "config" / "lexicon.yaml"
# endings tried when a word is not in the lexicon as it stands: Idioten, Schlampen, Penners, Lügnerin
_ENDINGS = ("", "e", "en", "n", "s", "es", "er", "ern", "in", "innen", "em", "ens")
_TAIL = 4  # how many last letters of a term a new word's ending is compared with (see Lexicon._tail_endings)
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


_LITERAL = re.compile(r"[a-zäöüß ]*")


def anchors(rx: str) -> frozenset[str] | None:
    """Literal beginnings one of which every match of ``rx`` must start with, or None if unknown.

    Understands the common forms ``\\b(alt|alt ...) rest`` and ``\\bword rest``: an anchor is the literal text
    (letters and spaces) an alternative starts with, followed by the literal text after the group where the
    alternative is all literal ("du bist " for ``\\b(du bist|ihr seid) (tot|...)``). Lets patterns run only on
    texts that contain such a beginning (a regex search per pattern and comment would cost ~100 µs). The first
    word of an anchor needs two letters at least (patterns are indexed by them).
    """
    if not rx.startswith("\\b"):
        return None
    rest = rx[2:]
    if has_top_level_bar(rest):
        return None  # "\\bword|other": the other alternative may match anywhere
    after = ""
    if rest.startswith("("):
        depth, end = 0, -1
        for i, ch in enumerate(rest):
            if ch == "\\":
                return None  # escapes inside the first group: keep it simple, always run
            depth += (ch == "(") - (ch == ")")
            if depth == 0:
                end = i
                break
        if end < 0 or rest[end + 1 : end + 2] in ("?", "*", "{", "+"):
            return None
        alternatives = _split_top(rest[1:end].removeprefix("?:"))
        after = _literal(rest[end + 1 :])[0]
    else:
        alternatives = [rest]
    found = set()
    for alt in alternatives:
        literal, complete = _literal(alt)
        anchor = literal + after if complete else literal
        if len(anchor.partition(" ")[0]) < 2:
            return None
        found.add(anchor)
    return frozenset(found)


def _literal(rx: str) -> tuple[str, bool]:
    """(The literal text ``rx`` starts with, whether that is all of ``rx``); a quantified last letter is left out."""
    literal = _LITERAL.match(rx).group()  # type: ignore[union-attr]  # matches the empty string at least
    if rx[len(literal) : len(literal) + 1] in ("?", "*", "{"):
        return literal[:-1], False
    return literal, len(literal) == len(rx)


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
        # the beginnings of the prefix terms, as long as the shortest: a word that starts otherwise needs no look-up
        self._head_cut = slice(0, min(self._prefix_lengths, default=0))
        self._prefix_heads = frozenset(p[self._head_cut] for p in self._prefix)
        # the lengths of the suffix terms by their last two letters, longest first (shorter ones never match)
        tails: dict[str, set[int]] = {}
        for core in self._suffix:
            if len(core) >= 2:
                tails.setdefault(core[-2:], set()).add(len(core))
        self._suffix_tails = {tail: sorted(lengths, reverse=True) for tail, lengths in tails.items()}
        # what a word that an exact or suffix term fits ends with: the term's last letters and an ending; and
        # the lengths of those endings, as slices (a new word needs a closer look only if one of them is there)
        cores = [core for core in (*self._exact, *self._suffix) if len(core) >= 2]
        self._tail_endings = frozenset(core[-_TAIL:] + e for core in cores for e in _ENDINGS)
        self._tail_cuts = tuple(slice(-n, None) for n in sorted({len(core[-_TAIL:]) + len(e) for core in cores
                                                                 for e in _ENDINGS}))
        # the endings a word may carry, by its last letter, in the order of _ENDINGS
        self._endings = {e[-1]: tuple(x for x in _ENDINGS if not x or x.endswith(e[-1])) for e in _ENDINGS if e}
        self._patterns = patterns  # (category, regular expression, hint)
        self._compiled: list[re.Pattern[str] | None] = [None] * len(patterns)  # compiled when first needed
        self._always: list[int] = []  # patterns without known anchors
        # the patterns a word may start: by the word, where an anchor's first word is followed by a space ("du
        # bist "); by the first two letters (-> (first word, pattern)) where the word only has to begin with it
        whole: dict[str, set[int]] = {}
        self._anchored: dict[str, list[tuple[str, int]]] = {}
        self._starts: list[tuple[str, ...]] = []  # per pattern: anchors, none the prefix of another; () = unknown
        for i, (_, rx, _) in enumerate(patterns):
            found = anchors(rx) or frozenset()
            if not found:
                self._always.append(i)
            for anchor in sorted(found):
                first, space, _ = anchor.partition(" ")
                if space:
                    whole.setdefault(first, set()).add(i)
                else:
                    self._anchored.setdefault(first[:2], []).append((first, i))
            # "gehören" starts where "gehör" does: searching for the shorter anchor finds both
            self._starts.append(tuple(sorted(w for w in found if not any(w != o and w.startswith(o) for o in found))))
        self._whole_word_starts = {word: tuple(sorted(found)) for word, found in whole.items()}
        self._cache: dict[str, tuple[tuple[TermHit, ...], tuple[int, ...]]] = {}

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Read and compile a lexicon YAML file (the built JSON if the file is the one it was built from).

        Raises :class:`LexiconError`.
        """
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise LexiconError(f"{path}: Lexikon nicht lesbar: {exc}") from exc
        built = _built(raw)
        if built is not None:
            return cls.from_dict(built, str(path), checked=True)
        import yaml  # only for a lexicon that differs from the shipped one

        from store.config import YAML_LOADER

        try:
            data = yaml.load(raw, Loader=YAML_LOADER)
        except yaml.YAMLError as exc:
            raise LexiconError(f"{path}: Lexikon nicht lesbar: {exc}") from exc
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: Any, where: str = "Lexikon", checked: bool = False) -> Lexicon:
        """Compile the parsed YAML structure (see ``config/lexicon.yaml``). Raises :class:`LexiconError`.

        ``checked``: the patterns are known to compile (a built lexicon); they are then compiled when needed.
        """
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
                if not checked:
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

    def pattern(self, i: int) -> re.Pattern[str]:
        """Pattern ``i``, compiled (once, when first needed)."""
        rx = self._compiled[i]
        if rx is None:
            rx = self._compiled[i] = re.compile(self._patterns[i][1])
        return rx

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
        starts = self._whole_word_starts.get(word, ())
        anchored = self._anchored.get(word[:2])
        if anchored:
            begun = {i for first, i in anchored if word.startswith(first)}
            if begun:
                starts = tuple(sorted(begun.union(starts)))
        return self._lookup(word), starts

    def _lookup(self, word: str) -> tuple[TermHit, ...]:
        """Terms the word matches: exact or suffix terms after removing an ending, prefix and infix terms.

        The hot path of a first pass over new words: most words end and begin as no term does, which two set
        look-ups tell; endings are only tried where the last letter allows them, suffix terms only where their
        last two letters fit, prefix terms only where their beginnings do.
        """
        if len(word) < 2 or word.isdigit():
            return ()
        squeezed = _SQUEEZE.sub(_FIRST_GROUP, word) if _DOUBLE.search(word) else word  # _squeeze, inlined
        may_end = not self._tail_endings.isdisjoint(map(squeezed.__getitem__, self._tail_cuts))
        may_begin = squeezed[self._head_cut] in self._prefix_heads
        if not (may_end or may_begin or self._infix):
            return ()  # most new words
        found: dict[tuple[str, str, bool], None] = {}
        if may_end:
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
        if may_begin:
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
            m = self._search(i, normalised)
            if m:
                category, _, hint = self._patterns[i]
                found.append(PatternHit(category, m.group(), hint))
        return found

    def _search(self, i: int, text: str) -> re.Match[str] | None:
        """``rx.search(text)`` of pattern ``i``, tried only where one of its anchors occurs (5x faster).

        Every match starts at an anchor (see :func:`anchors`), and the leftmost of them is what a search finds.
        """
        starts = self._starts[i]
        if not starts:
            return self.pattern(i).search(text)
        best: re.Match[str] | None = None
        rx: re.Pattern[str] | None = None
        for anchor in starts:
            at = text.find(anchor)
            while at >= 0 and (best is None or at < best.start()):
                if rx is None:
                    rx = self.pattern(i)  # compiled only where an anchor occurs
                m = rx.match(text, at)  # \b and look-behinds still see the text before ``at``
                if m:
                    best = m
                    break
                at = text.find(anchor, at + 1)
        return best


def _built(raw: bytes) -> dict[str, Any] | None:
    """The lexicon of :data:`BUILT_LEXICON` if it was built from the YAML bytes ``raw``, else None."""
    try:
        built = orjson.loads(BUILT_LEXICON.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(built, dict) or built.get("source_sha256") != hashlib.sha256(raw).hexdigest():
        return None
    lexicon = built.get("lexicon")
    return lexicon if isinstance(lexicon, dict) else None


def build(source: Path = SOURCE_LEXICON, out: Path = BUILT_LEXICON) -> None:
    """Check the lexicon YAML ``source`` (every pattern compiles) and write it as JSON with its SHA-256 to ``out``.

    Raises :class:`LexiconError`.
    """
    import yaml

    raw = source.read_bytes()
    data = yaml.safe_load(raw)
    Lexicon.from_dict(data, str(source))  # raises for a bad file: never ship an unchecked one
    document = {"source": source.name, "source_sha256": hashlib.sha256(raw).hexdigest(), "lexicon": data}
    out.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")


if __name__ == "__main__":  # python -m moderation.abuse_lexicon [SOURCE.yaml [OUT.json]]
    build(*(Path(arg) for arg in sys.argv[1:3]))
