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


# E-mail: found from its "@" (or "(at)"): scanning every position for a local part would be slow.
_AT_WORD = re.compile(r" ?[(\[]at[)\]] ?", re.IGNORECASE)
_EMAIL_LOCAL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}$")
_EMAIL_DOMAIN = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63})*\.[a-z]{2,24}(?![\w-])", re.IGNORECASE)

# +49 / 0049 / 0 + area code (2–9) or mobile prefix (15–17), then digit groups split by one space, "-" or "/"
# (never "." or ",": those are dates and prices); "(0221) 12 34 56" and "+49 (0) 221 …" too.
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
_STREET_WORDS = frozenset(s.title() for s in _SUFFIXES) | {"Str."}  # "Kölner Straße", "Berliner Allee"
_ONE_WORD_PREFIXES = frozenset({"Am", "Im", "Zum", "Zur", "Alte", "Alter", "Altes"})  # "Am Markt 3"
_TWO_WORD_PREFIXES = frozenset({"An der", "An den", "Auf dem", "Auf der", "In der", "In den", "Unter den",
                                "Hinter der", "Vor dem"})  # "An der Kirche 5"
_NOT_STREETS = frozenset(
    "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag Wochenende Januar Februar März April Mai Juni "
    "Juli August September Oktober November Dezember Jahr Ende Anfang Tag Abend Morgen Mittag Nachmittag "
    "Vormittag Moment Schnitt Durchschnitt Ganzen Rathaus Bürgerbüro".split()
)  # "Am Montag 3 Leute", "Im Juni 2025"
_HOUSE_NUMBER = (
    r"[1-9]\d{0,2}(?: ?[a-hA-H](?![\w]))?(?: ?[-/] ?[1-9]\d{0,2}[a-h]?)?"
    r"(?![\d.:,]\d|\d| ?%| ?€|\w)"
    r"(?!(?i: (?:uhr|mal|jahre?n?|wochen?|tagen?|monate?n?|stunden?|minuten?|euro|eur|meter|km|m|cm|kinder"
    r"|leute|personen|menschen|autos|plätze|stück|prozent|grad|x)\b))"
)
_HOUSE_TAIL = re.compile(rf" {_HOUSE_NUMBER}(?:,? \d{{5}} [A-ZÄÖÜ][\w-]+)?")

# District code (1–3 letters), "-" or space, 1–2 letters, 1–4 digits, optional E (electric) / H (historic).
_PLATE = re.compile(r"(?<![\w-])([A-ZÄÖÜ]{1,3})([- ])[A-Z]{1,2} ?[1-9]\d{0,3}[EH]?(?![\w-])")
_PLATE_CONTEXT = re.compile(r"kennzeichen|nummernschild|auto|wagen|fahrzeug|pkw|lkw|transporter|parkt", re.I)

_MONTH = r"(?:jan(?:uar|\.)?|feb(?:ruar|\.)?|märz|mär\.|apr(?:il|\.)|mai|jun[i.]|jul[i.]|aug(?:ust|\.)|sep(?:tember|t?\.)|okt(?:ober|\.)|nov(?:ember|\.)|dez(?:ember|\.))"  # noqa: E501
_DOB = re.compile(
    rf"(?<!\w)(?:geb\.|geboren(?: am)?|geburtsdatum|geburtstag|geb\.-datum|geb\.datum|\bgeb\b)"
    r"(?:\s+(?:ist|lautet|war))?\s*:?\s*"
    rf"(?:am\s+)?(?:0?[1-9]|[12]\d|3[01])\.\s?(?:(?:0?[1-9]|1[0-2])\.\s?|{_MONTH}\s)(?:19|20)?\d\d(?!\d)",
    re.IGNORECASE,
)

_DIGIT_RUN = re.compile(r"[0-9][0-9]*")  # a leading class lets re jump to digits; r"\d+" cannot
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


# Every kind but e-mail needs digits, which are rare in comments: each finder starts from the digit runs
# (``re`` cannot skip ahead to a street name or plate, but it can to a digit) and matches around them.


def _emails(text: str) -> list[PiiSpan]:
    found = []
    ats = [m.span() for m in _AT_WORD.finditer(text)] if ("at)" in text or "at]" in text) else []
    at = text.find("@")
    while at >= 0:
        ats.append((at, at + 1))
        at = text.find("@", at + 1)
    for start, end in ats:
        if start == 0 or text[start - 1] in " \n\t":  # "@Stadt": a mention, not an address
            continue
        local = _EMAIL_LOCAL.search(text, max(0, start - 64), start)
        domain = _EMAIL_DOMAIN.match(text, end) if local else None
        if local and domain:
            found.append(PiiSpan("email", local.start(), domain.end()))
    return sorted(found, key=lambda s: s.start)


