"""Train the abuse model from labelled comments and write it as plain JSON (``netzpflege train``).

Needs scikit-learn and SciPy (training only; inference in :mod:`moderation.abuse` is pure Python). Features,
regularisation and the decision threshold are chosen by stratified k-fold cross-validation on the training data
only; the CV scores of a plain TF-IDF + logistic-regression baseline are printed beside the model's.
Deterministic: fixed seeds, sorted vocabulary and rounded weights, so the same data gives the same file.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from moderation.abuse_features import CHAR_MAX, CHAR_MIN, DENSE_NAMES, clean, cues, sparse_counts
from moderation.abuse_lexicon import Lexicon
from moderation.normalise import normalise

MODEL_FORMAT = "netzpflege-abuse-linear/1"
C_GRID = (0.25, 0.5, 1.0, 2.0)
MIN_DF_CHARS = 3
MIN_DF_WORDS = 2
_POSITIVE = frozenset({"offense", "offensive", "abusive", "abuse", "hof", "1", "true", "yes", "ja"})
_NEGATIVE = frozenset({"other", "none", "not", "nof", "0", "false", "no", "nein", "ok"})
_DECIMALS = 6

Doc = tuple[Counter[str], int, Counter[str], int, dict[str, float]]


class TrainingError(ValueError):
    """The training data cannot be used; the message says why, in German."""


def read_labelled(path: Path) -> tuple[list[str], list[int]]:
    """Texts and 0/1 labels from a TSV (GermEval: text, coarse[, fine]) or CSV file (text, label[, ...])."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TrainingError(f"{path}: Trainingsdaten nicht lesbar: {exc}") from exc
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    reader = csv.reader(raw.splitlines(), delimiter=delimiter,
                        quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE)
    texts: list[str] = []
    labels: list[int] = []
    for lineno, row in enumerate(reader, start=1):
        if not row or not "".join(row).strip():
            continue
        label = row[1].strip().casefold() if len(row) >= 2 else ""
        if label in _POSITIVE or label in _NEGATIVE:
            texts.append(row[0])
            labels.append(int(label in _POSITIVE))
        elif lineno > 1 or len(row) < 2:  # the first row may be a header
            raise TrainingError(f"{path}, Zeile {lineno}: Label „{label}“ unbekannt (erwartet OFFENSE/OTHER oder 1/0)")
    if len(set(labels)) < 2:
        raise TrainingError(f"{path}: es braucht Beispiele beider Klassen (beleidigend und unauffällig)")
    return texts, labels


def featurise(texts: Sequence[str], lexicon: Lexicon) -> list[Doc]:
    """Sparse counts and dense cues of every text (see :mod:`moderation.abuse_features`)."""
    docs: list[Doc] = []
    for text in texts:
        found = cues(text, clean(normalise(text)), lexicon)
        chars, n_chars, words, n_words = sparse_counts(found.words)
        docs.append((chars, n_chars, words, n_words, found.dense))
    return docs


def vocabulary(docs: Sequence[Doc]) -> dict[str, float]:
    """Feature name -> idf for the n-grams frequent enough to learn from, plus the dense cues (idf 1)."""
    df: Counter[str] = Counter()
    for chars, _, words, _, _ in docs:
        df.update(chars.keys())
        df.update(words.keys())
    n = len(docs)
    vocab = {
        name: math.log((1 + n) / (1 + count)) + 1
        for name, count in df.items()
        if count >= (MIN_DF_CHARS if name.startswith("c:") else MIN_DF_WORDS)
    }
    vocab.update(dict.fromkeys(DENSE_NAMES, 1.0))
    return dict(sorted(vocab.items()))


def matrix(docs: Sequence[Doc], vocab: dict[str, float]) -> Any:
    """A SciPy CSR matrix of the documents over ``vocab`` (values as defined in abuse_features)."""
    from scipy.sparse import csr_matrix

    index = {name: i for i, name in enumerate(vocab)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, (chars, n_chars, words, n_words, dense) in enumerate(docs):
        for counts, total in ((chars, n_chars), (words, n_words)):
            scale = 1 / math.sqrt(total) if total else 0.0
            for name, count in counts.items():
                j = index.get(name)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
                    vals.append(count * vocab[name] * scale)
        for name, value in dense.items():
            rows.append(r)
            cols.append(index[name])
            vals.append(value)
    return csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)), dtype=np.float64)


def scores(y_true: Sequence[int], y_pred: Sequence[int]) -> dict[str, float]:
    """Macro-F1 and GermEval's variant (harmonic mean of macro-precision and macro-recall)."""
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    precisions, recalls, f1s = [], [], []
    for cls in (0, 1):
        tp = float(np.sum((p == cls) & (t == cls)))
        prec = tp / max(float(np.sum(p == cls)), 1.0)
        rec = tp / max(float(np.sum(t == cls)), 1.0)
        precisions.append(prec)
        recalls.append(rec)
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    mp, mr = float(np.mean(precisions)), float(np.mean(recalls))
    return {"macro_f1": float(np.mean(f1s)), "germeval_f1": 2 * mp * mr / (mp + mr) if mp + mr else 0.0}


def _best_threshold(y: np.ndarray, z: np.ndarray) -> float:
    """The decision-value threshold with the best pooled macro-F1 (a grid, for stability)."""
    grid = np.round(np.arange(-1.5, 1.501, 0.05), 2)
    best = max(grid, key=lambda t: (scores(y, (z >= t).astype(int))["macro_f1"], -abs(t)))
    return float(best)


def _logreg(c: float, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=seed)


def _folds(labels: Sequence[int], folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(labels)
    return list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))


