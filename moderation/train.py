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
from numpy.typing import ArrayLike

from moderation.abuse_features import (
    CHAR_MAX,
    CHAR_MIN,
    DENSE_NAMES,
    MODEL_FORMAT,
    clean,
    cues,
    group_weights,
    has_lexicon_cue,
    sparse_counts,
)
from moderation.abuse_lexicon import Lexicon
from moderation.normalise import normalise

C_GRID = (0.05, 0.1, 0.2)
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


class Corpus:
    """All documents as one sparse matrix of ``count / sqrt(n)`` values over every feature seen (before idf).

    Folds select their rows, keep the columns frequent enough in those rows and scale them by their idf, so
    the features are built once for all folds.
    """

    def __init__(self, docs: Sequence[Doc]) -> None:
        from scipy.sparse import csr_matrix

        names = sorted({n for chars, _, words, _, _ in docs for n in (*chars, *words)} | set(DENSE_NAMES))
        index = {name: i for i, name in enumerate(names)}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for r, (chars, n_chars, words, n_words, dense) in enumerate(docs):
            for counts, total in ((chars, n_chars), (words, n_words)):
                scale = 1 / math.sqrt(total) if total else 0.0
                for name, count in counts.items():
                    rows.append(r)
                    cols.append(index[name])
                    vals.append(count * scale)
            for name, value in dense.items():
                rows.append(r)
                cols.append(index[name])
                vals.append(value)
        self.names = names
        self.x = csr_matrix((vals, (rows, cols)), shape=(len(docs), len(names)), dtype=np.float64)
        self.min_df = np.array([0 if n.startswith("x:") else MIN_DF_CHARS if n.startswith("c:") else MIN_DF_WORDS
                                for n in names])
        self.dense = np.array([n.startswith("x:") for n in names])

    def select(self, rows: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray]:
        """(matrix of ``rows`` with idf applied, kept column indices, their idf) for a training set."""
        sub = self.x[rows]
        df = np.asarray((sub > 0).sum(axis=0)).ravel()
        keep = np.flatnonzero((df >= self.min_df) & ((df > 0) | self.dense))
        idf = np.where(self.dense[keep], 1.0, np.log((1 + len(rows)) / (1 + df[keep])) + 1)
        return self.columns(sub, keep, idf), keep, idf

    def columns(self, x: Any, keep: np.ndarray, idf: np.ndarray) -> Any:
        """``x`` reduced to ``keep`` columns and scaled by ``idf``."""
        from scipy.sparse import diags

        return (x[:, keep] @ diags(idf)).tocsr()


def scores(y_true: ArrayLike, y_pred: ArrayLike) -> dict[str, float]:
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


_GRID = np.round(np.arange(-1.5, 1.501, 0.05), 2)
# Among threshold pairs this close to the best macro-F1, the highest threshold for texts without lexicon cues
# wins: without evidence a moderator can see, and for comments that are not tweets, precision comes first.
_TOLERANCE = 0.005


def _best_threshold(y: np.ndarray, z: np.ndarray) -> float:
    """The decision-value threshold with the best macro-F1 (on a grid, for stability)."""
    return float(max(_GRID, key=lambda t: (scores(y, (z >= t).astype(int))["macro_f1"], -abs(t))))


def best_thresholds(y: np.ndarray, z: np.ndarray, cue: np.ndarray) -> tuple[float, float, dict[str, float]]:
    """(threshold for texts with lexicon cues, threshold for texts without, their scores)."""
    table = [(scores(y, np.where(cue, z >= a, z >= b).astype(int))["macro_f1"], float(a), float(b))
             for a in _GRID for b in _GRID]
    top = max(f for f, _, _ in table)
    no_cue = max(b for f, _, b in table if f >= top - _TOLERANCE)
    _, with_cue, _ = max((f, -abs(a), a) for f, a, b in table if b == no_cue)
    return with_cue, no_cue, scores(y, np.where(cue, z >= with_cue, z >= no_cue).astype(int))


def _logreg(c: float, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=seed)


def _folds(labels: Sequence[int], folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(labels)
    return list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))


