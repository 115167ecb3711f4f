"""The batch core of ``netzpflege triage``: JSON lines in, triaged JSON lines out, bad lines reported."""

from __future__ import annotations

import io
import json

import pytest

from moderation.batch import triage_jsonl
from moderation.pipeline import Triager
from tests.moderation.test_pipeline import POLICY, StubAbuse

FIELDS = {"is_question", "urgency", "sla_minutes", "abusive", "abuse_score", "abuse_categories", "criminal_hint",
          "pii", "sentiment", "reasons"}


@pytest.fixture(scope="module")
def triager() -> Triager:
    return Triager(POLICY, StubAbuse())


def run(lines: list[str], triager: Triager) -> tuple[list[dict[str, object]], list[str], int]:
    out, err = io.StringIO(), io.StringIO()
    bad = triage_jsonl(lines, out, err, triager)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue().splitlines(), bad


def test_fields_added_and_passed_through_in_order(triager: Triager) -> None:
    lines = [
        json.dumps({"id": "a1", "text": "Hat das Bürgerbüro morgen offen?", "channel": "facebook", "likes": 3}),
        json.dumps({"text": "Du Idiot!", "id": 2, "meta": {"x": [1, 2]}}),
        json.dumps({"id": "c", "text": "Ruf an: 0170 1234567."}),
    ]
    rows, errors, bad = run(lines, triager)
    assert bad == 0 and errors == []
    assert [r["id"] for r in rows] == ["a1", 2, "c"]
    assert all(set(r) == FIELDS | set(json.loads(line)) for r, line in zip(rows, lines, strict=True))
    assert rows[0]["channel"] == "facebook" and rows[0]["likes"] == 3 and rows[1]["meta"] == {"x": [1, 2]}
    assert (rows[0]["is_question"], rows[0]["urgency"], rows[0]["sla_minutes"]) == (True, "frist", 240)
    assert rows[1]["abusive"] is True and rows[1]["criminal_hint"] == ["§ 185 StGB"]
    assert rows[2]["pii"] == [{"kind": "phone", "start": 8, "end": 20}]


def test_malformed_lines_are_reported_with_line_numbers_and_skipped(triager: Triager) -> None:
    lines = [
        '{"id": 1, "text": "Hallo"}\n',
        "{kaputt\n",
        "\n",
        "[1, 2]\n",
        '{"id": 4}\n',
        '{"id": 5, "text": 42}\n',
        "   \n",
        '{"id": 6, "text": "Danke!"}\n',
    ]
    rows, errors, bad = run(lines, triager)
    assert bad == 4 and [r["id"] for r in rows] == [1, 6]
    assert [e.split(":")[0] for e in errors] == ["Zeile 2", "Zeile 4", "Zeile 5", "Zeile 6"]
    assert errors[0] == "Zeile 2: kein gültiges JSON (Fehler ab Spalte 2) – übersprungen"  # German only
    assert "kein JSON-Objekt" in errors[1]
    assert "„text“ fehlt" in errors[2] and "keine Zeichenkette" in errors[3]
    assert all(e.endswith("übersprungen") for e in errors)


def test_utf8_out_without_ascii_escapes(triager: Triager) -> None:
    out = io.StringIO()
    triage_jsonl([json.dumps({"text": "Schöne Grüße aus der Südstadt"})], out, io.StringIO(), triager)
    assert "Schöne Grüße aus der Südstadt" in out.getvalue() and "\\u" not in out.getvalue()


def test_many_lines_keep_their_order(triager: Triager) -> None:
    lines = [json.dumps({"id": i, "text": f"Kommentar Nummer {i}"}) for i in range(1500)]
    rows, _, bad = run(lines, triager)
    assert bad == 0 and [r["id"] for r in rows] == list(range(1500))


def test_numbers_pass_through_exactly(triager: Triager) -> None:
    """Ids beyond 64 bits (and floats) come back unchanged, digit for digit."""
    lines = ['{"id": 123456789012345678901234567890, "score": 0.1, "text": "Ruf an: 0170 1234567890123456789"}',
             '{"id": 18446744073709551615, "text": "Hallo"}']
    out = io.StringIO()
    assert triage_jsonl(lines, out, io.StringIO(), triager) == 0
    written = out.getvalue()
    assert "123456789012345678901234567890" in written and "18446744073709551615" in written
    assert [json.loads(line)["score"] for line in written.splitlines()[:1]] == [0.1]


def test_lone_surrogate_is_a_malformed_line(triager: Triager) -> None:
    """Text that is not valid Unicode cannot be written as UTF-8: reported, the rest is processed."""
    rows, errors, bad = run(['{"id": 1, "text": "kaputt \\ud800"}', '{"id": 2, "text": "gut"}'], triager)
    assert bad == 1 and [r["id"] for r in rows] == [2] and errors[0].startswith("Zeile 1")


def test_many_lines_keep_their_order_across_batches_and_progress_counts_lines(triager: Triager) -> None:
    lines = [json.dumps({"id": i, "text": f"Wann öffnet das Freibad {i}?" if i % 3 else "Danke!"}) for i in range(600)]
    lines[300] = "kaputt"
    seen: list[int] = []
    out, err = io.StringIO(), io.StringIO()
    bad = triage_jsonl(lines, out, err, triager, seen.append)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert bad == 1 and [r["id"] for r in rows] == [i for i in range(600) if i != 300]
    assert all(r["is_question"] == bool(r["id"] % 3) for r in rows)
    assert seen == sorted(seen) and seen[-1] == 600 and len(seen) >= 3  # one report per batch of 256, and the end
