"""The triage pipeline end to end, with a stub abuse model so the stages' glue is tested on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from moderation.abuse import AbuseResult
from moderation.pipeline import ANALYSIS_CHARS, Triager, TriageResult, plain_text
from store.config import Policy, load_model
from tests.corpus import tweet_texts

POLICY = load_model(Path(__file__).resolve().parents[2] / "config" / "policy.yaml", Policy)


class StubAbuse:
    """Flags "idiot"; records what it was asked, so the test sees what the pipeline hands over."""

    version = "stub-1"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def assess(self, text: str, normalised: str | None = None, *, features: bool = True) -> AbuseResult:
        self.calls.append((text, normalised))
        if normalised and "idiot" in normalised:
            return AbuseResult(True, 0.9, ["insult"], {"terms": ["idiot"]}, ["§ 185 StGB"],
                               ["Beleidigung: „idiot“"])
        return AbuseResult(False, 0.1)


@pytest.fixture(scope="module")
def triager() -> Triager:
    return Triager(POLICY, StubAbuse())


def test_question_with_deadline(triager: Triager) -> None:
    result = triager.triage("Hat das Bürgerbüro morgen offen?")
    assert (result.is_question, result.urgency, result.sla_minutes) == (True, "frist", 240)
    assert not result.abusive and result.pii == []
    assert any("Fragewort" in r or "Verb am Satzanfang" in r for r in result.reasons)


def test_abuse_fields_and_reasons_come_from_the_model(triager: Triager) -> None:
    result = triager.triage("Du Idiot!")
    assert result.abusive and result.abuse_score == 0.9 and result.abuse_categories == ["insult"]
    assert result.criminal_hint == ["§ 185 StGB"] and result.evidence == {"terms": ["idiot"]}
    assert "Beleidigung: „idiot“" in result.reasons
    assert result.urgency == "info"


@pytest.mark.parametrize("text", ["Du Idiot!", "Ruft Herrn Maier an: 0171 2345678"])
def test_a_flag_is_not_contradicted_by_no_action(triager: Triager, text: str) -> None:
    """An abusive or data-leaking comment without question or urgent term: no "Keine Aktion" beside the flag."""
    result = triager.triage(text)
    assert result.urgency == "info" and (result.abusive or result.pii)
    assert not any(r.startswith("Keine Aktion") for r in result.reasons), result.reasons
    assert triager.triage("Schöne Bilder vom Stadtfest").reasons == [
        "Keine Aktion: weder Frage noch Dringlichkeitsbegriff"]


def test_rhetorical_question_is_a_complaint(triager: Triager) -> None:
    result = triager.triage("Wie dumm kann man sein?")
    assert not result.is_question and result.urgency == "beschwerde"
    assert any("Rhetorische" in r for r in result.reasons)


def test_pii_spans_index_the_original_text_through_html(triager: Triager) -> None:
    text = "<p>Ruft M&uuml;ller an: <b>0170 1234567</b></p> oder &lt;mail&gt; m@example.org"
    result = triager.triage(text)
    spans = {str(p["kind"]): text[int(str(p["start"])) : int(str(p["end"]))] for p in result.pii}
    assert spans == {"phone": "0170 1234567", "email": "m@example.org"}
    assert any("Personenbezogene Daten (Telefonnummer, E-Mail-Adresse)" in r for r in result.reasons)


def test_plain_text_masks_tags_and_maps_entities() -> None:
    plain, offsets = plain_text("<p>Hallo</p>")
    assert offsets is None and len(plain) == len("<p>Hallo</p>") and "Hallo" in plain and "<" not in plain
    plain, offsets = plain_text("a&amp;b")
    assert plain == "a&b" and offsets == [0, 1, 6, 7]


def test_long_text_is_capped_but_pii_found_everywhere(triager: Triager) -> None:
    stub = triager.abuse
    assert isinstance(stub, StubAbuse)
    text = "Wann kommt die Müllabfuhr? " + "Bla bla. " * 11_000 + "Meine Nummer: 0170 1234567"
    assert len(text) > 100_000 - 1000
    result = triager.triage(text)
    assert result.is_question and result.urgency == "frist"
    assert any(p["kind"] == "phone" for p in result.pii)
    assert len(stub.calls[-1][0]) <= ANALYSIS_CHARS
    assert any("Sehr langer Text" in r for r in result.reasons)


def test_channel_sla_override(triager: Triager) -> None:
    assert triager.triage("Hat das Bürgerbüro morgen offen?", {"frist": 30}).sla_minutes == 30


def test_empty_and_odd_text_still_gets_a_result(triager: Triager) -> None:
    for text in ("", " ", "???", "\u200b\u200b", "🙂" * 50, "<script>alert(1)</script>"):
        result = triager.triage(text)
        assert isinstance(result, TriageResult) and result.urgency in {u.id for u in POLICY.urgency}


def test_version_names_pipeline_and_model(triager: Triager) -> None:
    assert triager.version == "triage-1+stub-1"


def test_as_json_has_exactly_the_batch_fields(triager: Triager) -> None:
    data = triager.triage("Seit Wochen ist die Ampel kaputt.").as_json()
    assert set(data) == {"is_question", "urgency", "sla_minutes", "abusive", "abuse_score", "abuse_categories",
                         "criminal_hint", "pii", "sentiment", "reasons"}
    assert data["urgency"] == "beschwerde" and data["sla_minutes"] == 480
    assert isinstance(data["sentiment"], float) and -1 <= data["sentiment"] <= 1


@pytest.mark.parametrize(
    ("text", "urgency"),
    [("Hallo", "info"), ("Hallo!", "info"), ("Hallo zusammen", "info"), ("Hallo?!", "beschwerde"),
     ("Hallo?! Geht es noch?", "beschwerde")],
)
def test_a_greeting_is_no_complaint(triager: Triager, text: str, urgency: str) -> None:
    """ "Hallo" greets; only the exasperated "Hallo?!" is a retort that the queue treats as a complaint."""
    assert triager.triage(text).urgency == urgency


def test_a_batch_gives_each_comment_the_result_it_gets_alone() -> None:
    """Stage by stage over many comments (with the real abuse model, flagged ones with evidence, per-comment
    channel SLAs) equals comment by comment: no stage leaks state from one comment into another."""
    from moderation.abuse import AbuseModel

    fixtures = Path(__file__).parent / "fixtures"
    texts = tweet_texts(step=25)
    texts += [c["text"] for c in yaml.safe_load((fixtures / "abuse_comments.yaml").read_text(encoding="utf-8"))]
    texts += ["", "<p>Wann &amp; wo?</p>", "Du Idiot!", "x" * (ANALYSIS_CHARS + 500)]
    slas = [{"frage": 60} if i % 3 == 0 else None for i in range(len(texts))]
    model = AbuseModel.load()
    batched = Triager(POLICY, model).triage_batch(texts, slas)
    alone = Triager(POLICY, AbuseModel.load())
    assert batched == [alone.triage(text, sla) for text, sla in zip(texts, slas, strict=True)]
    assert sum(r.abusive for r in batched) > 20 and any(r.evidence.get("features") for r in batched)
