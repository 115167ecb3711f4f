"""Benchmark: moderation.sentiment against textblob-de on the 5,009 real tweets, start-up included.

Run: ``python -m tests.bench.bench_sentiment`` (``--reference-sample N``: textblob-de scores N tweets, evenly
spread, default 1,000; agreement is reported on those).

Our figures come from a fresh Python process (as `netzpflege triage` meets them): start-up (import and data
load), a first pass over the tweets with cold caches -- most words are new then -- and a second, warm pass.
Times are CPU seconds of that process (robust when the machine is busy), wall seconds in brackets.
The tweets: the first column of moderation/model/training/germeval2018.training.txt (GermEval 2018, CC BY 4.0).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TypedDict

from tests.corpus import TRAINING_DATA, tweet_texts

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 0.01


def _child() -> None:
    """In a fresh process: time start-up and two passes, print figures and results as JSON."""
    clock = (time.process_time, time.perf_counter)
    start = [c() for c in clock]
    from moderation.sentiment import sentiment

    sentiment("Gut.")  # loads the data
    loaded = [c() for c in clock]
    texts = tweet_texts()
    first = [sentiment(t) for t in texts]
    first_done = [c() for c in clock]
    second = [sentiment(t) for t in texts]
    second_done = [c() for c in clock]
    print(json.dumps({
        "startup": [b - a for a, b in zip(start, loaded, strict=True)],
        "first": [b - a for a, b in zip(loaded, first_done, strict=True)],
        "second": [b - a for a, b in zip(first_done, second_done, strict=True)],
        "stable": first == second,
        "results": first,
    }))


class Figures(TypedDict):
    """What the child process reports: (CPU, wall) seconds, and its first-pass results."""

    startup: tuple[float, float]
    first: tuple[float, float]
    second: tuple[float, float]
    stable: bool
    results: list[tuple[float, float]]


def measure_ours() -> Figures:
    """Our figures, from a fresh interpreter."""
    out = subprocess.run([sys.executable, "-m", "tests.bench.bench_sentiment", "--child"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    figures: Figures = json.loads(out)
    return figures


def reference_scores(texts: list[str]) -> tuple[list[tuple[float, float]], float, float]:
    """textblob-de's scores, CPU and wall seconds (its import and first-use loading left out)."""
    from textblob_de import PatternTokenizer, TextBlobDE

    tokenizer = PatternTokenizer()
    TextBlobDE("Gut.", tokenizer=tokenizer).sentiment  # noqa: B018 -- loads its data lazily
    cpu, wall = time.process_time(), time.perf_counter()
    scores = [TextBlobDE(t, tokenizer=tokenizer).sentiment for t in texts]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return [(float(p), float(s)) for p, s in scores], cpu, wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reference-sample", type=int, default=1000,
                        help="how many tweets textblob-de scores (evenly spread; default 1,000)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child()
        return

    texts = tweet_texts()
    ours = measure_ours()
    results = ours["results"]
    step = max(1, len(texts) // max(1, args.reference_sample))
    sample = list(range(0, len(texts), step))
    theirs, ref_cpu, ref_wall = reference_scores([texts[i] for i in sample])

    pol = [abs(results[i][0] - r[0]) for i, r in zip(sample, theirs, strict=True)]
    subj = [abs(results[i][1] - r[1]) for i, r in zip(sample, theirs, strict=True)]
    agree = sum(d <= TOLERANCE for d in pol)
    exact = sum(p < 1e-9 and s < 1e-9 for p, s in zip(pol, subj, strict=True))
    n, m = len(texts), len(sample)

    def per_tweet(seconds: tuple[float, float]) -> str:
        cpu, wall = seconds
        return f"{1e6 * cpu / n:8.1f} µs/tweet CPU ({1e6 * wall / n:.1f} wall)"

    cpu_startup, wall_startup = ours["startup"]
    first_cpu = ours["first"][0]
    reference = ref_cpu / m
    print("Sentiment: moderation.sentiment vs TextBlobDE(text, tokenizer=PatternTokenizer()).sentiment")
    print(f"  corpus             {n:,} real tweets ({TRAINING_DATA.name})")
    print(f"  start-up           {cpu_startup:.3f} s CPU ({wall_startup:.3f} wall): import + data load, fresh process")
    print(f"  first pass (cold)  {per_tweet(ours['first'])}")
    print(f"  second pass (warm) {per_tweet(ours['second'])}")
    print(f"  textblob-de        {1e6 * reference:8.1f} µs/tweet CPU ({1e6 * ref_wall / m:.1f} wall) on {m:,} tweets")
    print(f"  speed-up           x{reference / (first_cpu / n):.1f} first pass,"
          f" x{reference * n / (first_cpu + cpu_startup):.1f} with start-up")
    print(f"  agreement          {agree / m:.2%} with |polarity difference| <= {TOLERANCE} ({agree:,}/{m:,});"
          f" {exact / m:.2%} identical; caches changed nothing: {ours['stable']}")


if __name__ == "__main__":
    main()
