"""Benchmark: the real ``netzpflege triage`` command against textblob-de's sentiment alone.

Run: ``python -m tests.bench.bench_triage`` (options: ``--comments``, ``--sample``). Two corpora:

- ``tweets``: the 5,009 real German tweets of the shipped GermEval 2018 training file -- a large, open
  vocabulary, every comment seen once: what held-out real comments cost;
- ``kommunal``: 20,000 generated municipal comments from templates -- a small vocabulary, flattering.

For each, the command runs in a fresh process (start-up, model loading, JSON in and out included; one core)
and its comments per CPU second are compared with ``TextBlobDE(text, tokenizer=PatternTokenizer()).sentiment``
on a sample of the same comments in this process (textblob-de's import excluded). CPU time, not wall clock: on a
shared machine the wall clock of two runs minutes apart differs by up to 1.5x, their CPU time far less. Also
printed: the start-up of the command alone (and the rate without it, which a longer file approaches), and the time
per stage, each stage alone (first and second time the sample is seen). Targets: at least 10,000 comments/s and
at least 10x textblob-de.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from moderation import native
from tests.corpus import tweet_texts

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


def tweets() -> list[str]:
    """The real tweets of the shipped training file as JSON lines (their labels left out)."""
    return [json.dumps({"id": f"t{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(tweet_texts())]


def run_command(lines: Sequence[str]) -> tuple[float, float]:
    """(Wall, CPU) seconds of ``netzpflege triage --input … --output …`` in a fresh Python process."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = [sys.executable, "-c", "from dashboard import main; main()"]  # what the console script runs
        cmd = [*command, "triage", "--input", str(source), "--output", str(target)]
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run(cmd, check=True)
        elapsed, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
        written = sum(1 for _ in target.open(encoding="utf-8"))
    if written != len(lines):
        raise SystemExit(f"triage schrieb {written} statt {len(lines)} Zeilen")
    return elapsed, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def stage_figures(texts: Sequence[str]) -> str:
    """µs per comment of each stage, first / second time these texts are seen (run in a fresh process)."""
    code = """
import json, sys, time
from store.config import load_config
from moderation.normalise import normalise
from moderation.pii import find_pii
from moderation.pipeline import Triager
from moderation.questions import detect_question
from moderation.sentiment import sentiment
texts = json.load(sys.stdin)
triager = Triager(load_config().policy)
sentiment("Warm."); triager.abuse.assess("Warm.")
normalised = [normalise(t) for t in texts]
stages = {
    "normalise": lambda i: normalise(texts[i]),
    "questions": lambda i: detect_question(texts[i], normalised[i]),
    "urgency": lambda i: triager.ladder.classify(normalised[i], False, (), None),
    "abuse": lambda i: triager.abuse.assess(texts[i], normalised=normalised[i]),
    "pii": lambda i: find_pii(texts[i]),
    "sentiment": lambda i: sentiment(texts[i]),
}
out = {}
for name, stage in stages.items():
    runs = []
    for _ in range(2):
        start = time.perf_counter()
        for i in range(len(texts)):
            stage(i)
        runs.append((time.perf_counter() - start) / len(texts) * 1e6)
    out[name] = runs
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(list(texts)), capture_output=True,
                          text=True, check=True)
    figures = json.loads(done.stdout)
    return ", ".join(f"{name} {a:.0f}/{b:.0f}" for name, (a, b) in figures.items())


def textblob_rate(texts: Sequence[str]) -> float:
    """textblob-de's sentiment, comments per CPU second on ``texts`` (after its import and first call)."""
    from textblob_de import PatternTokenizer, TextBlobDE

    tokenizer = PatternTokenizer()
    TextBlobDE("Gut.", tokenizer=tokenizer).sentiment  # noqa: B018  (load outside the timing)
    start = time.process_time()
    for text in texts:
        TextBlobDE(text, tokenizer=tokenizer).sentiment  # noqa: B018
    return len(texts) / (time.process_time() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=20_000, help="size of the generated corpus")
    parser.add_argument("--sample", type=int, default=500, help="comments timed with textblob-de")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (start-up, command, textblob-de)")
    args = parser.parse_args(argv)

    print(f"Triage-Module: {native.status_line()}; je Runde kurz nacheinander: Start (eine Zeile), der Befehl, "
          "textblob-de; Raten je CPU-Sekunde")
    for name, lines in (("tweets", tweets()), ("kommunal", generate(args.comments))):
        texts = [json.loads(line)["text"] for line in lines]
        sample = texts[:: max(1, len(texts) // args.sample)][: args.sample]
        print(f"-- {name}: {len(lines):,} Kommentare, Ø {sum(map(len, texts)) / len(texts):.0f} Zeichen; "
              f"textblob-de auf {len(sample)} davon")
        ratios = []
        for _ in range(args.rounds):
            startup = run_command(['{"text": "Hallo"}'])[1]
            wall, cpu = run_command(lines)
            baseline = textblob_rate(sample)
            ours, without_start = len(lines) / cpu, len(lines) / max(cpu - startup, 1e-9)
            ratios.append(ours / baseline)
            print(f"   Start {startup:.2f} s; Befehl {cpu:.2f} s CPU ({wall:.2f} s Wanduhr) = {ours:,.0f}/s; "
                  f"textblob-de {baseline:,.0f}/s -> {ours / baseline:.1f}x; ohne Start {without_start:,.0f}/s "
                  f"= {without_start / baseline:.1f}x")
        median = sorted(ratios)[len(ratios) // 2]
        verdict = "erreicht" if median >= 10 else "nicht erreicht"
        print(f"   Verhältnis (Median der Runden) {median:.1f}x; Ziel >= 10x: {verdict}")
        print(f"   Stufen, µs je Kommentar (erster/zweiter Durchlauf der Stichprobe): {stage_figures(sample)}")


if __name__ == "__main__":
    main()
