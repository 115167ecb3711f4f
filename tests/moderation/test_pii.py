"""PII detection: what is personal data, what only looks like it, and spans on the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.pii import KINDS, find_pii, iban_valid


def found(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Schreiben Sie an max.muster@web.de", [("email", "max.muster@web.de")]),
        ("Kontakt: info(at)nachbar-mueller.de", [("email", "info(at)nachbar-mueller.de")]),
        ("Ruft ihn an: 0170 1234567!", [("phone", "0170 1234567")]),
        ("Handy 01701234567", [("phone", "01701234567")]),
        ("Tel. +49 221 1234567", [("phone", "+49 221 1234567")]),
        ("Tel. +49 (0) 221 1234567", [("phone", "+49 (0) 221 1234567")]),
        ("oder 0049 170 1234567", [("phone", "0049 170 1234567")]),
        ("Festnetz 0221/123456", [("phone", "0221/123456")]),
        ("Festnetz (0221) 12 34 56", [("phone", "(0221) 12 34 56")]),
        ("Durchwahl 0221-12345-67", [("phone", "0221-12345-67")]),
        ("IBAN DE89 3704 0044 0532 0130 00 bitte überweisen", [("iban", "DE89 3704 0044 0532 0130 00")]),
        ("de89370400440532013000", [("iban", "de89370400440532013000")]),
        ("Konto AT61 1904 3002 3457 3201", [("iban", "AT61 1904 3002 3457 3201")]),
        ("Konto GB82 WEST 1234 5698 7654 32", [("iban", "GB82 WEST 1234 5698 7654 32")]),
        ("Er wohnt Hauptstraße 12.", [("address", "Hauptstraße 12")]),
        ("Sie wohnt Am Markt 3a, zweiter Stock", [("address", "Am Markt 3a")]),
        ("Lindenweg 7, 12345 Musterstadt", [("address", "Lindenweg 7, 12345 Musterstadt")]),
        ("In der Kölner Straße 5 wohnt der Typ", [("address", "Kölner Straße 5")]),
        ("Bahnhofstr. 14b", [("address", "Bahnhofstr. 14b")]),
        ("Konrad-Adenauer-Platz 1", [("address", "Konrad-Adenauer-Platz 1")]),
        ("Das Auto K-AB 1234 parkt immer auf dem Radweg", [("licence_plate", "K-AB 1234")]),
        ("Der Wagen M AB 123E steht falsch", [("licence_plate", "M AB 123E")]),
        ("DAS AUTO MIT KENNZEICHEN GL AB 12 STEHT DA", [("licence_plate", "GL AB 12")]),
        ("Der Täter, geb. 12.03.1985, wohnt hier", [("date_of_birth", "geb. 12.03.1985")]),
        ("geboren am 3. März 1985", [("date_of_birth", "geboren am 3. März 1985")]),
        ("Geburtsdatum: 01.01.1970", [("date_of_birth", "Geburtsdatum: 01.01.1970")]),
    ],
)
def test_finds_personal_data(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Das Stadtfest am 12.03.2025 um 19:00 im Rathaus",
        "112 Jahre Stadtfest! Bei Notfällen 112 oder 110 wählen.",
        "PLZ 50667, 01067 Dresden",
        "Eintritt 12,50 € bzw. 0,50 Euro Pfand",
        "Seit 2024 warten wir, 2025 auch noch",
        "Am Montag 3 Leute gesehen, im Juni 2025 wieder",
        "Der Spielplatz ist seit 3 Wochen gesperrt",
        "Marktplatz 19 Uhr Treffen",
        "Platz 3 beim Wettbewerb",
        "Aktenzeichen 0123/2024",
        "Gemeinderat 08.07.2025, Beginn 18.30 Uhr",
        "UND DA 5 LEUTE IM AMT",
        "DE89370400440532013001 ist falsch",
        "Version 1.2.3 der App",
        "mein Geburtstag ist im Mai",
        "Die Linie 0815 fährt nicht",
        "Mail an die Stadt @StadtMusterstadt bitte",
    ],
)
def test_ignores_lookalikes(text: str) -> None:
    assert found(text) == []


def test_several_kinds_ordered_by_position_without_overlaps() -> None:
    text = "Anna, Lindenweg 7, Tel 0221 123456, IBAN DE89370400440532013000, anna@example.org"
    assert [k for k, _ in found(text)] == ["address", "phone", "iban", "email"]


def test_iban_checksum() -> None:
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_valid("DE89 3704 0044 0532 0130 01")
    assert not iban_valid("DE89 3704 0044 0532 0130")  # too short for DE


@settings(max_examples=200, deadline=None)
@given(prefix=st.text(max_size=40), suffix=st.text(max_size=40))
def test_spans_index_the_original_text(prefix: str, suffix: str) -> None:
    core = " Ruf an: 0170 1234567. "
    text = prefix + core + suffix
    spans = find_pii(text)
    assert all(s.kind in KINDS and 0 <= s.start < s.end <= len(text) for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))
    phone = len(prefix) + core.index("0170")
    assert any(s.kind == "phone" and s.start == phone and text[s.start : s.end] == "0170 1234567" for s in spans)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",), blacklist_characters="@"), max_size=200))
def test_no_digits_no_at_sign_no_findings(text: str) -> None:
    assert find_pii(text) == []
