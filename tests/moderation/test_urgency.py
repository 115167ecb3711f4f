"""Urgency ladder: first matching class wins, exclusions, question-only classes, complaints, SLAs."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.normalise import normalise
from moderation.urgency import UrgencyLadder, classify_urgency, ladder_for
from store.config import Policy, UrgencyClass, load_model

POLICY = load_model(Path(__file__).resolve().parents[2] / "config" / "policy.yaml", Policy)


def urgency(text: str, is_question: bool = False, signals: tuple[str, ...] = ()) -> str:
    return classify_urgency(normalise(text), is_question, signals, POLICY).class_id


@pytest.mark.parametrize(
    ("text", "is_question", "expected"),
    [
        ("Im Keller riecht es nach Gas, was soll ich tun?", True, "notfall"),
        ("Hier riecht nach Gas im ganzen Treppenhaus!", False, "notfall"),
        ("In der Lindenstraße BRENNT ein Auto!!", False, "notfall"),
        ("Die Unterführung steht unter Wasser, ein Auto steckt fest", False, "notfall"),
        ("Am Spielplatz liegen Giftköder aus", False, "notfall"),
        ("Das Feuerwerk zum Stadtfest war super", False, "info"),
        ("Brandschutzübung an der Grundschule heute um 10 Uhr", False, "info"),
        ("112 Jahre Stadtfest – herzlichen Glückwunsch!", False, "info"),
        ("Die Brandmauer muss stehen.", False, "info"),
        ("Rauchverbot auf Spielplätzen, endlich!", False, "info"),
        ("Presseanfrage: Wir bitten um Stellungnahme zur Sperrung bis 15 Uhr.", True, "presse"),
        ("Stand heute in der Zeitung.", False, "info"),
        ("Hat das Bürgerbüro morgen offen?", True, "frist"),
        ("Guten Morgen, wie beantrage ich einen Anwohnerparkausweis?", True, "frage"),
        ("Guten Morgen zusammen!", False, "info"),
        ("Wann wird der Sperrmüll abgeholt?", True, "frist"),
        ("Heute war ein schöner Tag auf dem Markt.", False, "info"),  # "heute" without a question
        ("Seit Wochen ist die Ampel kaputt.", False, "beschwerde"),
        ("Die STRASSENSPERRUNG nervt, bis wann dauert die?", True, "frist"),
        ("Schöne Fotos vom Umzug!", False, "info"),
        ("Wie heißt der neue Bürgermeister?", True, "frage"),
    ],
)
def test_default_ladder(text: str, is_question: bool, expected: str) -> None:
    assert urgency(text, is_question) == expected


def test_complaint_signal_without_term_is_a_complaint() -> None:
    assert urgency("Wer glaubt denn sowas?", False, ("Rhetorische Frage",)) == "beschwerde"
    assert urgency("Wer glaubt denn sowas?", False) == "info"


def test_first_matching_class_wins() -> None:
    # notfall precedes beschwerde: a burning bin that has been reported for weeks is still an emergency
    assert urgency("Seit Wochen kümmert sich niemand, jetzt brennt der Container") == "notfall"


def test_sla_and_reasons_and_channel_override() -> None:
    result = classify_urgency(normalise("Seit Wochen kaputt"), False, (), POLICY)
    assert (result.class_id, result.sla_minutes) == ("beschwerde", 480)
    assert result.reasons == ["Beschwerde: Begriff „seit wochen“"]
    faster = classify_urgency(normalise("Seit Wochen kaputt"), False, (), POLICY, {"beschwerde": 120})
    assert faster.sla_minutes == 120 and "Reaktionsfrist des Kanals: 120 Minuten" in faster.reasons
    info = classify_urgency(normalise("Schön"), False, (), POLICY)
    assert (info.class_id, info.sla_minutes) == ("info", None)


def test_terms_fold_like_the_text_and_gaps_span_words() -> None:
    policy = Policy(
        land="NW",
        urgency=[
            UrgencyClass(id="frist", label="Frist", sla_minutes=60, terms=("Straßensperrung", "hat … offen")),
            UrgencyClass(id="frage", label="Frage", sla_minutes=480),
            UrgencyClass(id="info", label="Info"),
        ],
    )
    ladder = UrgencyLadder(policy)
    assert ladder.classify(normalise("STRASSENSPERRUNG am Markt"), False).class_id == "frist"
    assert ladder.classify(normalise("hat das kleine Bürgerbüro morgen offen"), False).class_id == "frist"
    assert ladder.classify(normalise("hat das Amt in der Innenstadt am Montag nicht offen"), False).class_id == "info"
    assert ladder.classify(normalise("hatte offen"), True).class_id == "frage"


def test_ladder_is_compiled_once_per_policy() -> None:
    assert ladder_for(POLICY) is ladder_for(POLICY)
