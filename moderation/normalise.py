"""Fold comment text into one canonical form so that evasions of a word match the word itself.

``normalise`` is pure, total (never raises) and idempotent. It undoes what commenters do to slip past
word lists: capitals, invisible characters, Cyrillic/Greek look-alikes, leetspeak (``4rschl0ch``),
stretched letters (``Iiiidiot``) and spaced letters (``A r s c h``). Numbers people need (dates, phone
numbers, ``112``, postcodes) survive: digits become letters only inside words that also hold letters.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters, bidi controls, soft hyphen, variation selectors, BOM: invisible, so dropped.
_INVISIBLE = (
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0]
    + list(range(0x200B, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2060, 0x2070))
    + list(range(0xFE00, 0xFE10))
)
_INVISIBLE_RE = re.compile("[" + "".join(chr(c) for c in _INVISIBLE) + "]")

# Cyrillic and Greek letters (after case folding) that look like Latin ones.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "и": "u", "к": "k", "м": "m", "н": "h", "о": "o",
        "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j",
        "ԁ": "d", "ӏ": "l", "ԛ": "q", "ԝ": "w",
        "α": "a", "β": "b", "γ": "y", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    }
)  # fmt: skip
_NEEDS_HOMOGLYPHS = re.compile("[\u0370-\u052f]")
_WORD = re.compile(r"[^\W_]+")

# Leetspeak digits; only inside words that also contain letters.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"})
_DIGIT_BETWEEN_LETTERS = re.compile(r"[^\W\d_]\d+[^\W\d_]")
_LEADING_DIGIT_WORD = re.compile(r"(\d)([^\W\d_]{3,})")
# "3mal", "5euro", "2fach": a number with a unit or suffix, not leetspeak.
_NUMBER_SUFFIXES = frozenset(
    "mal fach euro eur uhr jahre jährig jährige jährigen tage tägig stündig std min sek zimmer prozent "
    "seitig teilig stellig malig köpfig spurig stöckig kilo liter meter".split()
)

_HAS_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
_HAS_REPEAT = re.compile(r"(.)\1\1")
_REPEATS = re.compile(r"(.)\1{2,}")
_VOWELS = frozenset("aeiouyäöü")
# German compounds legitimately triple these consonants (Schifffahrt, Schlusssatz, Brennnessel).
_TRIPLE_OK = frozenset("flmnprst")
# Three or more single letters separated by single spacing characters: "A r s c h", "i.d.i.o.t".
_SPACED_HINT = re.compile(r"[ .\-_*/|+][^\W_][ .\-_*/|+][^\W_][ .\-_*/|+]")
_SPACED = re.compile(r"\b(?:[^\W_][ .\-_*/|+]){2,}[^\W_]\b")
_SPACING = re.compile(r"[ .\-_*/|+]")

# What sends a comment down the full path: ASCII digits (leetspeak; NFKC has made other digits ASCII or
# leaves them unchanged by leetspeak), whitespace other than " " (str.split's), Greek/Cyrillic letters,
# invisibles (NFKC and case folding map every invisible to one, checked in the tests).
_ODD_SPACE = "\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_STRANGE_CHARS = "\u0370-\u052f" + "".join(chr(c) for c in _INVISIBLE)
_RARE = re.compile("[0-9" + _ODD_SPACE + _STRANGE_CHARS + "]")
_STRANGE = re.compile(f"[{_STRANGE_CHARS}]")
# Runs of three other than "...", "!!!", "???" (those collapse only from four on).
_LETTER_RUN = re.compile(r"(.)\1(?<=[^.!?])\1")

EMOJI_CLASS = "\U0001f000-\U0001faff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff"
_TOKEN = re.compile(rf"[^\W_]+|[{EMOJI_CLASS}]")
_EDGE_PUNCTUATION = ".,;:!?\"'()[]…„“”‚‘’«»-–—"  # never part of a token (none is a letter, digit or emoji)


def _fold_homoglyphs(text: str) -> str:
    def word(m: re.Match[str]) -> str:
        w = m.group()
        return w.translate(_HOMOGLYPHS) if any(ch < "\u0250" and ch.isalpha() for ch in w) else w

    return _WORD.sub(word, text)


def _undo_leet(text: str) -> str:
    """Leetspeak digits back to letters in the words around digit runs that touch a letter."""
    pieces: list[str] = []
    done = 0
    for m in _DIGITS.finditer(text):
        start, end = m.span()
        if start < done or not ((start and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha())):
            continue
        while start and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        pieces += [text[done:start], _WORD.sub(_undo_leet_word, text[start:end])]
        done = end
    return "".join(pieces) + text[done:] if pieces else text


def _undo_leet_word(m: re.Match[str]) -> str:
    w = m.group()
    if w.isdigit() or w.isalpha():
        return w
    if _DIGIT_BETWEEN_LETTERS.search(w):
        return w.translate(_LEET)
    lead = _LEADING_DIGIT_WORD.fullmatch(w)
    if lead and lead.group(2) not in _NUMBER_SUFFIXES:
        return w.translate(_LEET)
    return w


def _collapse_run(m: re.Match[str]) -> str:
    run = m.group()
    ch = run[0]
    if not ch.isalpha():
        return run if ch.isdigit() or ch.isspace() else run[:3]
    if ch in _VOWELS or ch not in _TRIPLE_OK or len(run) > 3:
        return ch
    return ch + ch


def _fold_word(word: str) -> str:
    """Leetspeak, homoglyphs and stretched letters of one word (or a whole text)."""
    # Each step is guarded by a cheap search: most comments need none of them (speed, see bench_abuse).
    if _HAS_DIGIT.search(word):
        word = _undo_leet(word)
    if not word.isascii() and _NEEDS_HOMOGLYPHS.search(word):
        word = _fold_homoglyphs(word)
    return _REPEATS.sub(_collapse_run, word) if _HAS_REPEAT.search(word) else word


def _join_spaced(m: re.Match[str]) -> str:
    run = m.group()
    chars = _SPACING.sub("", run)
    letters = sum(ch.isalpha() for ch in chars)
    if letters < 2 or letters <= len(chars) - letters:
        return run  # "1 2 3" or "0 7 1 1": a number, not a spaced word
    return _fold_word(chars)


def normalise(text: str) -> str:
    """Folded form for matching (see the module docstring); never raises, idempotent."""
    folded, settled = _normalise_fast(text)
    if settled:
        return folded
    for _ in range(5):  # a mapped letter next to a combining mark composes anew: fold again (rare)
        if folded.isascii() or unicodedata.is_normalized("NFKC", folded):
            break
        folded = _normalise_once(folded)
    return folded


def _normalise_fast(text: str) -> tuple[str, bool]:
    """``_normalise_once(text)`` and whether it is known to be NFKC-normalised already.

    The same steps, each skipped when the text cannot need it: one scan finds whether it holds a digit, odd
    whitespace, an invisible or a Greek/Cyrillic letter at all (in the folded text, where every invisible
    survives as an invisible); only invisibles and homoglyphs take the full path.
    """
    if text.isascii():
        folded = text.lower()
        rare = _RARE.search(folded) is not None
    else:
        folded = _fold_case(text)
        rare = _RARE.search(folded) is not None
        if rare and _STRANGE.search(folded):
            return _normalise_once(text), False
    changed = False
    if rare or "  " in folded or folded[:1] == " " or folded[-1:] == " ":
        folded = " ".join(folded.split())
        if rare and _HAS_DIGIT.search(folded):
            folded, changed = _undo_leet(folded), True
    if _may_collapse(folded):
        folded, changed = _REPEATS.sub(_collapse_run, folded), True
    if _SPACED_HINT.search(f" {folded} "):
        folded, changed = _SPACED.sub(_join_spaced, folded), True
    return folded, not changed or folded.isascii()


def _may_collapse(text: str) -> bool:
    """Whether ``_REPEATS.sub(_collapse_run, text)`` may change the text (False: it certainly does not).

    The most common runs in comments, "..." "!!!" "???", stay as they are; a scan that skips them is cheap.
    """
    return _LETTER_RUN.search(text) is not None or "...." in text or "!!!!" in text or "????" in text


def _fold_case(text: str) -> str:
    """NFKC and case folding (which can leave a text that NFKC changes again: then NFKC once more)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return folded if unicodedata.is_normalized("NFKC", folded) else unicodedata.normalize("NFKC", folded)


def _normalise_once(text: str) -> str:
    if not text.isascii():
        if _INVISIBLE_RE.search(text):
            text = _INVISIBLE_RE.sub("", text)
        text = _fold_case(text)
        if _INVISIBLE_RE.search(text):  # NFKC can create them (rare compatibility forms)
            text = _INVISIBLE_RE.sub("", text)
    else:
        text = text.lower()
    text = _fold_word(" ".join(text.split()))
    return _SPACED.sub(_join_spaced, text) if _SPACED_HINT.search(f" {text} ") else text


def tokens(normalised: str) -> list[str]:
    """Word tokens (letters/digits) and single emoji of a normalised string, in order.

    Equal to ``_TOKEN.findall`` but faster (a hot path of the abuse model): tokens never hold whitespace, and a
    chunk between whitespace that is all letters/digits once common punctuation is stripped is one token.
    """
    found: list[str] = []
    for chunk in normalised.split():
        if chunk.isalnum():
            found.append(chunk)
            continue
        core = chunk.strip(_EDGE_PUNCTUATION)
        if core.isalnum():
            found.append(core)
        elif core:
            found += _TOKEN.findall(core)
    return found
