"""Personal data in a comment: e-mail, phone, IBAN, postal address, licence plate, date of birth.

Precision first: a municipal comment section is full of dates of events, years, postcodes, prices, "112"
and the Rathaus, none of which is personal data. Every pattern is therefore anchored on what makes the
kind unmistakable (the IBAN checksum, a street suffix plus house number, a birth keyword before a date,
a German dialling prefix before enough digits). Spans index the text as given, so a moderator can hide
exactly that part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("email", "phone", "iban", "address", "licence_plate", "date_of_birth")


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """One finding: ``text[start:end]`` is personal data of the given kind."""

    kind: str
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}(?:@|\s?[(\[]at[)\]]\s?)[\w-]{1,63}(?:\.[\w-]{1,63})*\.[a-z]{2,24}(?![\w-])",
    re.IGNORECASE,
)

# +49 / 0049 / 0 + area code (2–9) or mobile prefix (15–17), then digit groups split by one space, "-" or "/" (never "." or
# ",": those are dates and prices); "(0221) 12 34 56" and "+49 (0) 221 …" too.
_PHONE = re.compile(
    r"(?<![\w+/.,-])(?:(?:\+|00)49[ -]?(?:\(0\)[ -]?)?(?:[2-9]|1[5-7])\d*|\((?:0[2-9]|01[5-7])\d{1,3}\)"
    r"|(?:0[2-9]|01[5-7])\d*)"
    r"(?:(?: ?[/-] ?| )\d+){0,5}(?![\d,.]\d|[\w-])"
)
_PHONE_DIGITS = (8, 14)  # national number incl. the leading 0: 089 12345 … 0170 12345678 + extension

# Country code, check digits, then 11–30 alphanumerics, optionally in groups of four.
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Z0-9])", re.IGNORECASE)
_IBAN_LENGTH = {
    "DE": 22, "AT": 20, "CH": 21, "LI": 21, "NL": 18, "BE": 16, "LU": 20, "FR": 27, "IT": 27, "ES": 24,
    "PL": 28, "DK": 18, "CZ": 24, "GB": 22, "IE": 22, "PT": 25, "SE": 24, "NO": 15, "FI": 18,
}  # fmt: skip

_SUFFIXES = ("straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "ring", "damm", "ufer", "chaussee",
             "pfad", "steig", "stieg", "graben", "wall")
_STREET_NAME = (
    # Hauptstraße, Bahnhofstr., Konrad-Adenauer-Platz
    r"(?:[A-ZÄÖÜ][\w-]*?(?i:" + "|".join(map(re.escape, _SUFFIXES)) + ")"
    # Kölner Straße, Berliner Allee
    r"|[A-ZÄÖÜ][a-zäöüß]+(?:er|sche[nr]?) (?:" + "|".join(re.escape(s.title()) for s in _SUFFIXES) + ")"
    # Am Markt, An der Kirche, Zum Bahnhof (but not "Am Montag 3", "Im Juni 2025")
    r"|(?:Am|An der|An den|Auf dem|Auf der|Im|In der|In den|Zum|Zur|Unter den|Hinter der|Vor dem|Alte[rs]?)"
    r" (?!(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Wochenende|Januar|Februar|März|April"
    r"|Mai|Juni|Juli|August|September|Oktober|November|Dezember|Jahr|Ende|Anfang|Tag|Abend|Morgen|Mittag"
    r"|Nachmittag|Vormittag|Moment|Schnitt|Durchschnitt|Ganzen|Rathaus|Bürgerbüro)\b)[A-ZÄÖÜ][\w-]+)"
)
_HOUSE_NUMBER = (
    r"[1-9]\d{0,2}(?: ?[a-hA-H](?![\w]))?(?: ?[-/] ?[1-9]\d{0,2}[a-h]?)?"
    r"(?![\d.:,]\d|\d| ?%| ?€|\w)"
    r"(?!(?i: (?:uhr|mal|jahre?n?|wochen?|tagen?|monate?n?|stunden?|minuten?|euro|eur|meter|km|m|cm|kinder"
    r"|leute|personen|menschen|autos|plätze|stück|prozent|grad|x)\b))"
)
_ADDRESS = re.compile(rf"(?<![\w-])(?:{_STREET_NAME}) {_HOUSE_NUMBER}(?:,? \d{{5}} [A-ZÄÖÜ][\w-]+)?")

# District code (1–3 letters), "-" or space, 1–2 letters, 1–4 digits, optional E (electric) / H (historic).
_PLATE = re.compile(r"(?<![\w-])([A-ZÄÖÜ]{1,3})([- ])[A-Z]{1,2} ?[1-9]\d{0,3}[EH]?(?![\w-])")
_PLATE_CONTEXT = re.compile(r"kennzeichen|nummernschild|auto|wagen|fahrzeug|pkw|lkw|transporter|parkt", re.I)

_MONTH = r"(?:jan(?:uar|\.)?|feb(?:ruar|\.)?|märz|mär\.|apr(?:il|\.)|mai|jun[i.]|jul[i.]|aug(?:ust|\.)|sep(?:tember|t?\.)|okt(?:ober|\.)|nov(?:ember|\.)|dez(?:ember|\.))"  # noqa: E501
_DOB = re.compile(
    rf"(?<!\w)(?:geb\.|geboren(?: am)?|geburtsdatum|geburtstag|geb\.-datum|geb\.datum|\bgeb\b)\s*:?\s*"
    rf"(?:am\s+)?(?:0?[1-9]|[12]\d|3[01])\.\s?(?:(?:0?[1-9]|1[0-2])\.\s?|{_MONTH}\s)(?:19|20)?\d\d(?!\d)",
    re.IGNORECASE,
)

_DIGIT = re.compile(r"\d")
_PRIORITY = {kind: rank for rank, kind in enumerate(("email", "iban", "date_of_birth", "phone", "address",
                                                      "licence_plate"))}


def iban_valid(candidate: str) -> bool:
    """ISO 13616 check: known length for the country and mod-97 remainder 1."""
    iban = candidate.replace(" ", "").upper()
    expected = _IBAN_LENGTH.get(iban[:2])
    if (expected is not None and len(iban) != expected) or not 15 <= len(iban) <= 34 or not iban.isalnum():
        return False
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def _ibans(text: str) -> list[PiiSpan]:
    found = []
    for m in _IBAN.finditer(text):
        start, end = m.span()
        expected = _IBAN_LENGTH.get(text[start : start + 2].upper())
        if expected is not None:  # trim a greedy match to the country's length
            seen, end = 0, start
            while end < m.end() and seen < expected:
                seen += text[end] != " "
                end += 1
        if iban_valid(text[start:end]):
            found.append(PiiSpan("iban", start, end))
    return found


def _phones(text: str) -> list[PiiSpan]:
    found = []
    for m in _PHONE.finditer(text):
        number = m.group()
        digits = sum(ch.isdigit() for ch in number)
        if number.startswith(("+49", "0049")):
            digits -= 1 if number.startswith("+") else 3  # country code replaces the leading 0
            digits -= number.count("(0)")
        if _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1]:
            found.append(PiiSpan("phone", *m.span()))
    return found


def _plates(text: str) -> list[PiiSpan]:
    found = []
    for m in _PLATE.finditer(text):
        if m.group(2) == " ":  # "UND DA 5" in a shouted sentence: only with context or in normal case
            around = text[max(0, m.start() - 40) : m.end() + 40]
            lower = sum(ch.islower() for ch in around)
            if lower < sum(ch.isupper() for ch in around) and not _PLATE_CONTEXT.search(around):
                continue
        found.append(PiiSpan("licence_plate", *m.span()))
    return found


def _without_overlaps(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Keep the more specific kind where findings overlap (an IBAN's digits are no phone number)."""
    kept: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (_PRIORITY[s.kind], s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def find_pii(text: str) -> list[PiiSpan]:
    """All personal data found in ``text``, ordered by position, without overlaps."""
    spans: list[PiiSpan] = []
    if "@" in text or "at]" in text or "at)" in text:
        spans += (PiiSpan("email", *m.span()) for m in _EMAIL.finditer(text))
    if _DIGIT.search(text):  # every other kind needs a digit; most comments have none
        spans += _ibans(text)
        spans += _phones(text)
        spans += (PiiSpan("address", *m.span()) for m in _ADDRESS.finditer(text))
        spans += _plates(text)
        spans += (PiiSpan("date_of_birth", *m.span()) for m in _DOB.finditer(text))
    return _without_overlaps(spans) if len(spans) > 1 else spans
