"""Phrase grammar of the demo town: expand templates with slots and alternatives, roughen them as people type.

Templates come from the YAML files in ``data/``: ``{slot}`` takes a value from the slot table (a list is
chosen from, a callable is called with the random generator) and ``[a|b|c]`` chooses one alternative (an
empty alternative drops the words). Everything draws from the caller's ``random.Random``, so the same seed
gives the same text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from random import Random

SlotValue = str | Sequence[str] | Callable[[Random], str]

_SLOT = re.compile(r"\{([a-z_]+)\}")
_ALT = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")
_SPACES = re.compile(r" {2,}")
_SPACE_BEFORE_MARK = re.compile(r" +(?=[,.!?])")
_CONTRACTIONS = {"zu dem": "zum", "zu der": "zur", "bei dem": "beim", "an dem": "am", "von dem": "vom", "in dem": "im"}
_CONTRACTABLE = re.compile(r"\b(zu|bei|an|von|in) (dem|der)\b", re.IGNORECASE)
_SENTENCE_START = re.compile(r"((?<!\d)[.!?] )([a-zäöü])")  # not after a date like "15.12."
_DOUBLE_STOP = re.compile(r"(?<=\d\.)\.(?!\.)")  # "am 15.12.." -> "am 15.12."
_LEET = str.maketrans("oieasI", "013451")
_ARTICLES = {"der": ("der", "den", "dem"), "die": ("die", "die", "der"), "das": ("das", "das", "dem")}

#: keys next to each other on a German keyboard, for typing slips
_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo",
    "j": "hk", "k": "jl", "l": "kö", "m": "n", "n": "bm", "o": "ip", "p": "oü", "r": "et", "s": "ad",
    "t": "rz", "u": "zi", "w": "qe", "z": "tu", "ä": "ö", "ö": "lä", "ü": "p",
}  # fmt: skip


def expand(template: str, slots: Mapping[str, SlotValue], rng: Random) -> str:
    """Fill ``{slot}`` placeholders (twice, so slot values may hold slots) and choose ``[a|b]`` alternatives.

    Raises KeyError for a slot the table does not have, so a typo in a data file fails the data test.
    """

    def fill(match: re.Match[str]) -> str:
        value = slots[match.group(1)]
        if isinstance(value, str):
            return value
        if callable(value):
            return value(rng)
        return rng.choice(value)

    # the substring tests skip regex passes that cannot match (this runs some 60,000 times per world)
    text = _SLOT.sub(fill, template) if "{" in template else template
    if "{" in text:
        text = _SLOT.sub(fill, text)
    while "|" in text:
        chosen = _ALT.sub(lambda m: rng.choice(m.group(1).split("|")), text)
        if chosen == text:
            break
        text = chosen
    if " dem" in text or "u der" in text:
        text = _CONTRACTABLE.sub(_contract, text)
    if ".." in text:
        text = _DOUBLE_STOP.sub("", text)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    if " ," in text or " ." in text or " !" in text or " ?" in text:
        text = _SPACE_BEFORE_MARK.sub("", text)
    return text.strip()


def _contract(match: re.Match[str]) -> str:
    short = _CONTRACTIONS.get(match.group(0).lower())
    if short is None:
        return match.group(0)
    return short[:1].upper() + short[1:] if match.group(0)[:1].isupper() else short


def capitalise_sentences(text: str) -> str:
    """Upper-case the first letter of the text and of every sentence (for the town's careful texts)."""
    text = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    return text[:1].upper() + text[1:]


def declined(phrase: str) -> tuple[str, str, str]:
    """Nominative, accusative and dative of a noun phrase with a definite article; ``die*`` marks a plural.

    ``"der neue Radweg"`` -> ``("der neue Radweg", "den neuen Radweg", "dem neuen Radweg")``.
    """
    article, _, rest = phrase.partition(" ")
    words = rest.split(" ")
    if article == "die*":
        noun = next((i for i, w in enumerate(words) if w[:1].isupper()), None)
        if noun is not None and not words[noun].endswith(("n", "s")):
            words[noun] += "n"  # dative plural
        return f"die {rest}", f"die {rest}", f"den {' '.join(words)}"
    if article not in _ARTICLES:
        return phrase, phrase, phrase
    nom, akk, dat = _ARTICLES[article]
    weak = words[0][:1].islower() and words[0].endswith("e")  # "neue" -> "neuen" after den/dem/der
    inflected = " ".join([words[0] + "n", *words[1:]]) if weak else rest
    return f"{nom} {rest}", f"{akk} {inflected if article == 'der' else rest}", f"{dat} {inflected}"


def _word_pattern(words: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in ordered) + r")(?!\w)", re.IGNORECASE)


