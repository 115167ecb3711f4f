"""Benchmark: moderation.sentiment against textblob-de on 10,000 comments, in one run.

Run: ``python tests/bench/bench_sentiment.py`` (``--reference-sample N`` scores only every k-th comment with
textblob-de, to be quick; agreement is then reported on that sample).

The corpus is generated, deterministically (fixed seed), from the project's own fixture comments
(tests/moderation/fixtures/sentiment_comments.txt, written for Netzpflege): each benchmark comment joins one
to three fixture comments and varies them the way real comments vary -- added negations and intensifiers,
"!!!", emoticons and emoji, shouting or all lower case, line breaks, and new compound nouns and street
names so that the caches also meet words they have not seen.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from moderation.sentiment import sentiment  # noqa: E402

FIXTURE = ROOT / "tests" / "moderation" / "fixtures" / "sentiment_comments.txt"
SEED = 2024
CORPUS_SIZE = 10_000
TOLERANCE = 0.01

_TAILS = ["!", "!!!", "?", "?!", "...", " :)", " :-(", " ;-)", " 😡", " 👍", " <3", " XD", " (!)"]
_INSERTS = ["sehr", "wirklich", "total", "echt", "nicht", "kein", "gar nicht", "absolut", "ziemlich"]
_STREETS = ["Linden", "Goethe", "Schiller", "Bahnhof", "Kirch", "Mühlen", "Rosen", "Garten", "Schul"]


def fixture_comments() -> list[str]:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines if line.strip() and not line.startswith("#")]


def build_corpus(size: int = CORPUS_SIZE, seed: int = SEED) -> list[str]:
    """``size`` varied comments from the fixture comments (same seed, same corpus)."""
    rng = random.Random(seed)
    base = fixture_comments()
    nouns = sorted({w.strip(".,!?:;") for c in base for w in c.split() if w[:1].isupper() and w.isalpha()})
    corpus = []
    for _ in range(size):
        parts = [_vary(rng.choice(base), rng, nouns) for _ in range(rng.choice([1, 1, 1, 2, 2, 3]))]
        corpus.append(rng.choice([" ", " ", "\n", "\n\n"]).join(parts))
    return corpus


def _vary(comment: str, rng: random.Random, nouns: list[str]) -> str:
    words = comment.split(" ")
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        roll = rng.random()
        k = rng.randrange(len(words))
        if roll < 0.45:
            words.insert(k, rng.choice(_INSERTS))
        elif roll < 0.75:  # a compound noun the caches have not seen
            words.insert(k, rng.choice(nouns) + rng.choice(nouns).lower())
        else:
            words.insert(k, f"({rng.choice(_STREETS)}{rng.choice(['straße', 'weg', 'platz'])} {rng.randint(1, 120)})")
    text = " ".join(words)
    roll = rng.random()
    if roll < 0.05:
        text = text.upper()
    elif roll < 0.10:
        text = text.lower()
    if rng.random() < 0.3:
        text += rng.choice(_TAILS)
    return text


def reference_sentiment() -> Callable[[str], tuple[float, float]]:
    from textblob_de import PatternTokenizer, TextBlobDE

    tokenizer = PatternTokenizer()

    def score(text: str) -> tuple[float, float]:
        polarity, subjectivity = TextBlobDE(text, tokenizer=tokenizer).sentiment
        return float(polarity), float(subjectivity)

    return score


def timed(
    score: Callable[[str], tuple[float, float]], texts: list[str]
) -> tuple[list[tuple[float, float]], float, float]:
    """Results, wall-clock seconds and CPU seconds of this process (robust when the machine is busy)."""
    wall, cpu = time.perf_counter(), time.process_time()
    results = [score(t) for t in texts]
    return results, time.perf_counter() - wall, time.process_time() - cpu


def _rate(label: str, count: int, wall: float, cpu: float, note: str = "") -> str:
    return (f"  {label:<18}{count / wall:>9,.0f} comments/s wall ({1e6 * wall / count:7.1f} µs),"
            f" {count / cpu:>9,.0f} per CPU-second ({1e6 * cpu / count:7.1f} µs){note}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-sample", type=int, default=CORPUS_SIZE,
                        help="how many comments textblob-de scores (evenly spread; default: all)")
    args = parser.parse_args(argv)

    corpus = build_corpus()
    start = time.perf_counter()
    sentiment("")  # loads textblob-de's lexicon and pattern's tagger data
    load_seconds = time.perf_counter() - start
    ours_cold, cold_wall, cold_cpu = timed(sentiment, corpus)
    ours_warm, warm_wall, warm_cpu = timed(sentiment, corpus)
    assert ours_cold == ours_warm, "caching changed a result"

    step = max(1, len(corpus) // max(1, args.reference_sample))
    sample = list(range(0, len(corpus), step))
    reference = reference_sentiment()
    reference("")  # the reference loads its data lazily too
    theirs, ref_wall, ref_cpu = timed(reference, [corpus[i] for i in sample])

    polarity_diffs = [abs(ours_warm[i][0] - r[0]) for i, r in zip(sample, theirs, strict=True)]
    subjectivity_diffs = [abs(ours_warm[i][1] - r[1]) for i, r in zip(sample, theirs, strict=True)]
    agree = sum(d <= TOLERANCE for d in polarity_diffs)
    both = sum(p <= TOLERANCE and s <= TOLERANCE for p, s in zip(polarity_diffs, subjectivity_diffs, strict=True))
    exact = sum(p < 1e-9 and s < 1e-9 for p, s in zip(polarity_diffs, subjectivity_diffs, strict=True))

    n, m = len(corpus), len(sample)
    print("Sentiment benchmark: moderation.sentiment vs TextBlobDE(text, tokenizer=PatternTokenizer()).sentiment")
    print(f"  corpus            {n:,} comments generated from {FIXTURE.relative_to(ROOT)} (seed {SEED}),")
    print(f"                    {statistics.mean(len(t) for t in corpus):.0f} characters on average")
    print(f"  ours, first use   {load_seconds:.2f} s to load lexicon and tagger data")
    print(_rate("ours, cold caches", n, cold_wall, cold_cpu))
    print(_rate("ours, warm caches", n, warm_wall, warm_cpu))
    print(_rate("textblob-de", m, ref_wall, ref_cpu, f" on {m:,} comments"))
    reference_cost = ref_cpu / m
    print(f"  speed-up          x{reference_cost / (cold_cpu / n):,.0f} cold,"
          f" x{reference_cost / (warm_cpu / n):,.0f} warm (CPU time per comment)")
    print(f"  agreement         {agree / m:.2%} with |polarity difference| <= {TOLERANCE} ({agree:,}/{m:,});"
          f" {both / m:.2%} for polarity and subjectivity; {exact / m:.2%} identical")


if __name__ == "__main__":
    main()
