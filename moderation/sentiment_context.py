"""Pattern's Brill context rules (the second pass of its German tagger), evaluated lazily.

Pattern tests every context rule on every token. Here a token's final tag is only worked out when the
caller asks for it (`ContextTagger.final_tag`), as the last rule that matches -- exactly the tag pattern
ends up with, because pattern matches a rule against the token's *initial* tag, its left neighbours'
*final* tags and its right neighbours' *initial* tags. Rules are indexed by the neighbour positions they
read, and a left neighbour's tag is only settled when one of its possible tags is actually tested.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class TagSource(Protocol):
    """Initial tags by token index (a list, or tags worked out on first access)."""

    def __getitem__(self, i: int, /) -> str: ...


PAD = "STAART"  # pattern's padding word and tag around a sentence
_CACHE_LIMIT = 200_000

# How each context-rule kind reads its neighbourhood: alternatives (any may hold) of conjunctions of
# (offset, reads_tag, "x" | "y") tests. Tests on the token's own word are left out: rules that fix a
# different word are dropped per word beforehand.
_T, _W = True, False
_KIND_TESTS: dict[str, tuple[tuple[tuple[int, bool, str], ...], ...]] = {
    "prevtag": (((-1, _T, "x"),),), "nexttag": (((1, _T, "x"),),),
    "prev2tag": (((-2, _T, "x"),),), "next2tag": (((2, _T, "x"),),),
    "prev1or2tag": (((-1, _T, "x"),), ((-2, _T, "x"),)),
    "next1or2tag": (((1, _T, "x"),), ((2, _T, "x"),)),
    "prev1or2or3tag": (((-1, _T, "x"),), ((-2, _T, "x"),), ((-3, _T, "x"),)),
    "next1or2or3tag": (((1, _T, "x"),), ((2, _T, "x"),), ((3, _T, "x"),)),
    "surroundtag": (((-1, _T, "x"), (1, _T, "y")),),
    "curwd": ((),),
    "prevwd": (((-1, _W, "x"),),), "nextwd": (((1, _W, "x"),),),
    "prev1or2wd": (((-1, _W, "x"),), ((-2, _W, "x"),)),
    "next1or2wd": (((1, _W, "x"),), ((2, _W, "x"),)),
    "prevwdtag": (((-1, _W, "x"), (-1, _T, "y")),),
    "nextwdtag": (((1, _W, "x"), (1, _T, "y")),),
    "wdprevtag": (((-1, _T, "x"),),),
    "wdnexttag": (((1, _T, "y"),),),
    "wdand2aft": (((2, _W, "y"),),),
    "wdand2tagbfr": (((-2, _T, "x"),),),
    "wdand2tagaft": (((2, _T, "y"),),),
    "lbigram": (((-1, _W, "x"),),),
    "rbigram": (((1, _W, "y"),),),
    "prevbigram": (((-2, _T, "x"), (-1, _T, "y")),),
    "nextbigram": (((1, _T, "x"), (2, _T, "y")),),
    # next1or2or3wd / prev1or2or3wd are listed by pattern but never tested by it: they never fire.
}
# Kinds that also fix the current word (x or y must equal it).
_CURRENT_WORD = {
    "curwd": "x", "wdprevtag": "y", "wdnexttag": "x", "wdand2aft": "x", "wdand2tagbfr": "y",
    "wdand2tagaft": "x", "lbigram": "y", "rbigram": "x",
}


@dataclass(frozen=True, slots=True)
class ContextRule:
    """One Brill context rule: a token tagged ``tag1`` becomes ``tag2`` when the condition holds."""

    tag1: str
    tag2: str
    kind: str
    x: str
    y: str


# One group of rule tests over the same neighbour positions:
# (positions, test values -> last rule index, the values tested at each position).
_Positions = tuple[tuple[int, bool], ...]
_Group = tuple[_Positions, dict[Any, int], tuple[frozenset[str], ...]]
_MAX_DEPTH = 40  # beyond this, settle left neighbours in a loop instead of recursively


@dataclass(frozen=True, slots=True)
class _Candidates:
    """The context rules that may fire on one (word, initial tag), indexed for a quick last-match search."""

    tags: tuple[str, ...]  # tag2 of each candidate rule, by rule index
    possible: frozenset[str]  # the initial tag and every tag2
    always: int  # index of the last rule without neighbour tests (-1: none)
    groups: tuple[_Group, ...]
    reach: int  # how many tokens to the left the rules read final tags from


_WORD, _TAG, _LEFT_TAG, _ALWAYS = 0, 1, 2, 3


def _test_cost(test: tuple[int, bool, str]) -> int:
    offset, reads_tag, _ = test
    return 0 if not reads_tag else 1 if offset > 0 else 2


@dataclass(frozen=True, slots=True)
class Retagging:
    """Context rules that would move a token to other tags, with a quick pre-check.

    ``triggers``: (offset, what is read, values); a rule can only fire when at least one holds.
    """

    triggers: tuple[tuple[int, int, frozenset[str]], ...]
    rules: _Candidates


def _retagging(tag: str, rules: Sequence[ContextRule]) -> Retagging:
    triggers: dict[tuple[int, int], set[str]] = {}
    for r in rules:
        for tests in _KIND_TESTS.get(r.kind, ()):
            if not tests:
                triggers[(0, _ALWAYS)] = set()
                continue
            # One test per alternative is enough to rule it out: take the cheapest to check.
            offset, reads_tag, which = min(tests, key=_test_cost)
            kind = _LEFT_TAG if reads_tag and offset < 0 else _TAG if reads_tag else _WORD
            triggers.setdefault((offset, kind), set()).add(r.x if which == "x" else r.y)
    return Retagging(
        tuple((offset, kind, frozenset(values)) for (offset, kind), values in triggers.items()),
        _index_rules(tag, rules),
    )


def _index_rules(tag: str, rules: Sequence[ContextRule]) -> _Candidates:
    always = -1
    tables: dict[_Positions, dict[Any, int]] = {}
    reach = 0
    for index, r in enumerate(rules):  # in pattern's order: a later match overrides an earlier one
        for tests in _KIND_TESTS.get(r.kind, ()):
            if not tests:
                always = index
                continue
            tests = tuple(sorted(tests, key=_test_cost))  # cheap tests first: they can fail early
            positions = tuple((offset, reads_tag) for offset, reads_tag, _ in tests)
            values = tuple(r.x if which == "x" else r.y for _, _, which in tests)
            tables.setdefault(positions, {})[values[0] if len(values) == 1 else values] = index
            reach = max([reach, *(-offset for offset, reads_tag in positions if reads_tag)])
    groups = tuple(
        (positions, table, tuple(frozenset(_component(key, k, len(positions)) for key in table)
                                 for k in range(len(positions))))
        for positions, table in tables.items()
    )
    tags = tuple(r.tag2 for r in rules)
    return _Candidates(tags, frozenset((tag, *tags)), always, groups, reach)


def _component(key: Any, k: int, size: int) -> str:
    return str(key[k]) if size > 1 else str(key)



class ContextRules:
    """Pattern's context rules, indexed per (word, initial tag)."""

    def __init__(self, rows: Sequence[Sequence[str]]) -> None:
        self._context = tuple(
            ContextRule(r[0], r[1], r[2].lower(), r[3], r[4] if len(r) > 4 else "") for r in rows
        )
        self._word_rules = frozenset(
            r.x if _CURRENT_WORD[r.kind] == "x" else r.y for r in self._context if r.kind in _CURRENT_WORD
        )
        # Rule indices by the tag they start from ("*": any), so a (word, tag) only looks at its own.
        by_tag: dict[str, list[int]] = {}
        for index, r in enumerate(self._context):
            by_tag.setdefault(r.tag1, []).append(index)
        self._by_tag1 = by_tag
        self._candidates: dict[tuple[str | None, str], _Candidates] = {}
        self._towards: dict[tuple[str | None, str, frozenset[str]], Retagging] = {}

    def possible_tags(self, word: str, tag: str) -> frozenset[str]:
        """Every tag the context rules could give a token with this word and initial tag."""
        return self._candidates_for(word, tag).possible

    def _candidates_for(self, word: str, tag: str) -> _Candidates:
        key = (self._rule_word(word), tag)
        found = self._candidates.get(key)
        if found is None:
            found = self._candidates[key] = _index_rules(tag, self._rules_for(key[0], tag))
        return found

    def _rule_word(self, word: str) -> str | None:
        """``word`` if some context rule names it as the current word, else None: then the candidate
        rules depend on the tag alone and are shared by all such words."""
        return word if word in self._word_rules else None

    def _rules_for(self, word: str | None, tag: str) -> list[ContextRule]:
        rules = []
        indices = sorted(self._by_tag1.get(tag, []) + (self._by_tag1.get("*", []) if tag != "*" else []))
        for r in map(self._context.__getitem__, indices):  # in pattern's order
            fixed = _CURRENT_WORD.get(r.kind)
            if fixed is not None and (r.x if fixed == "x" else r.y) != word:
                continue
            rules.append(r)
        return rules

    def candidates_towards(self, word: str, tag: str, targets: frozenset[str]) -> _Candidates:
        """The candidate rules of a (word, initial tag) that retag it to one of ``targets``."""
        return self.rules_towards(word, tag, targets).rules

    def rules_towards(self, word: str, tag: str, targets: frozenset[str]) -> Retagging:
        """The context rules that could retag this (word, initial tag) to one of ``targets``."""
        key = (self._rule_word(word), tag, targets)
        found = self._towards.get(key)
        if found is None:
            if len(self._towards) > _CACHE_LIMIT:
                self._towards.clear()
            found = self._towards[key] = _retagging(tag, [r for r in self._rules_for(key[0], tag) if r.tag2 in targets])
        return found

    def may_retag(self, i: int, words: Sequence[str], tags: TagSource, retagging: Retagging) -> bool:
        """Cheap necessary condition for one of ``retagging``'s rules to fire on token ``i``."""
        n = len(words)
        for offset, kind, values in retagging.triggers:
            if kind == _ALWAYS:
                return True
            j = i + offset
            if j < 0 or j >= n:
                if PAD in values:
                    return True
            elif kind == _WORD:
                if words[j] in values:
                    return True
            elif kind == _TAG:
                if tags[j] in values:
                    return True
            elif not self._candidates_for(words[j], tags[j]).possible.isdisjoint(values):
                return True
        return False

    def context(self, words: Sequence[str], tags: TagSource) -> ContextTagger:
        """Lazy final tags for one sentence (``words`` as the tagger sees them, their initial tags)."""
        return ContextTagger(self, words, tags)


