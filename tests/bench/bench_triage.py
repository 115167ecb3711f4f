"""Benchmark: ``netzpflege triage`` core over 20,000 generated comments against textblob-de's sentiment alone.

Run: ``python -m tests.bench.bench_triage`` (options: ``--comments``, ``--sample``). Prints comments per
second end to end (JSON in, triage, JSON out, one core), the time per stage, and the same for
``TextBlobDE(text, tokenizer=PatternTokenizer()).sentiment`` on a sample, scaled. Target: the whole
triage at least 10,000 comments/s and at least 10x the textblob-de baseline.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from moderation.batch import triage_jsonl
from moderation.normalise import normalise
from moderation.pii import find_pii
from moderation.pipeline import Triager
from moderation.questions import detect_question
from moderation.sentiment import sentiment
from moderation.urgency import classify_urgency
from store.config import load_config

T = TypeVar("T")

_PLACES = ["Hauptstraße", "Marktplatz", "Bahnhof", "Stadtpark", "Rathaus", "Südstadt", "Lindenweg", "Freibad",
           "Bürgerbüro", "Schulstraße", "Ringstraße", "Friedhof", "Wertstoffhof", "Stadtbibliothek"]
_THINGS = ["Ampel", "Müllabfuhr", "Baustelle", "Straßenbeleuchtung", "Busverbindung", "Parkgebühr", "Sperrung",
           "Radweg", "Spielplatz", "Bürgersprechstunde", "Biotonne", "Weihnachtsmarkt", "Grundsteuer"]
_TEMPLATES = [
    "Wann hat das {place} morgen offen?",
    "Wie lange dauert die {thing} am {place} noch?",
    "Hallo, wo finde ich Infos zur {thing}?",
    "Bitte um Info, wann die {thing} wieder funktioniert.",
    "Weiß jemand, ob die {thing} am {place} heute stattfindet",
    "Seit Wochen ist die {thing} am {place} kaputt und niemand kümmert sich.",
    "Schon wieder funktioniert die {thing} nicht. Wie dumm kann man sein?",
    "Tolle Aktion am {place}, danke an alle Helferinnen und Helfer!",
    "Die neue {thing} ist super, weiter so! 👍",
    "Geht's noch? Die {thing} am {place} ist eine Zumutung!!",
    "Ihr seid doch alle Idioten im Rathaus, die {thing} ist ein Witz.",
    "Ruft doch den Nachbarn an, 0170 {digits}, der wohnt {place} {num}.",
    "Meine Mail ist max.{digits}@example.org, bitte melden Sie sich wegen der {thing}.",
    "Im Keller am {place} riecht es nach Gas!",
    "Presseanfrage: Wir bitten um Stellungnahme zur {thing} bis {num} Uhr.",
    "Das Feuerwerk am {place} war wunderschön, 112 Jahre Stadtfest!",
    "Der Bürgermeister hat bei der {thing} versagt, das ist Steuerverschwendung.",
    "Kann man die {thing} auch online beantragen? Ich finde das Formular nicht. Danke im Voraus!",
    "<p>Wann wird die <b>{thing}</b> am {place} repariert?</p>",
    "Ich wohne seit {num} Jahren am {place} und so etwas habe ich noch nie erlebt. Die {thing} war früher "
    "viel besser organisiert, heute kümmert sich keiner mehr. Schade um unsere schöne Stadt, wirklich. "
    "Vielleicht liest das ja jemand von der Verwaltung und nimmt es sich zu Herzen.",
]


def generate(n: int, seed: int = 2025) -> list[str]:
    """``n`` deterministic JSON lines of varied German municipal comments."""
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        text = rng.choice(_TEMPLATES).format(
            place=rng.choice(_PLACES), thing=rng.choice(_THINGS), num=rng.randint(1, 60),
            digits=rng.randint(1_000_000, 9_999_999),
        )
        if rng.random() < 0.3:
            text += " " + rng.choice(["Danke!", "Grüße aus der Nordstadt.", "😡", "Unglaublich.", "Bitte prüfen."])
        lines.append(json.dumps({"id": f"c{i}", "channel": "facebook", "text": text}, ensure_ascii=False))
    return lines


def _per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def _stage_micros(items: Sequence[T], stage: Callable[[T], object]) -> float:
    start = time.perf_counter()
    for item in items:
        stage(item)
    return (time.perf_counter() - start) / len(items) * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=300, help="comments timed with textblob-de")
    args = parser.parse_args(argv)

    policy = load_config().policy
    triager = Triager(policy)
    lines = generate(args.comments)
    texts = [json.loads(line)["text"] for line in lines]
    for text in texts[:200]:  # warm caches and lazy loads outside the timing
        triager.triage(text)

    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        start = time.perf_counter()
        with source.open(encoding="utf-8") as inp, target.open("w", encoding="utf-8") as out:
            bad = triage_jsonl(inp, out, io.StringIO(), triager)
        elapsed = time.perf_counter() - start
    ours = _per_second(len(lines), elapsed)
    print(f"triage_jsonl: {len(lines)} Kommentare in {elapsed:.2f} s = {ours:,.0f} Kommentare/s "
          f"({elapsed / len(lines) * 1e6:.0f} µs je Kommentar, {bad} fehlerhaft)")

    sample = texts[:: max(1, len(texts) // args.sample)][: args.sample]
    normalised = [normalise(t) for t in sample]
    stages = {
        "normalise": _stage_micros(sample, normalise),
        "questions": _stage_micros(list(zip(sample, normalised, strict=True)), lambda p: detect_question(*p)),
        "urgency": _stage_micros(normalised, lambda n: classify_urgency(n, True, (), policy)),
        "pii": _stage_micros(sample, find_pii),
        "abuse": _stage_micros(sample, triager.abuse.assess),
        "sentiment": _stage_micros(sample, sentiment),
    }
    print("Stufen (µs je Kommentar): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))

    from textblob_de import PatternTokenizer, TextBlobDE

    tokenizer = PatternTokenizer()
    TextBlobDE(sample[0], tokenizer=tokenizer).sentiment  # noqa: B018  (load outside the timing)
    start = time.perf_counter()
    for text in sample:
        TextBlobDE(text, tokenizer=tokenizer).sentiment  # noqa: B018
    baseline = _per_second(len(sample), time.perf_counter() - start)
    print(f"TextBlobDE(...).sentiment: {baseline:,.0f} Kommentare/s (Stichprobe {len(sample)}, hochgerechnet)")
    print(f"Verhältnis: {ours / baseline:.1f}x (Ziel >= 10x); Ziel >= 10.000 Kommentare/s: "
          f"{'erreicht' if ours >= 10_000 else 'nicht erreicht'}")


if __name__ == "__main__":
    main()
