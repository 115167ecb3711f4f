"""The real German comments the tests and benchmarks measure on: the tweets of the shipped GermEval 2018 training
file (CC BY 4.0), or the file ``NETZPFLEGE_TRAINING_DATA`` names. A plain module (no pytest), so the benchmarks
use it too."""

from __future__ import annotations

import os
from pathlib import Path

TRAINING_DATA = Path(os.environ.get("NETZPFLEGE_TRAINING_DATA")
                     or Path(__file__).resolve().parents[1] / "moderation/model/training/germeval2018.training.txt")


def tweet_texts(step: int = 1) -> list[str]:
    """Every ``step``-th tweet's text (the first tab-separated column), in file order."""
    lines = TRAINING_DATA.read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[0] for line in lines[::step] if line.strip()]