def _ibans(text: str, runs: list[re.Match[str]]) -> list[PiiSpan]:
    found = []
    for run in runs:
        start = run.start() - 2
        m = _IBAN.match(text, start) if start >= 0 and text[start:run.start()].isalpha() else None
        if m is None:
            continue
        end = m.end()
        expected = _IBAN_LENGTH.get(text[start : start + 2].upper())
        if expected is not None:  # trim a greedy match to the country's length
            seen, end = 0, start
            while end < m.end() and seen < expected:
                seen += text[end] != " "
                end += 1
        if iban_valid(text[start:end]):
            found.append(PiiSpan("iban", start, end))
    return found


def _phones(text: str, runs: list[re.Match[str]]) -> list[PiiSpan]:
    found: list[PiiSpan] = []
    for run in runs:
        start = run.start()
        if found and start < found[-1].end:
            continue
        if start > 0 and (text[start - 1] == "+" or (text[start - 1] == "(" and text[start] == "0")):
            start -= 1
        elif text[start] != "0":
            continue
        m = _PHONE.match(text, start)
        if m is None:
            continue
        number = m.group()
        digits = sum(ch.isdigit() for ch in number)
        if number.startswith(("+49", "0049")):
            digits -= 1 if number.startswith("+") else 3  # country code replaces the leading 0
            digits -= number.count("(0)")
        if _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1]:
            found.append(PiiSpan("phone", *m.span()))
    return found


def _is_name(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].replace("-", "").isalpha()


def _street_start(text: str, space: int) -> int | None:
    """Where a street name ends at ``space`` (the blank before a house number) starts, or None."""
    head = text[max(0, space - 60) : space].split(" ")[-3:]
    if not head or not head[-1]:
        return None
    w1 = head[-1]
    w2 = head[-2] if len(head) > 1 else ""
    w3 = head[-3] if len(head) > 2 else ""
    start = space - len(w1)
    if w1[0].isupper() and w1.lower().endswith(_SUFFIXES) and w1.lower() not in _SUFFIXES:
        pass  # Hauptstraße, Bahnhofstr., Konrad-Adenauer-Platz
    elif w1 in _STREET_WORDS and _is_name(w2) and w2.endswith(("er", "sche", "schen", "scher")):
        start -= len(w2) + 1  # Kölner Straße
    elif _is_name(w1) and w1 not in _NOT_STREETS and w2 in _ONE_WORD_PREFIXES:
        start -= len(w2) + 1  # Am Markt
    elif _is_name(w1) and w1 not in _NOT_STREETS and f"{w3} {w2}" in _TWO_WORD_PREFIXES:
        start -= len(w2) + len(w3) + 2  # An der Kirche
    else:
        return None
    if start < 0 or (start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-")):
        return None  # the window cut a word
    return start


def _addresses(text: str, runs: list[re.Match[str]]) -> list[PiiSpan]:
    found: list[PiiSpan] = []
    for run in runs:
        space = run.start() - 1
        if space < 2 or text[space] != " " or run.end() - run.start() > 3:
            continue
        if found and run.start() < found[-1].end:
            continue
        start = _street_start(text, space)
        tail = _HOUSE_TAIL.match(text, space) if start is not None else None
        if start is not None and tail:
            found.append(PiiSpan("address", start, tail.end()))
    return found


def _plates(text: str, runs: list[re.Match[str]]) -> list[PiiSpan]:
    found: list[PiiSpan] = []
    for run in runs:
        m = _PLATE.search(text, max(0, run.start() - 9), min(len(text), run.end() + 2))
        if m is None or m.start() >= run.start() or (found and m.start() < found[-1].end):
            continue
        if m.end() < len(text) and (text[m.end()].isalnum() or text[m.end()] in "_-"):
            continue  # the pattern's end check cannot see past the search window
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
        spans += _emails(text)
    runs = list(_DIGIT_RUN.finditer(text))
    if runs:
        spans += _ibans(text, runs)
        spans += _phones(text, runs)
        spans += _addresses(text, runs)
        spans += _plates(text, runs)
        if "geb" in text or "Geb" in text or "GEB" in text:
            spans += (PiiSpan("date_of_birth", *m.span()) for m in _DOB.finditer(text))
    return _without_overlaps(spans) if len(spans) > 1 else spans
