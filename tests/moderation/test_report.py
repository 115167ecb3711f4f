"""Quality floors of the whole triage on the labelled comments (fixtures/comments.yaml).

The floors sit a little below what the pipeline measured when they were set (see the lead's report);
the urgency and question rules were written alongside these fixtures, so they are a regression guard,
not an unbiased estimate. The abuse floors depend on the trained model in moderation/model/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.pipeline import Triager
from moderation.report import evaluate, format_table, load_fixtures
from store.config import load_config

FIXTURES = Path(__file__).parent / "fixtures" / "comments.yaml"
FLOORS = {  # class: (precision, recall)
    "question": (0.95, 0.95),
    "urgency/notfall": (0.85, 0.9),
    "urgency/presse": (0.9, 0.9),
    "urgency/frist": (0.92, 0.9),
    "urgency/beschwerde": (0.88, 0.9),
    "urgency/frage": (0.9, 0.9),
    "urgency/info": (0.92, 0.92),
    "abusive": (0.75, 0.8),
    **{f"pii/{kind}": (0.85, 0.85) for kind in ("email", "phone", "iban", "address", "licence_plate",
                                                 "date_of_birth")},
}


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    return evaluate(FIXTURES, Triager(load_config().policy))


def test_fixtures_are_complete_and_labelled() -> None:
    comments = load_fixtures(FIXTURES)
    classes = {u.id for u in load_config().policy.urgency}
    assert len(comments) >= 300
    assert len({c["text"] for c in comments}) == len(comments)
    for c in comments:
        assert set(c) == {"text", "is_question", "urgency", "abusive", "pii"}, c
        assert c["urgency"] in classes and isinstance(c["is_question"], bool) and isinstance(c["abusive"], bool)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_floor(report: dict[str, object], name: str) -> None:
    scores = report["classes"][name]  # type: ignore[index]
    precision, recall = FLOORS[name]
    assert scores["precision"] >= precision and scores["recall"] >= recall, format_table(report)


def test_table_lists_every_class(report: dict[str, object]) -> None:
    table = str(report["table"])
    assert all(name in table for name in FLOORS)