def baseline_cv(texts: Sequence[str], labels: Sequence[int], folds: int, seed: int) -> dict[str, float]:
    """CV scores of plain TF-IDF word features + logistic regression (defaults) for comparison."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    y = np.asarray(labels)
    pred = np.zeros(len(y), dtype=int)
    arr = np.asarray(texts, dtype=object)
    for train_idx, test_idx in _folds(labels, folds, seed):
        vec = TfidfVectorizer()
        model = _logreg(1.0, seed).fit(vec.fit_transform(arr[train_idx]), y[train_idx])
        pred[test_idx] = model.predict(vec.transform(arr[test_idx]))
    return scores(y, pred)


def model_cv(docs: Sequence[Doc], labels: Sequence[int], folds: int, seed: int,
             echo: Callable[[str], None]) -> tuple[float, float, dict[str, float], np.ndarray]:
    """Out-of-fold decision values per C; returns (C, threshold, scores, out-of-fold values)."""
    y = np.asarray(labels)
    splits = _folds(labels, folds, seed)
    fold_data = []
    for train_idx, test_idx in splits:
        vocab = vocabulary([docs[i] for i in train_idx])
        fold_data.append((matrix([docs[i] for i in train_idx], vocab), matrix([docs[i] for i in test_idx], vocab)))
    best: tuple[float, float, dict[str, float], np.ndarray] | None = None
    for c in C_GRID:
        z = np.zeros(len(y))
        for (train_idx, test_idx), (x_train, x_test) in zip(splits, fold_data, strict=True):
            z[test_idx] = _logreg(c, seed).fit(x_train, y[train_idx]).decision_function(x_test)
        threshold = _best_threshold(y, z)
        result = scores(y, (z >= threshold).astype(int))
        echo(f"  C={c:<5} Schwelle={threshold:+.2f}  Makro-F1={result['macro_f1']:.4f}  "
             f"GermEval-F1={result['germeval_f1']:.4f}")
        if best is None or result["macro_f1"] > best[2]["macro_f1"]:
            best = (c, threshold, result, z)
    assert best is not None
    return best


def fit(docs: Sequence[Doc], labels: Sequence[int], c: float, seed: int) -> tuple[dict[str, float], float]:
    """Fit on all documents; weights already multiplied by idf, rounded, zero weights dropped; and the bias."""
    vocab = vocabulary(docs)
    model = _logreg(c, seed).fit(matrix(docs, vocab), np.asarray(labels))
    weights: dict[str, float] = {}
    for (name, idf), w in zip(vocab.items(), model.coef_[0], strict=True):
        value = round(float(w) * idf, _DECIMALS)
        if value:
            weights[name] = value
    return weights, round(float(model.intercept_[0]), _DECIMALS)


def train(data: Path, lexicon: Path | None, out: Path, folds: int = 5, seed: int = 0,
          echo: Callable[[str], None] = print) -> dict[str, float]:
    """Train from labelled TSV/CSV (GermEval format: text, coarse label[, fine]); print CV scores; write the model.

    Returns the CV scores (``baseline_*`` and ``model_*``, macro-F1 and the GermEval variant). Raises
    :class:`TrainingError` for unusable data, :class:`~moderation.abuse_lexicon.LexiconError` for a bad lexicon.
    """
    from moderation.abuse import DEFAULT_LEXICON, decide_with_lexicon

    lexicon_path = lexicon or DEFAULT_LEXICON
    lex = Lexicon.load(lexicon_path)
    texts, labels = read_labelled(data)
    echo(f"{len(texts)} Texte, davon {sum(labels)} beleidigend; {folds}-fache Kreuzvalidierung")
    base = baseline_cv(texts, labels, folds, seed)
    echo(f"Basislinie (TF-IDF-Wörter + LR): Makro-F1={base['macro_f1']:.4f}  GermEval-F1={base['germeval_f1']:.4f}")
    docs = featurise(texts, lex)
    c, threshold, cv, z = model_cv(docs, labels, folds, seed, echo)
    decisions = [int(decide_with_lexicon(bool(zi >= threshold), d[4], lex)) for zi, d in zip(z, docs, strict=True)]
    with_lexicon = scores(labels, decisions)
    echo(f"Modell (C={c}, Schwelle {threshold:+.2f}): Makro-F1={cv['macro_f1']:.4f}  GermEval-F1={cv['germeval_f1']:.4f}")
    echo(f"Modell + klare Lexikon-Fälle:  Makro-F1={with_lexicon['macro_f1']:.4f}  "
         f"GermEval-F1={with_lexicon['germeval_f1']:.4f}")
    weights, bias = fit(docs, labels, c, seed)
    result = {
        "baseline_macro_f1": base["macro_f1"], "baseline_germeval_f1": base["germeval_f1"],
        "model_macro_f1": cv["macro_f1"], "model_germeval_f1": cv["germeval_f1"],
        "model_lexicon_macro_f1": with_lexicon["macro_f1"], "model_lexicon_germeval_f1": with_lexicon["germeval_f1"],
    }
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    model = {
        "format": MODEL_FORMAT,
        "version": f"{data.stem}-{digest[:8]}-c{c}-s{seed}",
        "trained_on": {"file": data.name, "rows": len(texts), "offensive": sum(labels), "sha256": digest,
                       "lexicon_version": lex.version},
        "features": {"char_min": CHAR_MIN, "char_max": CHAR_MAX, "min_df_chars": MIN_DF_CHARS, "min_df_words": MIN_DF_WORDS},
        "c": c,
        "threshold": threshold,
        "bias": bias,
        "cv": {k: round(v, 4) for k, v in result.items()},
        "weights": weights,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n",
                   encoding="utf-8")
    echo(f"Modell geschrieben: {out} ({len(weights)} Gewichte, {out.stat().st_size // 1024} KiB)")
    return result
