"""Pattern's German lemmatisation rules (``pattern.de.inflect``), exactly, over the shipped data, but indexed.

pattern tries ~250 plural suffixes and ~70 verb prefixes one after the other; here the suffixes and prefixes a
word actually has are looked up, and the first one in pattern's order wins, as there.

The rules also run backwards (`Singularizer.sources`, `rule_lemma_sources`): which words can have a given
singular or verb lemma. `moderation.sentiment_data.risky_words` builds its index of new words that need a
closer look from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

_VOWELS = "aeiouy"
_REGULAR_ENDINGS = frozenset(("test", "est", "end", "ten", "tet", "en", "et", "te", "st", "e", "t"))
_SUBJUNCTIVE = {  # hielte => halten, schnitte => schneiden
    "ieb": "eib", "ied": "eid", "ief": "auf", "ieg": "eig", "iel": "alt", "ien": "ein", "iess": "ass",
    "ieß": "aß", "iff": "eif", "iss": "eiss", "iß": "eiß", "it": "eid", "oss": "iess", "öss": "iess",
}
_ENDING_LAST = frozenset(e[-1] for e in _REGULAR_ENDINGS)  # quick exits: a word without such a last letter
_SUBJUNCTIVE_LAST = frozenset(e[-1] for e in _SUBJUNCTIVE)  # has none of these endings


def predicative(adjective: str) -> str:
    """pattern's ``predicative``: the lower-cased adjective without its attributive ending."""
    return predicative_lower(adjective.lower())


def predicative_lower(w: str) -> str:
    """`predicative` of an already lower-cased word."""
    n = len(w)
    if n <= 3:
        return w
    last = w[-1]
    if last == "e":  # pattern tries "em", "en", "er", "es", "e": only "e" ends in "e"
        b = w[:-1]
    elif last in "mnrs" and w[-2] == "e":
        b = w[:-2] if n > 4 else w[:3]
    else:
        return w
    if b.endswith("bl"):  # plausibles => plausibel
        b = b[:-1] + "el"
    elif b.endswith("pr"):  # propres => proper
        b = b[:-1] + "er"
    return b


class Singularizer:
    """pattern's ``singularize`` for nouns."""

    def __init__(self, inflections: Iterable[tuple[str, str]], exceptions: Mapping[str, str]) -> None:
        self._exceptions = dict(exceptions)
        by_suffix: dict[str, tuple[int, str]] = {}
        for index, (suffix, replacement) in enumerate(inflections):
            if not suffix:
                raise ValueError("leeres Plural-Suffix")
            by_suffix.setdefault(suffix, (index, replacement))  # the first in pattern's list wins
        # Every suffix a word has is a suffix of the longest one it has: the rule pattern picks (the first
        # in its list) is known from that one alone. suffix -> (length of the winning suffix, replacement)
        self._by_suffix: dict[str, tuple[int, str]] = {}
        for suffix in by_suffix:
            hits = [(by_suffix[suffix[-n:]], n) for n in range(1, len(suffix) + 1) if suffix[-n:] in by_suffix]
            (_, replacement), n = min(hits)
            self._by_suffix[suffix] = (n, replacement)
        self._lengths = sorted({len(s) for s in by_suffix}, reverse=True)

    def __call__(self, word: str) -> str:
        found = self._exceptions.get(word)
        return found if found is not None else self.by_rules(word.lower().capitalize())

    def sources(self, lemma: str) -> set[str]:
        """Every lower-cased word whose lower-cased `by_rules` singular is ``lemma`` (the rules undone)."""
        found = {lemma[: len(lemma) - len(r)] + suffix[-n:]
                 for suffix, (n, r) in self._by_suffix.items() if lemma.endswith(r)}
        bases = {lemma, lemma[:-1]} if lemma.endswith(("rre", "rve", "nze")) else {lemma}
        found |= {base + suffix for base in bases for suffix in ("", "nen", "en", "n", "e", "er", "s")}
        return {v for v in found if v and self.by_rules(v.capitalize()).lower() == lemma}

    def replacement_ends(self) -> frozenset[str]:
        """The last characters of the rules' replacements."""
        return frozenset(r[-1:] for _, r in self._by_suffix.values())

    def by_rules(self, w: str) -> str:
        """`singularize` of a word not among the exceptions, lower-cased and capitalised."""
        by_suffix = self._by_suffix
        for n in self._lengths:  # the longest suffix the word has
            hit = by_suffix.get(w[-n:])
            if hit is not None and len(w) >= n:
                return w[: -hit[0]] + hit[1]
        # Strip a known plural suffix: pattern tries "nen", "en", "n", "e", "er", "s" in this order.
        last = w[-1:]
        if last == "n":
            w = w[:-3] if w.endswith("nen") else w[:-2] if w.endswith("en") else w[:-1]
        elif last == "e" or last == "s":
            w = w[:-1]
        elif last == "r" and w.endswith("er"):
            w = w[:-2]
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

    def infinitive(self, verb: str, lower: str | None = None) -> str | None:
        """``conjugate(verb, INFINITIVE)``: the infinitive, lower-cased unless from the table.

        ``lower``: ``verb.lower()`` when the caller has it already.
        """
        if lower is None:
            lower = verb.lower()
        b = self.known_lemma(verb, lower)
        if b is None:
            b = rule_lemma(lower)
        if b in self._infinitives:
            return b
        # pattern builds the rule-based lexeme only to read its first entry: the lower-cased lemma,
        # spelled as in the table when the table has it with "ss" for "ß".
        v = b.lower()
        if "ß" in v:
            encoded = v.replace("ß", "ss")
            if encoded in self._infinitives:
                v = encoded.replace("ss", "ß")
        return v or None

    def lemma(self, verb: str) -> str:
        """``Verbs.lemma``: from the table, else by ``find_lemma``'s rules."""
        lower = verb.lower()
        found = self.known_lemma(verb, lower)
        return found if found is not None else rule_lemma(lower)

    def find_lemma(self, verb: str) -> str:
        """pattern's rule-based ``Verbs.find_lemma``."""
        v = verb.lower()
        found = self.prefix_lemma(v)
        return found if found is not None else rule_lemma(v)

    def prefix_lemma(self, v: str) -> str | None:
        """``find_lemma``'s first try: a known prefix before a form in the verb table (not for a word that
        looks like a participle, "ge...t"); None when there is none."""
        if v.startswith("ge") and v.endswith("t"):
            return None
        inverse = self._inverse
        for prefix in self._prefixes.get(v[:2], ()):
            if v.startswith(prefix):
                rest = inverse.get(v[len(prefix):])
                if rest is not None:
                    return prefix + rest
        return None

    def known_lemma(self, verb: str, lower: str) -> str | None:
        """``Verbs.lemma`` when it comes from the table (``lower`` = ``verb.lower()``), directly or after a
        prefix (`prefix_lemma`); None when the rules make it (`rule_lemma`)."""
        inverse = self._inverse
        found = inverse.get(lower)
        if found is None:
            found = inverse.get(verb)
        return found if found is not None else self.prefix_lemma(lower)


