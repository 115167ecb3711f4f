"""The data moderation.sentiment runs on, extracted from textblob-de into one shipped JSON file.

textblob-de (MIT) vendors pattern (BSD-3-Clause): its German tagger lexicon, suffix ("morphology") and
context rules, verb table and inflection tables, and textblob-de's own sentiment lexicon. Importing
textblob-de to read them costs seconds (nltk and all), so they are extracted once into
``moderation/model/sentiment/sentiment_data.json`` (plain JSON; origin and licences in the LICENSE.txt beside
it), which loads in some 30 ms. Regenerate it after a textblob-de upgrade with ``python -m moderation.sentiment_data``;
tests/moderation/test_sentiment_data.py fails while the shipped file differs from a fresh extraction.

The same command rebuilds ``risky_words.txt`` beside it from that data alone (`risky_words`): the index of
words whose singular or verb lemma the sentiment scorer could react to, which lets `moderation.sentiment`
skip working those lemmas out for most new words. The tests check it equals a rebuild.
"""

from __future__ import annotations

import hashlib
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from moderation.native import PACKAGE_DIR

DATA_PATH = PACKAGE_DIR / "model" / "sentiment" / "sentiment_data.json"
INDEX_PATH = DATA_PATH.with_name("risky_words.txt")
FORMAT = 1


@dataclass(frozen=True, slots=True)
class SentimentData:
    """Everything the sentiment engine needs, as plain Python values."""

    german_abbreviations: frozenset[str]
    english_punctuation: str
    english_abbreviations: frozenset[str]
    replacements: dict[str, str]  # contraction -> spaced form, in pattern's order
    abbreviation_patterns: tuple[str, ...]
    emoticons: tuple[tuple[float, tuple[str, ...]], ...]  # (polarity, faces) groups in pattern's order
    sarcasm_pattern: str
    number_pattern: str
    tagger_lexicon: dict[str, str]
    morphology: tuple[tuple[str, ...], ...]
    context: tuple[tuple[str, ...], ...]
    stts_to_penn: dict[str, str]
    verbs: dict[str, tuple[str, ...]]  # infinitive -> the inflected forms whose lemma it is
    singular_inflections: tuple[tuple[str, str], ...]
    singular: dict[str, str]
    verb_prefixes: tuple[str, ...]
    sentiment_words: dict[str, tuple[float, float, float, bool]]  # polarity, subjectivity, intensity, modifier
    negations: frozenset[str]
    modifier_suffix: str  # pattern's ``modifier`` test as textblob-de configures it: w.endswith(suffix)

    @property
    def emoticon_pattern(self) -> str:
        """Pattern's RE_EMOTICONS source (its alternatives in a fixed order; pattern's follows set order)."""
        faces = [face for _, group in self.emoticons for face in group]
        alternatives = "|".join(r" ?".join(map(re.escape, face)) for face in faces)
        return "(" + alternatives + r")($|\s)"


def load(path: Path = DATA_PATH) -> SentimentData:
    """The shipped data (about 0.9 MB of JSON, some 20 ms)."""
    return parse(path.read_bytes(), path)


def parse(content: bytes, origin: Path = DATA_PATH) -> SentimentData:
    """`load` of the data file's ``content`` (read already; ``origin`` names it in errors)."""
    raw = orjson.loads(content)
    if raw.get("format") != FORMAT:
        raise ValueError(f"{origin}: unbekanntes Format {raw.get('format')!r}, erwartet {FORMAT}")
    sentiment = raw["sentiment"]
    return SentimentData(
        german_abbreviations=frozenset(raw["german_abbreviations"]),
        english_punctuation=raw["english_punctuation"],
        english_abbreviations=frozenset(raw["english_abbreviations"]),
        replacements=dict(raw["replacements"]),
        abbreviation_patterns=tuple(raw["abbreviation_patterns"]),
        emoticons=tuple((float(p), tuple(faces)) for _, p, faces in raw["emoticons"]),
        sarcasm_pattern=raw["sarcasm_pattern"],
        number_pattern=raw["number_pattern"],
        tagger_lexicon={w: tag for tag, words in raw["tagger_lexicon"].items() for w in words.split(" ")},
        morphology=tuple(map(tuple, raw["morphology"])),
        context=tuple(map(tuple, raw["context"])),
        stts_to_penn=raw["stts_to_penn"],
        verbs={infinitive: tuple(forms.split(",")) if forms else () for infinitive, forms in raw["verbs"].items()},
        singular_inflections=tuple((a, b) for a, b in raw["singular_inflections"]),
        singular=raw["singular"],
        verb_prefixes=tuple(raw["verb_prefixes"]),
        sentiment_words=dict(zip(sentiment["words"].split(" "), zip(
            sentiment["polarity"], sentiment["subjectivity"], sentiment["intensity"],
            map(bool, sentiment["modifier"]), strict=True), strict=True)),
        negations=frozenset(sentiment["negations"]),
        modifier_suffix=sentiment["modifier_suffix"],
    )