def baseline_cv(texts: Sequence[str], labels: Sequence[int], folds: int, seed: int) -> dict[str, float]:
    """CV scores of plain TF-IDF word features + logistic regression, at the default and at a tuned threshold."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    y = np.asarray(labels)
    z = np.zeros(len(y))
    arr = np.asarray(texts, dtype=object)
    for train_idx, test_idx in _folds(labels, folds, seed):
        vec = TfidfVectorizer()
        model = _logreg(1.0, seed).fit(vec.fit_transform(arr[train_idx]), y[train_idx])
        z[test_idx] = model.decision_function(vec.transform(arr[test_idx]))
    plain = scores(y, (z >= 0).astype(int))
    tuned = scores(y, (z >= _best_threshold(y, z)).astype(int))
    return {**plain, "tuned_macro_f1": tuned["macro_f1"], "tuned_germeval_f1": tuned["germeval_f1"]}


def model_cv(corpus: Corpus, cue: np.ndarray, labels: Sequence[int], folds: int, seed: int,
             echo: Callable[[str], None]) -> tuple[float, tuple[float, float], dict[str, float], np.ndarray]:
    """Out-of-fold decision values per C; returns (C, thresholds (with cue, without), scores, out-of-fold values)."""
    y = np.asarray(labels)
    splits = _folds(labels, folds, seed)
    fold_data = []
    for train_idx, test_idx in splits:
        x_train, keep, idf = corpus.select(train_idx)
        fold_data.append((x_train, corpus.columns(corpus.x[test_idx], keep, idf)))
    best: tuple[float, tuple[float, float], dict[str, float], np.ndarray] | None = None
    for c in C_GRID:
        z = np.zeros(len(y))
        for (train_idx, test_idx), (x_train, x_test) in zip(splits, fold_data, strict=True):
            z[test_idx] = _logreg(c, seed).fit(x_train, y[train_idx]).decision_function(x_test)
        single = scores(y, (z >= _best_threshold(y, z)).astype(int))
        with_cue, no_cue, result = best_thresholds(y, z, cue)
        echo(f"  C={c:<5} eine Schwelle: Makro-F1={single['macro_f1']:.4f}  GermEval-F1={single['germeval_f1']:.4f}; "
             f"Schwellen {with_cue:+.2f}/{no_cue:+.2f}: Makro-F1={result['macro_f1']:.4f}  "
             f"GermEval-F1={result['germeval_f1']:.4f}")
        if best is None or result["macro_f1"] > best[2]["macro_f1"]:
            best = (c, (with_cue, no_cue), result, z)
    assert best is not None
    return best


def fit(corpus: Corpus, labels: Sequence[int], c: float, seed: int) -> tuple[dict[str, float], float]:
    """Fit on all documents; weights already multiplied by idf, rounded, zero weights dropped; and the bias."""
    x, keep, idf = corpus.select(np.arange(len(labels)))
    model = _logreg(c, seed).fit(x, np.asarray(labels))
    weights: dict[str, float] = {}
    for j, scale, w in zip(keep, idf, model.coef_[0], strict=True):
        value = round(float(w * scale), _DECIMALS)
        if value:
            weights[corpus.names[j]] = value
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
    echo(f"Basislinie (TF-IDF-Wörter + LR): {_fmt(base)}; mit optimierter Schwelle "
         f"Makro-F1={base['tuned_macro_f1']:.4f}  GermEval-F1={base['tuned_germeval_f1']:.4f}")
    docs = featurise(texts, lex)
    cue = np.array([has_lexicon_cue(d[4]) for d in docs])
    c, (with_cue, no_cue), cv, z = model_cv(Corpus(docs), cue, labels, folds, seed, echo)
    model_says = z >= np.where(cue, with_cue, no_cue)
    final = scores(labels, [int(decide_with_lexicon(bool(m), d[4], lex))
                            for m, d in zip(model_says, docs, strict=True)])
    echo(f"Modell (C={c}, Schwellen {with_cue:+.2f} mit / {no_cue:+.2f} ohne Lexikon-Treffer): {_fmt(cv)}")
    echo(f"Modell + eindeutige Lexikon-Fälle (die Entscheidung von assess): {_fmt(final)}")
    weights, bias = fit(Corpus(docs), labels, c, seed)
    result = {f"baseline_{k}": v for k, v in base.items()}
    result |= {f"model_{k}": v for k, v in cv.items()} | {f"final_{k}": v for k, v in final.items()}
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    lexicon_digest = hashlib.sha256(lexicon_path.read_bytes()).hexdigest()
    model = {
        "format": MODEL_FORMAT,
        "version": f"{data.stem}-{digest[:8]}-lex{lexicon_digest[:8]}-c{c}-s{seed}",
        "trained_on": {"file": data.name, "rows": len(texts), "offensive": sum(labels), "sha256": digest,
                       "lexicon_sha256": lexicon_digest, "folds": folds, "seed": seed},
        "features": {"char_min": CHAR_MIN, "char_max": CHAR_MAX, "min_df_chars": MIN_DF_CHARS,
                     "min_df_words": MIN_DF_WORDS},
        "c": c,
        "threshold": {"lexicon_cue": with_cue, "no_cue": no_cue},
        "bias": bias,
        "cv": {k: round(v, 4) for k, v in result.items()},
        "weights": group_weights(weights),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    echo(f"Modell geschrieben: {out} ({len(weights)} Gewichte, {out.stat().st_size // 1024} KiB)")
    return result


def _fmt(result: dict[str, float]) -> str:
    return f"Makro-F1={result['macro_f1']:.4f}  GermEval-F1={result['germeval_f1']:.4f}"
