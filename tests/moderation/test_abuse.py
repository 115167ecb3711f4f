"""Abuse model: municipal fixtures, evidence and hints, pure-Python inference, the lexicon."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.abuse import DEFAULT_LEXICON, MODEL_PATH, AbuseModel, AbuseResult, ModelError
from moderation.abuse_features import Cues, char_grams, clean, cues, flat_weights, sparse_counts
from moderation.abuse_lexicon import CATEGORIES, Lexicon, LexiconError, anchors
from moderation.normalise import normalise
from tests.corpus import TRAINING_DATA, tweet_texts

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
LDNOOBW = Path(os.environ.get("NETZPFLEGE_LDNOOBW", REPO.parent / "shared/data/ldnoobw_de/de.txt"))
CASES: list[dict[str, Any]] = yaml.safe_load((FIXTURES / "abuse_comments.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def model() -> AbuseModel:
    return AbuseModel.load()


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_municipal_fixtures(model: AbuseModel, case: dict[str, Any]) -> None:
    result = model.assess(case["text"])
    assert result.abusive is case["abusive"], (result.score, result.evidence)
    assert set(case.get("categories", [])) <= set(result.categories)
    assert not set(case.get("no_categories", [])) & set(result.categories)
    assert set(case.get("hints", [])) <= set(result.criminal_hint)
    if result.abusive:
        assert result.score >= 0.5
        assert result.reasons and result.evidence["terms"] + result.evidence["features"]
    else:
        assert result.score < 0.5
        assert result.categories == [] and result.criminal_hint == [] and result.reasons == []


def test_fixtures_cover_every_category_and_both_outcomes() -> None:
    named = {c for case in CASES for c in case.get("categories", [])}
    assert named == set(CATEGORIES)
    assert sum(c["abusive"] for c in CASES) >= 10 and sum(not c["abusive"] for c in CASES) >= 10


def test_brief_examples(model: AbuseModel) -> None:
    lawful = model.assess("Die Stadtverwaltung hat hier komplett versagt, das ist eine Schande")
    assert not lawful.abusive
    insult = model.assess("Der Bürgermeister ist ein Vollidiot")
    assert insult.abusive and "insult" in insult.categories and "§ 185 StGB" in insult.criminal_hint
    assert any("vollidiot" in r for r in insult.reasons)
    threat = model.assess("Ich weiß wo du wohnst, pass bloß auf")
    assert threat.categories == ["threat"] and threat.criminal_hint == ["§ 241 StGB"]
    assert threat.evidence["overrides"] == ["Eindeutiger Lexikon-Fall: Drohung"]
    spam = model.assess("Verdiene 5000€ im Monat von zu Hause, klick hier www.geld.example")
    assert "spam" in spam.categories


@pytest.mark.parametrize("text", ["Du 4rschl0ch", "Du A r s c h l o c h", "Du Arsch\u200bloch", "Du \u0410rschloch",
                                  "Du Arschlooooch", "DU ARSCHLOCH"])
def test_evasions_are_caught(model: AbuseModel, text: str) -> None:
    result = model.assess(text)
    assert result.abusive and "insult" in result.categories


def test_negated_insult_is_not_a_clear_case(model: AbuseModel) -> None:
    result = model.assess("Der neue Kämmerer ist kein Idiot, der weiß was er tut")
    assert "overrides" not in result.evidence


def test_normalised_argument_gives_the_same_result(model: AbuseModel) -> None:
    text = "Halt die Fresse, du Penner"
    assert model.assess(text) == model.assess(text, normalised=normalise(text))


def test_result_is_frozen(model: AbuseModel) -> None:
    result = model.assess("Danke!")
    assert isinstance(result, AbuseResult)
    with pytest.raises(AttributeError):
        result.abusive = True  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_assess_never_raises(text: str) -> None:
    result = _MODEL.assess(text)
    assert 0.0 <= result.score <= 1.0
    assert set(result.categories) <= set(CATEGORIES)


_MODEL = AbuseModel.load()


SHIPPED_WEIGHTS = flat_weights(json.loads(MODEL_PATH.read_text(encoding="utf-8"))["weights"])


def _reference_decision(model: AbuseModel, weights: dict[str, float], text: str,
                        normalised: str | None = None) -> tuple[float, Cues]:
    """``model.decision`` as training defines it: feature counts times the weights (by feature name)."""
    found = cues(text, clean(normalise(text) if normalised is None else normalised), model.lexicon)
    chars, n_chars, words, n_words = sparse_counts(found.words)
    z = model.bias
    for counts, total in ((chars, n_chars), (words, n_words)):
        if total:
            z += sum(weights.get(k, 0.0) * v for k, v in counts.items()) / math.sqrt(total)
    z += sum(weights.get(k, 0.0) * v for k, v in found.dense.items())
    return z, found


def _reference_parts(weights: dict[str, float], words: list[str]) -> tuple[list[float], list[float], list[float], int]:
    """``AbuseModel._parts`` from the feature names of training."""
    chars = [sum(weights.get(f"c:{gram}", 0.0) for gram in char_grams(w)) for w in words]
    unigrams = [weights.get(f"w:{w}", 0.0) for w in words]
    bigrams = [weights.get(f"b:{a} {b}", 0.0) for a, b in zip(words, words[1:], strict=False)]
    return chars, unigrams, bigrams, sum(len(char_grams(w)) for w in words)


def test_inference_equals_the_training_features(model: AbuseModel) -> None:
    """The cached per-word scoring computes the same value as the training features times the weights."""
    texts = [c["text"] for c in CASES] + ["@user Das ist |LBR| #Mist https://t.co/x !!", "", "😂😂", "a a a"]
    for text in texts:
        expected, _ = _reference_decision(model, SHIPPED_WEIGHTS, text)
        z, _ = model.decision(text)
        assert z == pytest.approx(expected, abs=1e-9), text


def _reference_texts() -> list[str]:
    """Fixtures, the GermEval tweets, evasions and edge cases: what the fast path is compared on."""
    if not TRAINING_DATA.is_file():
        pytest.fail(f"Trainingsdaten fehlen: {TRAINING_DATA} (oder NETZPFLEGE_TRAINING_DATA setzen)")
    tweets = tweet_texts()
    edge = ["", "!!!", "😂😂", "a a a", "Du", "du du du Idiot", "schier hier wohnt der Typ", "„Vollidiot“, du!",
            "@user Das ist |LBR| #Mist https://t.co/x !!", "Halt   die\tFresse\n du Penner", "x_y Idiot_en"]
    return [c["text"] for c in CASES] + tweets + edge


def test_fast_path_equals_the_reference() -> None:
    """``assess`` (per-chunk caches, inlined lexicon scan) decides exactly as the plain feature-vector path.

    On every tweet of the training file, with fresh caches (a first pass: every word new) and then warm ones.
    """
    model = AbuseModel.load()
    texts = _reference_texts()
    assert len(texts) > 5000
    flagged = 0
    for text in texts + texts[::7]:
        normalised = normalise(text)
        z, found = model.decision(text, normalised)  # what assess judges by
        z_ref, found_ref = _reference_decision(model, SHIPPED_WEIGHTS, text, normalised)
        assert z == pytest.approx(z_ref, abs=1e-9), text
        assert found == found_ref, text
        # ``assess`` on the reference decision value and per-word parts
        fast, ref = model.assess(text, normalised), model._result(
            z_ref, found_ref, lambda words: _reference_parts(SHIPPED_WEIGHTS, words))
        assert (fast.abusive, fast.categories, fast.criminal_hint) == (ref.abusive, ref.categories,
                                                                      ref.criminal_hint), text
        assert fast.score == pytest.approx(ref.score, abs=1e-9), text
        assert (fast.evidence, fast.reasons) == (ref.evidence, ref.reasons), text
        flagged += fast.abusive
    assert 1000 < flagged < len(texts) - 1000  # both outcomes well covered


def test_anchored_pattern_search_equals_a_plain_search(model: AbuseModel) -> None:
    """Patterns tried only at their anchors find the same leftmost match as ``re.search`` over the whole text."""
    lexicon = model.lexicon
    texts = [clean(normalise(t)) for t in _reference_texts()[:1500]]
    texts += ["schier hier wohnt der", "gehören die erschossen", "du bist du bist tot", "pass pass bloss auf",
              "x_du bist tot", "du  bist tot", "amok laufen", "verpisst euch", "dein letzter tag"]
    for i in range(len(lexicon._patterns)):
        rx = lexicon.pattern(i)
        for text in texts:
            fast, plain = lexicon._search(i, text), rx.search(text)
            assert (fast and fast.span()) == (plain and plain.span()), (rx.pattern, text)


def test_inference_does_not_need_scikit_learn() -> None:
    code = ("import sys; sys.modules['sklearn'] = None; sys.modules['scipy'] = None\n"
            "from moderation.abuse import AbuseModel\n"
            "print(AbuseModel.load().assess('Du Vollidiot').abusive)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("kein json", "nicht lesbar"),
        ('{"format": "pickle"}', "Modellformat"),
        ('{"format": "netzpflege-abuse-linear/1", "features": {"char_min": 3, "char_max": 6}}', "unvollständig"),
        ('{"format": "netzpflege-abuse-linear/2", "features": {"char_min": 3, "char_max": 6}, "version": "v", '
         '"threshold": {"lexicon_cue": 0, "no_cue": 0}, "bias": 0, '
         '"weights": {"b": {}, "c": {"abc": "viel"}, "w": {}, "x": {}}}', "unvollständig"),
        ('{"format": "netzpflege-abuse-linear/2", "features": {"char_min": 3, "char_max": 6}, "version": "v", '
         '"threshold": {"lexicon_cue": 0, "no_cue": 0}, "bias": 0, "weights": {"c": {}, "w": {}, "x": {}}}',
         "unvollständig"),
    ],
)
def test_broken_model_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        AbuseModel.load(path, DEFAULT_LEXICON)


def test_model_file_is_small_plain_json() -> None:
    raw = MODEL_PATH.read_bytes()
    assert len(raw) < 10 * 1024 * 1024
    model = json.loads(raw)
    assert model["format"] == "netzpflege-abuse-linear/2"
    assert set(model["weights"]) == {"b", "c", "w", "x"}
    weights = flat_weights(model["weights"])
    assert len(weights) > 50_000 and all(isinstance(v, float) for v in weights.values())
    assert not list(MODEL_PATH.parent.glob("*.pkl")) and not list(MODEL_PATH.parent.glob("*.pickle"))
    notice = (MODEL_PATH.parent / "NOTICE.md").read_text(encoding="utf-8")
    assert "Wiegand" in notice and "CC BY 4.0" in notice and "LDNOOBW" in notice


# --- lexicon -------------------------------------------------------------------------------------


def test_lexicon_holds_all_ldnoobw_words() -> None:
    if not LDNOOBW.is_file():
        pytest.fail(f"LDNOOBW-Liste fehlt: {LDNOOBW} "
                    "(shared/ neben das Repository legen oder NETZPFLEGE_LDNOOBW setzen)")
    words = [w.strip() for w in LDNOOBW.read_text(encoding="utf-8").splitlines() if w.strip()]
    assert len(words) >= 60
    data = yaml.safe_load(DEFAULT_LEXICON.read_text(encoding="utf-8"))
    listed = {normalise(t) for cat in data["categories"].values() for key in ("terms", "mild_terms")
              for t in cat.get(key) or []}
    assert {normalise(w) for w in words} <= listed
    assert "LDNOOBW" in DEFAULT_LEXICON.read_text(encoding="utf-8") and "CC BY 4.0" in DEFAULT_LEXICON.read_text(
        encoding="utf-8")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("vollidioten", {("insult", "*idiot")}),
        ("stadtratsidiot", {("insult", "*idiot")}),
        ("arschloch", {("insult", "arschloch"), ("insult", "*arschloch")}),
        ("scheissverwaltung", {("profanity", "scheiss*")}),
        ("marsch", set()),
        ("wildschwein", set()),
        ("pomade", set()),
        ("doooof", set()),
    ],
)
def test_term_matching(word: str, expected: set[tuple[str, str]]) -> None:
    lexicon = Lexicon.load(DEFAULT_LEXICON)
    hits, _ = lexicon.word_info(word)
    assert {(h.category, h.term) for h in hits if not h.mild} == expected


def test_squeezed_matching_meets_stretched_words() -> None:
    lexicon = Lexicon.from_dict({"categories": {"insult": {"terms": ["doof"]}}})
    assert [h.term for h in lexicon.word_info(normalise("Dooooof"))[0]] == ["doof"]


def test_anchors() -> None:
    assert anchors(r"\b(ich|wir) weiss") == frozenset({"ich weiss", "wir weiss"})
    assert anchors(r"\b(du bist|ihr seid) (tot|fällig)") == frozenset({"du bist ", "ihr seid "})
    assert anchors(r"\b(dein|euer) letzte[rs]? tag") == frozenset({"dein letzte", "euer letzte"})
    assert anchors(r"\bkopf (ab|weg)\b") == frozenset({"kopf "})
    assert anchors(r"\b(amok|amok laufen)\b") == frozenset({"amok", "amok laufen"})
    assert anchors(r"\bpass(t)? auf") == frozenset({"pass"})
    assert anchors(r"\bklickt? hier") == frozenset({"klick"})
    assert anchors(r"\b(a|wir) x") is None  # too short to index
    assert anchors(r"\b(ich)? x") is None
    assert anchors(r"\b(ich)+ x") is None
    assert anchors(r"\bich|wir") is None  # "wir" may match anywhere
    assert anchors(r"\d+ euro") is None


def test_patterns_run_only_for_words_that_may_start_them() -> None:
    patterns = [r"\bdu bist (tot|fällig)", r"\bklickt? hier"]
    lexicon = Lexicon.from_dict({"categories": {"threat": {"patterns": patterns}}})
    assert lexicon.word_info("du") == ((), (0,))
    assert lexicon.word_info("dumm") == ((), ())  # "du " needs the whole word
    assert lexicon.word_info("klickt") == ((), (1,))  # "klick" begins it
    _, patterns = lexicon.scan("na du bist tot, klickt hier", ["na", "du", "bist", "tot", "klickt", "hier"])
    assert [p.text for p in patterns] == ["du bist tot", "klickt hier"]


def test_unanchored_patterns_still_run() -> None:
    lexicon = Lexicon.from_dict({"categories": {"spam": {"override": True, "patterns": [r"\d+ ?€ sofort"]}}})
    _, patterns = lexicon.scan("jetzt 500 € sofort", ["jetzt", "500", "sofort"])
    assert [p.category for p in patterns] == ["spam"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"categories": {"beleidigung": {}}}, "unbekannte Kategorie"),
        ({"categories": {"insult": {"patterns": ["(unclosed"]}}}, "ungültiges Muster"),
        ({"kategorien": {}}, "categories"),
        ({"categories": {"insult": ["x"]}}, "muss ein Abschnitt sein"),
    ],
)
def test_lexicon_errors_are_german_and_named(data: Any, message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        Lexicon.from_dict(data)


def test_custom_lexicon_path(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("categories:\n  spam:\n    override: true\n    patterns: ['\\bsonderposten\\b']\n",
                    encoding="utf-8")
    result = AbuseModel.load(lexicon_path=path).assess("Sonderposten im Angebot!")
    assert result.abusive and result.categories == ["spam"]


def test_ngram_lengths_without_weights_are_skipped_and_change_nothing() -> None:
    """A model without any 3-gram weight slices no 3-grams, yet normalises by all n-grams, as training does."""
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    shipped["weights"]["c"] = {gram: w for gram, w in shipped["weights"]["c"].items() if len(gram) != 3}
    model = AbuseModel(shipped, Lexicon.load(DEFAULT_LEXICON))
    assert model._gram_lengths == [4, 5, 6]
    for text in [c["text"] for c in CASES[:20]] + ["a", "ab", "Du Vollidiot!"]:
        z, _ = model.decision(text)
        assert z == pytest.approx(_reference_decision(model, flat_weights(shipped["weights"]), text)[0], abs=1e-9), text


def test_without_features_only_the_evidence_features_are_left_out() -> None:
    model = AbuseModel.load(lexicon_path=DEFAULT_LEXICON)
    flagged = 0
    for text in [c["text"] for c in CASES]:
        full, lean = model.assess(text), model.assess(text, features=False)
        assert lean == replace(full, evidence={**full.evidence, "features": []} if full.evidence else {}), text
        flagged += bool(full.evidence.get("features"))
    assert flagged >= 10


def test_the_lexicon_comes_from_the_given_configuration_folder(tmp_path: Path) -> None:
    """`--config-dir` reaches the lexicon too, not only the policy (it used to read the current folder's)."""
    (tmp_path / "lexicon.yaml").write_text(
        "categories:\n  spam:\n    override: true\n    patterns: ['\\bsonderposten\\b']\n", encoding="utf-8")
    assert AbuseModel.load(config_dir=tmp_path).assess("Sonderposten im Angebot!").categories == ["spam"]
    assert AbuseModel.load(config_dir=tmp_path / "leer").assess("Sonderposten im Angebot!").categories == []