def load_index(path: Path = INDEX_PATH, data: Path | bytes = DATA_PATH) -> frozenset[str]:
    """The shipped index of words with a risky singular or verb rule lemma (see `risky_words`; some 10 ms),
    checked to be built from ``data`` (the data file or its content, read already; the index's first line names
    the data's SHA-256)."""
    header, _, words = path.read_text(encoding="utf-8").partition("\n")
    if header != _index_header(data):
        named = data if isinstance(data, Path) else "den Sentiment-Daten"
        raise ValueError(f"{path} passt nicht zu {named}: `python -m moderation.sentiment_data` ausführen")
    return frozenset(words.split())


def _index_header(data: Path | bytes) -> str:
    """The index's first line: the SHA-256 of the data it was built from (with "\\n" line ends)."""
    content = data.read_bytes() if isinstance(data, Path) else data
    return "#data-sha256 " + hashlib.sha256(content.replace(b"\r\n", b"\n")).hexdigest()


def scorer_words(data: SentimentData) -> frozenset[str]:
    """Every lower-cased word the sentiment scorer reacts to: lexicon words, negations and emoticons."""
    faces = {face.lower() for _, group in data.emoticons for face in group}
    return frozenset(data.sentiment_words).union(data.negations, faces)


def risky_words(data: SentimentData) -> list[str]:
    """The lower-case words (letters and "ß" only) whose singular or verb rule lemma is a word the scorer
    reacts to, or has less than three letters ("ß" spelled "ss"), and those whose singular is listed as an
    exception, sorted: `moderation.sentiment` takes the shortcut for new words only for words outside this
    list. Built from the shipped data alone."""
    from moderation.sentiment_inflect import LETTERS, Singularizer, sources_of, spellings

    targets = {spelling for w in scorer_words(data) if LETTERS.issuperset(w) for spelling in spellings(w)}
    short = [""] + sorted(LETTERS)
    targets |= {a + b for a in short for b in short if len((a + b).replace("ß", "ss")) < 3}
    found = sources_of(targets, Singularizer(data.singular_inflections, data.singular))
    return sorted(found | {w.lower() for w in data.singular})


def build_index(path: Path = INDEX_PATH, data_path: Path = DATA_PATH) -> Path:
    """Write `risky_words` of the data at ``data_path`` to ``path``, one word a line, after a header line
    that names the data (see `load_index`)."""
    path.write_text("\n".join([_index_header(data_path), *risky_words(load(data_path))]) + "\n", encoding="utf-8")
    return path


# -- extraction from the installed textblob-de (build time and tests only) ------------------------------------


