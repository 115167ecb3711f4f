"""Urgency class and SLA of a comment from the ordered ladder in ``config/policy.yaml``.

The first class that matches wins. A class matches when one of its ``terms`` starts a word of the
normalised text (and, for ``needs_question`` classes, the comment asks something), or when it takes
``complaints`` and the comment carries a complaint signal. Otherwise a question gets the policy's
``default_question_class`` and everything else its ``default_class``.

Terms are folded with the same :func:`moderation.normalise.normalise` as the text, so "Straßensperrung" in
the YAML matches "STRASSENSPERRUNG" in a comment. "…" inside a term stands for up to four words
("hat … offen"). ``exclude`` lists word starts that contain a term but must not count ("feuerwerk" for
"feuer", "guten morgen" for "morgen"); they are tried first at each position of the same regex, so an
excluded phrase consumes its text. Each class compiles to one regex (see :mod:`moderation.matching`),
plus one over all terms that rejects most comments in a single scan; the ladder is compiled once per
policy object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from moderation.matching import WordStartPattern, matched_text, word_start_locator, word_start_regex
from moderation.normalise import normalise
from store.config import Policy, UrgencyClass

_GAP = re.compile(r"\s*(?:…|\.\.\.)\s*")
_GAP_PATTERN = r"(?: \S+){0,4} "


@dataclass(frozen=True, slots=True)
class UrgencyResult:
    """The urgency class id, its SLA in minutes (None: no answer expected) and the German reasons."""

    class_id: str
    sla_minutes: int | None
    reasons: list[str] = field(default_factory=list)
    fallback: bool = False  # the policy's default class: neither a question nor any configured term


def _fragment(term: str) -> str:
    """Regex fragment of one configured term: folded like the text, "…" as a gap of up to four words."""
    parts = [re.escape(normalise(part)).replace(r"\ ", " ") for part in _GAP.split(term.strip()) if part]
    return _GAP_PATTERN.join(parts)


def _fragments(terms: Sequence[str]) -> list[str]:
    return [_fragment(t) for t in terms if t.strip()]


@dataclass(frozen=True, slots=True)
class _Rung:
    spec: UrgencyClass
    pattern: WordStartPattern | None  # terms at word starts; with exclusions, group "x" marks excluded phrases

    @classmethod
    def compile(cls, spec: UrgencyClass, terms: list[str]) -> _Rung:
        """``terms``: ``_fragments(spec.terms)``."""
        if not terms:
            return cls(spec, None)
        return cls(spec, word_start_regex(terms, excluded=_fragments(spec.exclude)))

    def match(self, padded: str) -> str | None:
        """The first term at a word start of ``padded`` (" " + normalised) outside excluded phrases."""
        if self.pattern is None:
            return None
        found = self.pattern.first_included(padded)  # without exclusions: the first match
        return matched_text(found) if found else None


class UrgencyLadder:
    """The compiled classes of one policy."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        terms = [_fragments(spec.terms) for spec in policy.urgency]
        self.rungs = [_Rung.compile(spec, fragments) for spec, fragments in zip(policy.urgency, terms, strict=True)]
        self._question_default = policy.urgency_class(policy.default_question_class)
        self._default = policy.urgency_class(policy.default_class)
        every_term = [f for fragments in terms for f in fragments]
        self._any_term = word_start_locator(every_term) if every_term else None  # rejects most comments

    def classify(
        self,
        normalised: str,
        is_question: bool,
        complaint_signals: Sequence[str] = (),
        channel_sla: Mapping[str, int] | None = None,
    ) -> UrgencyResult:
        """See :func:`classify_urgency`."""
        padded = " " + normalised
        some_term = self._any_term is not None and self._any_term.search(padded) is not None
        for rung in self.rungs:
            spec = rung.spec
            if spec.needs_question and not is_question:
                continue
            term = rung.match(padded) if some_term else None
            if term is not None:
                return self._result(spec, f"{spec.label}: Begriff „{term}“", channel_sla)
            if spec.complaints and complaint_signals:
                return self._result(spec, f"{spec.label}: {complaint_signals[0]}", channel_sla)
        if is_question:
            spec = self._question_default
            return self._result(spec, f"{spec.label}: Frage ohne besondere Dringlichkeit", channel_sla)
        spec = self._default
        return self._result(spec, f"{spec.label}: weder Frage noch Dringlichkeitsbegriff", channel_sla, fallback=True)

    @staticmethod
    def _result(spec: UrgencyClass, reason: str, channel_sla: Mapping[str, int] | None,
                fallback: bool = False) -> UrgencyResult:
        sla = spec.sla_minutes
        reasons = [reason]
        if channel_sla and spec.id in channel_sla:
            sla = channel_sla[spec.id]
            reasons.append(f"Reaktionsfrist des Kanals: {sla} Minuten")
        return UrgencyResult(spec.id, sla, reasons, fallback)


_LADDERS: dict[int, UrgencyLadder] = {}


def ladder_for(policy: Policy) -> UrgencyLadder:
    """The compiled ladder of ``policy``, compiled once per policy object."""
    ladder = _LADDERS.get(id(policy))
    if ladder is None or ladder.policy is not policy:
        if len(_LADDERS) > 32:
            _LADDERS.clear()
        ladder = _LADDERS[id(policy)] = UrgencyLadder(policy)
    return ladder


def classify_urgency(
    normalised: str,
    is_question: bool,
    complaint_signals: Sequence[str],
    policy: Policy,
    channel_sla: Mapping[str, int] | None = None,
) -> UrgencyResult:
    """Urgency class of a comment: first matching class of the ladder, else the question/default class.

    Args:
        normalised: ``normalise(text)``.
        is_question: from :func:`moderation.questions.detect_question`.
        complaint_signals: German reasons that mark the comment as a complaint without a complaint term
            (e.g. a rhetorical question); empty when there are none.
        policy: the urgency ladder and SLAs.
        channel_sla: per-class SLA overrides of the channel (``ChannelConfig.sla_minutes``).
    """
    return ladder_for(policy).classify(normalised, is_question, complaint_signals, channel_sla)