class Roughener:
    """Turns a well-formed sentence into the way a given kind of writer types it.

    Styles: ``sorgfältig`` (careful), ``locker`` (casual: lower case, no full stop, emoji),
    ``schludrig`` (sloppy: typos, abbreviations, !!!), ``mundart`` (Ruhr/Rhineland dialect bits).
    """

    def __init__(self, dialect: Mapping[str, str], abbreviations: Mapping[str, str]) -> None:
        self._dialect = {k.lower(): v for k, v in dialect.items()}
        self._abbrev = {k.lower(): v for k, v in abbreviations.items()}
        self._dialect_re = _word_pattern(list(self._dialect))
        self._abbrev_re = _word_pattern(list(self._abbrev))

    def __call__(self, text: str, style: str, emoji: Sequence[str], rng: Random) -> str:
        if style == "sorgfältig":
            return _with_emoji(text, emoji, rng, 0.1)
        if style == "mundart":
            text = _swap_words(text, self._dialect_re, self._dialect, rng, 0.75)
            text = _lower(text, rng, 0.5)
            return _with_emoji(text, emoji, rng, 0.25)
        if style == "locker":
            text = _swap_words(text, self._abbrev_re, self._abbrev, rng, 0.35)
            text = _lower(text, rng, 0.7)
            if text.endswith(".") and rng.random() < 0.8:
                text = text[:-1]
            return _with_emoji(text, emoji, rng, 0.45)
        # schludrig
        text = _swap_words(text, self._abbrev_re, self._abbrev, rng, 0.6)
        text = _typos(text, rng)
        text = _lower(text, rng, 0.6)
        text = text.replace(", ", " ") if rng.random() < 0.4 else text
        if text.endswith(("?", "!")) and rng.random() < 0.35:
            text += text[-1] * rng.randint(1, 3)
        return _with_emoji(text, emoji, rng, 0.3)


def _swap_words(text: str, pattern: re.Pattern[str], table: Mapping[str, str], rng: Random, p: float) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if rng.random() >= p:
            return word
        new = table[word.lower()]
        return new[:1].upper() + new[1:] if word[:1].isupper() and match.start() == 0 else new

    return pattern.sub(swap, text)


def _lower(text: str, rng: Random, p: float) -> str:
    if rng.random() >= p:
        return text
    return text.lower() if rng.random() < 0.7 else text[:1].lower() + text[1:]


def _typos(text: str, rng: Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    for i in rng.sample(candidates, k=min(len(candidates), rng.choice((0, 1, 1, 2)))):
        words[i] = _slip(words[i], rng)
    return " ".join(words)


def _slip(word: str, rng: Random) -> str:
    pos = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # swapped letters
        return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    if kind == 1:  # dropped letter
        return word[:pos] + word[pos + 1 :]
    if kind == 2:  # doubled letter
        return word[:pos] + word[pos] + word[pos:]
    near = _NEIGHBOURS.get(word[pos].lower())  # neighbouring key
    return word[:pos] + rng.choice(near) + word[pos + 1 :] if near else word


def _with_emoji(text: str, emoji: Sequence[str], rng: Random, p: float) -> str:
    if not emoji or rng.random() >= p:
        return text
    return text + " " + rng.choice(emoji) * rng.choice((1, 1, 1, 2, 3))


def obfuscate(word: str, rng: Random) -> str:
    """A hostile evasion of a word filter: leetspeak (``V0ll1d10t``), spaced or dotted letters."""
    kind = rng.randrange(3)
    if kind == 0:
        return word.translate(_LEET)
    sep = " " if kind == 1 else rng.choice((".", "*", "-"))
    return sep.join(word.upper() if rng.random() < 0.5 else word)