def extract() -> dict[str, Any]:
    """The data as JSON-ready values, read from the installed textblob-de (imports it: seconds)."""
    from importlib.metadata import version

    from textblob_de.packages import pattern_de, pattern_text
    from textblob_de.sentiments import sentiment as reference

    pt: Any = pattern_text
    de: Any = pattern_de
    for pattern in (pt.RE_ABBR1, pt.RE_ABBR2, pt.RE_ABBR3, pt.RE_SARCASM, pt.CD):
        if pattern.flags != re.UNICODE:
            raise ValueError(f"unerwartete Regex-Flags in {pattern.pattern!r}")
    verbs = de.inflect.verbs
    infinitive_column = verbs._format[pt.tense_id(de.INFINITIVE)]
    if infinitive_column != 0:
        raise ValueError("pattern's verb table has the infinitive in another column")
    # infinitive -> the forms pattern's inverse table leads to it (a form of several verbs: the last row's)
    rows: dict[str, list[str]] = {infinitive: [] for infinitive in verbs.infinitives}
    for form, infinitive in verbs.inflections.items():
        rows[infinitive].append(form)
    modifiers = tuple(reference.modifiers)
    words = list(reference)
    lexicon: dict[str, list[str]] = {}
    for word, tag in de.parser.lexicon.items():
        lexicon.setdefault(tag, []).append(word)
    parser = de.parser
    return {
        "format": FORMAT,
        "source": {"textblob-de": version("textblob-de")},
        "german_abbreviations": sorted(de.ABBREVIATIONS),
        "english_punctuation": pt.PUNCTUATION,
        "english_abbreviations": sorted(pt.ABBREVIATIONS),
        "replacements": [[a, b] for a, b in pt.replacements.items()],
        "abbreviation_patterns": [p.pattern for p in (pt.RE_ABBR1, pt.RE_ABBR2, pt.RE_ABBR3)],
        "emoticons": [[name, polarity, sorted(faces)] for (name, polarity), faces in pt.EMOTICONS.items()],
        "sarcasm_pattern": pt.RE_SARCASM.pattern,
        "number_pattern": pt.CD.pattern,
        "tagger_lexicon": {tag: _joined(words) for tag, words in lexicon.items()},
        "morphology": [list(r) for r in parser.morphology],
        "context": [list(r) for r in parser.context],
        "stts_to_penn": dict(de.stts),
        "verbs": {infinitive: _joined(forms, ",") if forms else "" for infinitive, forms in rows.items()},
        "singular_inflections": [list(p) for p in de.inflect.singular_inflections],
        "singular": dict(de.inflect.singular),
        "verb_prefixes": list(de.inflect.prefixes),
        "sentiment": {
            "words": _joined(words),
            "polarity": [float(reference[w][None][0]) for w in words],
            "subjectivity": [float(reference[w][None][1]) for w in words],
            "intensity": [float(reference[w][None][2]) for w in words],
            "modifier": [int(any(m in reference[w] for m in modifiers)) for w in words],
            "negations": list(reference.negations),
            "modifier_suffix": _modifier_suffix(reference.modifier),
        },
    }


def _joined(words: list[str], separator: str = " ") -> str:
    """Words joined by ``separator`` (compact to store, quick to load); none may hold it or be empty."""
    if any(not w or separator in w for w in words):
        raise ValueError(f"ein Wort enthält {separator!r} oder ist leer: das kompakte Format passt nicht mehr")
    return separator.join(words)


def _modifier_suffix(modifier: Any) -> str:
    """The suffix of textblob-de's ``modifier=lambda w: w.endswith("...")`` (checked, not assumed)."""
    found = re.search(r"lambda w: w\.endswith\(\"(\w+)\"\)", inspect.getsource(modifier))
    if found is None:
        raise ValueError("textblob-de's sentiment modifier test is no longer a plain suffix test")
    suffix = found.group(1)
    for word in ("ziemlich", "sehr", suffix, "lichter"):
        if bool(modifier(word)) != word.endswith(suffix):
            raise ValueError("textblob-de's sentiment modifier test is no longer a plain suffix test")
    return suffix


def serialize(data: dict[str, Any]) -> bytes:
    """Compact, deterministic JSON (one line per top-level key keeps diffs readable)."""
    lines = [b"{"]
    items = list(data.items())
    for n, (key, value) in enumerate(items):
        comma = b"," if n < len(items) - 1 else b""
        lines.append(orjson.dumps(key) + b":" + orjson.dumps(value) + comma)
    lines.append(b"}")
    return b"\n".join(lines) + b"\n"


def build(path: Path = DATA_PATH) -> Path:
    """Write a fresh extraction to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(serialize(extract()))
    return path


if __name__ == "__main__":
    data_file = build(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_PATH)
    index = build_index(data_file.with_name(INDEX_PATH.name), data_file)
    print(f"geschrieben: {data_file}, {index}")
