"""Quality report: precision, recall and F1 per class of the triage on labelled comments.

The fixture file (``tests/moderation/fixtures/comments.yaml``) lists comments with what a moderator
expects: ``is_question``, ``urgency`` (class id), ``abusive`` and the ``pii`` kinds. Each class is scored
one-vs-rest per comment: ``question``, ``urgency/<class>``, ``abusive``, ``pii/<kind>`` (a comment counts
for a PII kind when at least one span of that kind is found).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import yaml

from moderation.pipeline import TriageResult


class _Triages(Protocol):
    def triage(self, text: str) -> TriageResult: ...


def _labels(is_question: bool, urgency: str, abusive: bool, pii: Iterable[str]) -> set[str]:
    labels = {f"urgency/{urgency}"} | {f"pii/{kind}" for kind in pii}
    if is_question:
        labels.add("question")
    if abusive:
        labels.add("abusive")
    return labels


def load_fixtures(path: Path) -> list[dict[str, Any]]:
    """The labelled comments of a fixture file (``comments:`` list of mappings)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data["comments"])


def evaluate(fixtures_path: Path, triager: _Triages) -> dict[str, Any]:
    """Triage every labelled comment and score each class.

    Returns:
        ``{"n": comments, "classes": {name: {"support", "tp", "fp", "fn", "precision", "recall", "f1"}},
        "mistakes": [{"text", "expected", "got"}], "table": printable text}``.
    """
    counts: dict[str, dict[str, int]] = {}
    mistakes: list[dict[str, Any]] = []
    comments = load_fixtures(fixtures_path)
    for case in comments:
        result = triager.triage(case["text"])
        expected = _labels(case["is_question"], case["urgency"], case["abusive"], case.get("pii") or [])
        got = _labels(result.is_question, result.urgency, result.abusive, (str(p["kind"]) for p in result.pii))
        for name in expected | got:
            c = counts.setdefault(name, {"tp": 0, "fp": 0, "fn": 0})
            c["tp" if name in expected and name in got else "fn" if name in expected else "fp"] += 1
        if expected != got:
            mistakes.append({"text": case["text"], "expected": sorted(expected - got), "got": sorted(got - expected)})
    classes = {name: _scores(**c) for name, c in sorted(counts.items())}
    report: dict[str, Any] = {"n": len(comments), "classes": classes, "mistakes": mistakes}
    report["table"] = format_table(report)
    return report


def _scores(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"support": tp + fn, "tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def format_table(report: dict[str, Any]) -> str:
    """The per-class scores as an aligned text table."""
    lines = [f"{'Klasse':<22} {'Anzahl':>6} {'Präzision':>9} {'Recall':>7} {'F1':>6}"]
    for name, s in report["classes"].items():
        lines.append(f"{name:<22} {s['support']:>6} {s['precision']:>9.2f} {s['recall']:>7.2f} {s['f1']:>6.2f}")
    lines.append(f"{report['n']} Kommentare, {len(report['mistakes'])} mit mindestens einer Abweichung")
    return "\n".join(lines)
