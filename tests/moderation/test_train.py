"""Training: reading labelled data, the scores, pure-Python inference equal to scikit-learn, reproducibility."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from moderation.abuse import DEFAULT_LEXICON, MODEL_PATH, AbuseModel
from moderation.abuse_features import flat_weights
from moderation.abuse_lexicon import Lexicon
from moderation.train import Corpus, TrainingError, _logreg, featurise, read_labelled, scores, train
from tests.corpus import TRAINING_DATA


def training_data() -> Path:
    if not TRAINING_DATA.is_file():
        pytest.fail(
            f"Trainingsdaten fehlen: {TRAINING_DATA} (wird mit dem Repository ausgeliefert; "
            "oder NETZPFLEGE_TRAINING_DATA auf germeval2018.training.txt setzen)."
        )
    return TRAINING_DATA


@pytest.fixture(scope="module")
def subsample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every fifth line of the GermEval training data: a deterministic, quick training set."""
    lines = training_data().read_text(encoding="utf-8").splitlines()
    path = tmp_path_factory.mktemp("data") / "subsample.tsv"
    path.write_text("\n".join(lines[::5]) + "\n", encoding="utf-8")
    return path


def test_read_tsv_germeval_format(tmp_path: Path) -> None:
    path = tmp_path / "d.tsv"
    path.write_text("Du Idiot\tOFFENSE\tINSULT\nSchönes Fest\tOTHER\tOTHER\n\nDanke\tOTHER\tOTHER\n", encoding="utf-8")
    assert read_labelled(path) == (["Du Idiot", "Schönes Fest", "Danke"], [1, 0, 0])


def test_read_csv_with_header_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('text,label\n"Hallo, Stadt",0\n"Du Penner",1\n', encoding="utf-8")
    assert read_labelled(path) == (["Hallo, Stadt", "Du Penner"], [0, 1])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a\tOFFENSE\nb\tVIELLEICHT\n", "Zeile 2: Label „vielleicht“ unbekannt"),
        ("a\tOTHER\nb\tOTHER\n", "beider Klassen"),
    ],
)
def test_bad_training_data(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "d.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TrainingError, match=message):
        read_labelled(path)


def test_missing_file_is_a_training_error(tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match="nicht lesbar"):
        read_labelled(tmp_path / "fehlt.tsv")


def test_scores_macro_f1_and_germeval_variant() -> None:
    result = scores([1, 1, 0, 0], [1, 0, 0, 0])
    # class 1: P 1, R 1/2, F 2/3; class 0: P 2/3, R 1, F 4/5; macro-P 5/6, macro-R 3/4
    assert result["macro_f1"] == pytest.approx((2 / 3 + 4 / 5) / 2)
    assert result["germeval_f1"] == pytest.approx(2 * (5 / 6) * (3 / 4) / (5 / 6 + 3 / 4))


def test_training_is_deterministic_and_inference_matches_scikit_learn(subsample: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    figures = train(subsample, None, first, folds=3, echo=lambda _: None)
    train(subsample, None, second, folds=3, echo=lambda _: None)
    assert first.read_bytes() == second.read_bytes()
    assert figures["model_macro_f1"] > figures["baseline_macro_f1"]

    shipped = json.loads(first.read_text(encoding="utf-8"))
    lexicon = Lexicon.load(DEFAULT_LEXICON)
    model = AbuseModel(shipped, lexicon)
    texts, labels = read_labelled(subsample)
    corpus = Corpus(featurise(texts, lexicon))
    x, _, _ = corpus.select(np.arange(len(texts)))
    reference = _logreg(shipped["c"], 0).fit(x, np.asarray(labels)).decision_function(x)
    ours = np.array([model.decision(t)[0] for t in texts])
    # weights are rounded to 6 decimals in the file: allow that, and nothing more
    assert np.max(np.abs(ours - reference)) < 1e-3
    clear = np.abs(reference) > 1e-3
    assert np.array_equal((ours >= 0)[clear], (reference >= 0)[clear])


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_model(tmp_path: Path) -> None:
    out = tmp_path / "abuse_model.json"
    train(training_data(), None, out, echo=lambda _: None)
    fresh = json.loads(out.read_text(encoding="utf-8"))
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert fresh.keys() == shipped.keys()
    for key in fresh:
        if key != "weights":
            assert fresh[key] == shipped[key], f"{key} weicht ab: Modell mit `netzpflege train` neu erzeugen"
    fresh_weights, shipped_weights = flat_weights(fresh["weights"]), flat_weights(shipped["weights"])
    assert fresh_weights.keys() == shipped_weights.keys()
    worst = max(abs(fresh_weights[k] - shipped_weights[k]) for k in fresh_weights)
    assert worst <= 1e-6  # at most the last rounded digit (floating point differences between machines)