class ContextTagger:
    """Final (context-rule) tags of one sentence, computed on demand and memoised."""

    def __init__(self, rules: ContextRules, words: Sequence[str], tags: TagSource) -> None:
        self._rules = rules
        self._words = words
        self._initial = tags
        self._final: list[str | None] = [None] * len(words)
        self._cands: list[_Candidates | None] = [None] * len(words)
        self._known_in: dict[tuple[int, frozenset[str]], bool] = {}  # memo of `_final_in`

    def _candidates(self, i: int) -> _Candidates:
        found = self._cands[i]
        if found is None:
            found = self._cands[i] = self._rules._candidates_for(self._words[i], self._initial[i])
        return found

    def any_fires(self, i: int, rules: _Candidates) -> bool:
        """Whether any of ``rules`` (a subset of token ``i``'s candidates) matches token ``i``."""
        if rules.always >= 0:
            return True
        for positions, table, tested in rules.groups:
            if len(positions) == 1:
                if self._is_one_of(i, *positions[0], tested[0]):
                    return True
            elif all(self._is_one_of(i, o, t, v) for (o, t), v in zip(positions, tested, strict=True)):
                key = tuple(self._value(i, o, t, v, 0) for (o, t), v in zip(positions, tested, strict=True))
                if key in table:
                    return True
        return False

    def _is_one_of(self, i: int, offset: int, reads_tag: bool, values: frozenset[str]) -> bool:
        """Whether the word/tag ``offset`` away from token ``i`` is one of ``values`` (see `_value`)."""
        j = i + offset
        if j < 0 or j >= len(self._words):
            return PAD in values
        if not reads_tag:
            return self._words[j] in values
        if offset > 0:
            return self._initial[j] in values
        found = self._final[j]
        return found in values if found is not None else self._final_in(j, values, 1)

    def final_tag(self, i: int, depth: int = 0) -> str:
        """The STTS tag pattern's context rules leave on token ``i``."""
        tag = self._final[i]
        if tag is None:
            if depth > _MAX_DEPTH:
                self._settle_left_of(i)
            cands = self._candidates(i)
            best = self._last_match(i, cands, depth)
            tag = self._final[i] = cands.tags[best] if best >= 0 else self._initial[i]
        return tag

    def _final_in(self, j: int, tags: frozenset[str], depth: int) -> bool:
        """Whether token ``j``'s final tag is one of ``tags``, checking only the rules that matter.

        From an initial tag outside ``tags`` the answer is no unless a rule towards ``tags`` fires;
        from one inside, yes unless a rule away from ``tags`` fires. Only then the full evaluation.
        """
        cands = self._candidates(j)
        possible = cands.possible
        if possible.isdisjoint(tags):
            return False
        initial = self._initial[j]
        inside = initial in tags
        if inside and possible <= tags:
            return True
        key = (j, tags)
        known = self._known_in.get(key)
        if known is None:
            others = tags if not inside else possible - tags
            towards = self._rules.candidates_towards(self._words[j], initial, others)
            if self._last_match(j, towards, depth) < 0:
                known = inside
            else:
                known = self.final_tag(j, depth) in tags
            self._known_in[key] = known
        return known

    def _settle_left_of(self, i: int) -> None:
        """Compute, in sentence order, every left neighbour whose final tag token ``i`` may read."""
        final = self._final
        low = i - self._candidates(i).reach
        k = i - 1
        while k >= low and k >= 0:
            if final[k] is None:
                low = min(low, k - self._candidates(k).reach)
            k -= 1
        for k in range(max(low, 0), i):
            self.final_tag(k)  # its own left neighbours are settled by now: no recursion

    def _last_match(self, i: int, cands: _Candidates, depth: int) -> int:
        """Index of the last rule in ``cands`` that matches token ``i`` (-1: none)."""
        best = cands.always
        for positions, table, tested in cands.groups:
            if len(positions) == 1:
                offset, reads_tag = positions[0]
                key: Any = self._value(i, offset, reads_tag, tested[0], depth)
                if key is None:
                    continue
            else:
                values = []
                for (offset, reads_tag), allowed in zip(positions, tested, strict=True):
                    value = self._value(i, offset, reads_tag, allowed, depth)
                    if value is None:
                        break
                    values.append(value)
                else:
                    key = tuple(values)
                if len(values) < len(positions):
                    continue
            index = table.get(key, -1)
            if index > best:
                best = index
        return best

    def _value(self, i: int, offset: int, reads_tag: bool, tested: frozenset[str], depth: int) -> str | None:
        """Word or tag ``offset`` tokens away from token ``i`` as pattern's rules see it (final tags on
        the left, initial tags on the right), or None when it cannot be one of the ``tested`` values.

        A left neighbour's final tag is only worked out when one of its possible tags is tested.
        """
        j = i + offset
        if j < 0 or j >= len(self._words):
            value = PAD
        elif not reads_tag:
            value = self._words[j]
        elif offset > 0:
            value = self._initial[j]
        else:
            found = self._final[j]
            if found is None:
                if depth <= _MAX_DEPTH and not self._final_in(j, tested, depth + 1):
                    return None
                found = self.final_tag(j, depth + 1)
            value = found
        return value if value in tested else None
