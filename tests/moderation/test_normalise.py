"""normalise: evasions fold to one form, numbers survive, and it is total and idempotent (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.normalise import _normalise_fast, _normalise_once, normalise, tokens

EVASIONS = [
    "Arschloch",
    "ARSCHLOCH",
    "4rschl0ch",
    "A r s c h l o c h",
    "A.r.s.c.h.l.o.c.h",
    "Arsch\u200bloch",
    "Arsch\u00adloch",
    "\u0410rschloch",  # Cyrillic А
    "Arschlooooch",
    "ＡＲＳＣＨＬＯＣＨ",  # fullwidth
    "Ar\u202eschloch".replace("\u202e", "\u200d"),
]


@pytest.mark.parametrize("text", EVASIONS)
def test_evasions_fold_to_the_plain_word(text: str) -> None:
    assert normalise(text) == "arschloch"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Iiiidiot", "idiot"),
        ("Vollidiot!!!!!!", "vollidiot!!!"),
        ("Schifffahrt", "schiffahrt"),  # a legitimate triple consonant keeps two letters
        ("Schlusssatz", "schlussatz"),
        ("Straße", "strasse"),
        ("Öffnungszeiten ÄÜÖ", "öffnungszeiten äüö"),
        ("sche1sse", "scheisse"),
        ("f1ck d1ch", "fick dich"),
        ("Ιdiot", "idiot"),  # Greek capital iota
        ("  viel   Platz \n\t hier ", "viel platz hier"),
        ("I d i o t e n im Bauamt", "idioten im bauamt"),
    ],
)
def test_examples(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Notruf 112",
        "am 12.03.2024 um 15:30 Uhr",
        "Tel. 0711 123456 oder +49 171 2345678",
        "70173 Stuttgart",
        "3mal im Jahr",
        "5euro Gebühr",
        "die B27 und die A8",
        "1 2 3 4 5",
        "z. B. u. a.",
    ],
)
def test_numbers_and_abbreviations_survive(text: str) -> None:
    assert normalise(text) == " ".join(text.lower().split())


def test_emoji_are_tokens() -> None:
    assert tokens(normalise("Super 👍👍 danke 😂")) == ["super", "👍", "👍", "danke", "😂"]


def test_tokens_split_words_and_numbers() -> None:
    assert tokens("wann kommt die 112? straße-ecke") == ["wann", "kommt", "die", "112", "straße", "ecke"]


_TRICKY = st.sampled_from(
    list("aAbeiosxz0134 .-_*ßäÄÀ!?😂\u200b\u200d\u00ad\ufe0f\u0308\u0300\u0301\u0410\u0430\u03bf\u0442İﬁ\u2163")
)
_TEXTS = st.one_of(st.text(), st.lists(_TRICKY, max_size=40).map("".join))


@settings(max_examples=1500, deadline=None)
@given(_TEXTS)
def test_total_and_idempotent(text: str) -> None:
    once = normalise(text)
    assert isinstance(once, str)
    assert normalise(once) == once
    assert all(tok for tok in tokens(once))


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_TEXTS, st.lists(st.sampled_from(list("ab1 \t.!?.aaa")), max_size=30).map("".join)))
def test_the_fast_path_folds_as_the_full_one(text: str) -> None:
    """The shortcuts of the common case (ASCII, nothing to undo) never change the result of the first fold."""
    assert _normalise_fast(text)[0] == _normalise_once(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöü", min_size=1, max_size=12))
def test_spaced_out_letters_join(word: str) -> None:
    assert normalise(" ".join(word)) == normalise(word) or len(word) < 3


_TOKEN_CHARS = [*"ab1_ äöß.,!?-–„“\"'()…€@#/\t\n", "😂", "❶", "²", "Ⅻ", "\u3000"]
_TOKEN_TEXTS = st.text(alphabet=st.sampled_from(_TOKEN_CHARS), max_size=60)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=80), _TOKEN_TEXTS))
def test_tokens_equal_the_token_regex(text: str) -> None:
    """The fast tokeniser (split, strip, isalnum) finds exactly what the token regex finds."""
    from moderation.normalise import _TOKEN

    assert tokens(text) == _TOKEN.findall(text)
    assert tokens(normalise(text)) == _TOKEN.findall(normalise(text))


@pytest.mark.parametrize("text", ["hallo, welt!", "(„wer?“) – ich…", "a_b c__d", "5000€ 😂😂 x❶y", "___", "!?", ""])
def test_tokens_examples_equal_the_token_regex(text: str) -> None:
    from moderation.normalise import _TOKEN

    assert tokens(text) == _TOKEN.findall(text)
