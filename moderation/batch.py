"""The core of ``netzpflege triage``: JSON lines in, the same lines with their triage out.

Malformed input is data, not a crash: a line that is no JSON object with a string ``text`` is reported
on ``err`` in German with its 1-based line number and skipped; the others keep their order and every
field they came with.

JSON goes through orjson (a fifth of the standard library's time per line). orjson reads integers beyond
64 bits as floats, so a line with a run of 19 or more digits is read by the standard library instead:
fields pass through unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import TextIO

import orjson

from moderation.pipeline import Triager

_BATCH = 256  # lines triaged stage by stage and written at once
_LONG_NUMBER = re.compile(r"\d{19}")


def _loads(line: str) -> object:
    return json.loads(line) if _LONG_NUMBER.search(line) else orjson.loads(line)


def _dumps(obj: dict[str, object]) -> str:
    try:
        return orjson.dumps(obj).decode()
    except TypeError:  # an integer beyond 64 bits, passed through from the input
        return json.dumps(obj, ensure_ascii=False)


def _problem(line: str) -> tuple[dict[str, object] | None, str]:
    """The parsed object, or None and what is wrong with the line (German)."""
    try:
        obj = _loads(line)
    except json.JSONDecodeError as exc:  # orjson's error is a subclass
        return None, f"kein gültiges JSON (Fehler ab Spalte {exc.colno})"  # the parser's text is English
    if not isinstance(obj, dict):
        return None, "kein JSON-Objekt"
    if "text" not in obj:
        return None, "das Feld „text“ fehlt"
    if not isinstance(obj["text"], str):
        return None, "das Feld „text“ ist keine Zeichenkette"
    return obj, ""


def triage_jsonl(lines: Iterable[str], out: TextIO, err: TextIO, triager: Triager,
                 progress: Callable[[int], None] | None = None) -> int:
    """Triage JSON lines in order; returns the number of malformed lines (each reported on err with its
    1-based line number). Blank lines are ignored; output is UTF-8 text (no ASCII escapes).

    Lines are triaged in batches (:meth:`Triager.triage_batch`, a fifth faster than one by one) and written
    per batch, so output lags input by up to one batch; ``progress`` gets the number of lines read after each.
    """
    malformed = number = 0
    batch: list[tuple[dict[str, object], str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        obj, problem = _problem(line)
        if obj is None:
            malformed += 1
            err.write(f"Zeile {number}: {problem} – übersprungen\n")
            continue
        text = obj["text"]
        assert isinstance(text, str)  # checked by _problem
        batch.append((obj, text))
        if len(batch) >= _BATCH:
            _write_batch(batch, out, triager)
            batch.clear()
            if progress:
                progress(number)
    if batch:
        _write_batch(batch, out, triager)
    if progress:
        progress(number)
    return malformed


def _write_batch(batch: list[tuple[dict[str, object], str]], out: TextIO, triager: Triager) -> None:
    """Each object with its triage fields added, one JSON line each (the output holds no evidence)."""
    results = triager.triage_batch([text for _, text in batch], features=False)
    out.write("".join(_dumps(obj | result.as_json()) + "\n" for (obj, _), result in zip(batch, results, strict=True)))
