"""Pattern's German lemmatisation rules (``pattern.de.inflect``), exactly, over the shipped data, but indexed.

pattern tries ~250 plural suffixes and ~70 verb prefixes one after the other; here the suffixes and prefixes a
word actually has are looked up, and the first one in pattern's order wins, as there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

_VOWELS = "aeiouy"
_REGULAR_ENDINGS = frozenset(("test", "est", "end", "ten", "tet", "en", "et", "te", "st", "e", "t"))
_SUBJUNCTIVE = {  # hielte => halten, schnitte => schneiden
    "ieb": "eib", "ied": "eid", "ief": "auf", "ieg": "eig", "iel": "alt", "ien": "ein", "iess": "ass",
    "ieß": "aß", "iff": "eif", "iss": "eiss", "iß": "eiß", "it": "eid", "oss": "iess", "öss": "iess",
}


def predicative(adjective: str) -> str:
    """pattern's ``predicative``: the lower-cased adjective without its attributive ending."""
    w = adjective.lower()
    if len(w) > 3:
        for suffix in ("em", "en", "er", "es", "e"):
            if w.endswith(suffix):
                b = w[: max(-len(suffix), -(len(w) - 3))]
                if b.endswith("bl"):  # plausibles => plausibel
                    b = b[:-1] + "el"
                if b.endswith("pr"):  # propres => proper
                    b = b[:-1] + "er"
                return b
    return w


class Singularizer:
    """pattern's ``singularize`` for nouns."""

    def __init__(self, inflections: Iterable[tuple[str, str]], exceptions: Mapping[str, str]) -> None:
        self._exceptions = dict(exceptions)
        by_suffix: dict[str, tuple[int, str]] = {}
        for index, (suffix, replacement) in enumerate(inflections):
            by_suffix.setdefault(suffix, (index, replacement))  # the first in pattern's list wins
        self._by_suffix = by_suffix
        self._lengths = sorted({len(s) for s in by_suffix})

    def __call__(self, word: str) -> str:
        found = self._exceptions.get(word)
        if found is not None:
            return found
        w = word.lower().capitalize()
        best: tuple[int, str] | None = None
        length = 0
        for n in self._lengths:
            hit = self._by_suffix.get(w[-n:]) if len(w) >= n else None
            if hit is not None and (best is None or hit[0] < best[0]):
                best, length = hit, n
        if best is not None:
            return w[:-length] + best[1]
        for suffix in ("nen", "en", "n", "e", "er", "s"):  # strip known plural suffixes
            if w.endswith(suffix):
                w = w[: -len(suffix)]
                break
        if w.endswith(("rr", "rv", "nz")):
            return w + "e"
        return w


class VerbLemmatizer:
    """pattern's ``conjugate(word, INFINITIVE)`` over its verb table (``Verbs.lemma`` and ``find_lemma``)."""

    def __init__(self, table: Mapping[str, Iterable[str]], prefixes: Iterable[str]) -> None:
        self._infinitives = frozenset(table)
        self._inverse = {form: infinitive for infinitive, forms in table.items() for form in forms}
        # Prefixes by their first two letters (all have at least two), in pattern's order.
        self._prefixes: dict[str, tuple[str, ...]] = {}
        for prefix in prefixes:
            if len(prefix) < 2:
                raise ValueError(f"Verbpräfix zu kurz: {prefix!r}")
            self._prefixes[prefix[:2]] = (*self._prefixes.get(prefix[:2], ()), prefix)

    def infinitive(self, verb: str) -> str | None:
        """``conjugate(verb, INFINITIVE)``: the infinitive, lower-cased unless from the table."""
        b = self.lemma(verb)
        if b in self._infinitives:
            return b
        # pattern builds the rule-based lexeme only to read its first entry: the lower-cased lemma,
        # spelled as in the table when the table has it with "ss" for "ß".
        v = b.lower()
        encoded = v.replace("ß", "ss")
        if encoded in self._infinitives:
            v = encoded.replace("ss", "ß")
        return v or None

    def lemma(self, verb: str) -> str:
        """``Verbs.lemma``: from the table, else by ``find_lemma``'s rules."""
        inverse = self._inverse
        found = inverse.get(verb.lower())
        if found is None:
            found = inverse.get(verb)
        return found if found is not None else self.find_lemma(verb)

    def find_lemma(self, verb: str) -> str:
        """pattern's rule-based ``Verbs.find_lemma``."""
        v = verb.lower()
        inverse = self._inverse
        if not (v.startswith("ge") and v.endswith("t")):  # probably a participle otherwise
            for prefix in self._prefixes.get(v[:2], ()):
                if v.startswith(prefix):
                    rest = inverse.get(v[len(prefix):])
                    if rest is not None:
                        return prefix + rest
        parts = v.split()[:2] if " " in v else []  # "setze nieder" => niedersetzen
        b, suffix = parts if parts else (v, "")
        if b.endswith(("ln", "rn")):
            return b
        for n in (4, 3, 2, 1):  # pattern's list is longest first, so the longest ending wins
            if b[-n:] in _REGULAR_ENDINGS:
                b = b[:-n]
                break
        for n in (4, 3, 2):  # no two of these endings end a word together
            y = _SUBJUNCTIVE.get(b[-n:])
            if y is not None:
                b = b[:-n] + y
                break
        b = b.replace("eeiss", "eiss")
        b = b.replace("eeid", "eit")
        if not b.endswith(("e", "l")) and not (b.endswith("er") and len(b) >= 3 and b[-3] not in _VOWELS):
            b = b + "e"
        if b.endswith(("hl", "ll", "ul", "eil")):
            b = b + "e"
        if b.startswith("ge") and v.endswith("t"):
            b = b[2:]
        if b.endswith(("lnde", "rnde")):
            b = b[:-3]
        if b.endswith(("ae", "al", "öe", "üe")):
            b = b.rstrip("e") + "te"
        if b.endswith("äl"):
            b = b + "e"
        return suffix + b + "n"
