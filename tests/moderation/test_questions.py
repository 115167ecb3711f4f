"""Question detection on the labelled sentences of fixtures/triage_questions.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from moderation.normalise import normalise
from moderation.questions import detect_question

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "triage_questions.yaml").read_text(encoding="utf-8")
)["questions"]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_labelled_sentences(case: dict[str, Any]) -> None:
    result = detect_question(case["text"], normalise(case["text"]))
    assert result.is_question is case["question"], result.reasons
    assert result.rhetorical is case.get("rhetorical", False), result.reasons


def test_reasons_are_german_and_name_the_evidence() -> None:
    result = detect_question("Wann hat das Bürgerbüro offen?", normalise("Wann hat das Bürgerbüro offen?"))
    assert result.reasons == ["Fragewort am Satzanfang „wann hat das …“"]
    weak = detect_question("Das ist euer Plan?", normalise("Das ist euer Plan?"))
    assert weak.reasons and "Fragezeichen" in weak.reasons[0]


def test_no_text_no_question() -> None:
    assert detect_question("", "").is_question is False
    assert detect_question("", "").reasons == []


def test_a_sincere_sentence_wins_over_a_rhetorical_one() -> None:
    text = "Geht's noch? Wann wird die Straße wieder freigegeben?"
    result = detect_question(text, normalise(text))
    assert result.is_question and result.rhetorical