def rule_lemma(v: str) -> str:
    """``find_lemma``'s rules for a lower-cased verb that has no table form after a known prefix."""
    parts = v.split()[:2] if " " in v else []  # "setze nieder" => niedersetzen
    b, suffix = parts if parts else (v, "")
    if b.endswith(("ln", "rn")):
        return b
    if b[-1:] in _ENDING_LAST:
        for n in (4, 3, 2, 1):  # pattern's list is longest first, so the longest ending wins
            if b[-n:] in _REGULAR_ENDINGS:
                b = b[:-n]
                break
    if b[-1:] in _SUBJUNCTIVE_LAST:
        for n in (4, 3, 2):  # no two of these endings end a word together
            y = _SUBJUNCTIVE.get(b[-n:])
            if y is not None:
                b = b[:-n] + y
                break
    if "eei" in b:
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


# -- which words can have a given lemma (the index of `moderation.sentiment`'s shortcut for new words) ----------

LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzäöüß")  # the lower-case words the index covers


def sources_of(lemmas: Iterable[str], singularizer: Singularizer) -> set[str]:
    """Every word of `LETTERS` whose singular (`Singularizer.by_rules`, lower-cased) or verb rule lemma
    (`rule_lemma`) is one of ``lemmas``."""
    found: set[str] = set()
    for lemma in lemmas:
        found |= singularizer.sources(lemma)
        found |= rule_lemma_sources(lemma)
    return {w for w in found if LETTERS.issuperset(w)}


def spellings(word: str) -> set[str]:
    """Every string that reads ``word`` once each "ß" is spelled "ss" (as the lemmas are compared)."""
    if not word:
        return {""}
    out = {word[0] + rest for rest in spellings(word[1:])}
    if word.startswith("ss"):
        out |= {"ß" + rest for rest in spellings(word[2:])}
    return out


def rule_lemma_sources(lemma: str) -> set[str]:
    """Every space-free word whose `rule_lemma` is ``lemma`` (and some more): `rule_lemma`'s steps undone one
    by one, each undo keeping every string the step could have started from."""
    if not lemma.endswith("n"):
        return set()
    found = {lemma} if lemma.endswith(("ln", "rn")) else set()  # returned as they are
    step = {lemma[:-1]}  # before the final "n"
    step |= {b[:-1] for b in step if b.endswith("äle")}  # "äl" + "e"
    step |= {b[:-2] + "e" for b in step if b.endswith(("ate", "öte", "üte"))}  # "ae" -> "a" + "te"
    step |= {b[:-2] for b in step if b.endswith("alte")}  # "al" + "te"
    step |= {b + "nde" for b in step if b.endswith(("l", "r"))}  # "lnde" -> "l"
    step |= {"ge" + b for b in step}  # the participle's "ge" dropped
    step |= {b[:-1] for b in step if b.endswith(("hle", "lle", "ule", "eile"))}  # "e" after hl, ll, ul, eil
    step |= {b[:-1] for b in step if b.endswith("e")}  # "e" added
    step = {x for b in step for x in _unreplaced(b, "eit", "eeid")}
    step = {x for b in step for x in _unreplaced(b, "eiss", "eeiss")}
    step |= {b[: len(b) - len(y)] + k for b in step for k, y in _SUBJUNCTIVE.items() if b.endswith(y)}
    found |= {b + ending for b in step for ending in (*_REGULAR_ENDINGS, "")}
    return {v for v in found if v and " " not in v and rule_lemma(v) == lemma}


def _unreplaced(text: str, new: str, old: str) -> set[str]:
    """Every string whose ``.replace(old, new)`` may be ``text``: each occurrence of ``new`` was or was not an
    ``old`` (``new`` does not overlap itself)."""
    spots = []
    start = text.find(new)
    while start >= 0:
        spots.append(start)
        start = text.find(new, start + len(new))
    out = set()
    for mask in range(1 << len(spots)):
        pieces, last = [], 0
        for k, spot in enumerate(spots):
            if mask >> k & 1:
                pieces += [text[last:spot], old]
                last = spot + len(new)
        out.add("".join([*pieces, text[last:]]))
    return out
