"""The shortcut of html_to_text for Mastodon's markup gives exactly the general path's text, on the recorded cases,
on the statuses of every Mastodon fixture and on generated markup made of the shortcut's tags and near misses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connectors.html import _general, html_to_text

FIXTURES = Path(__file__).parent / "fixtures"


def _contents(node: Any) -> Iterator[str]:
    """Every ``content`` string anywhere in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "content" and isinstance(value, str):
                yield value
            else:
                yield from _contents(value)
    elif isinstance(node, list):
        for value in node:
            yield from _contents(value)


RECORDED = [c["html"] for c in json.loads((FIXTURES / "html" / "cases.json").read_text(encoding="utf-8"))["cases"]]
MASTODON = sorted({c for path in [*(FIXTURES / "mastodon").glob("*.json"), *(FIXTURES / "real_shapes" / "mastodon")
                                  .glob("*.json")] for c in _contents(json.loads(path.read_text(encoding="utf-8")))})


def test_the_fixtures_hold_mastodon_markup_with_links_and_mentions() -> None:
    assert len(MASTODON) >= 5 and any('<span class="h-card"' in c for c in MASTODON)


@pytest.mark.parametrize("markup", RECORDED + MASTODON)
def test_recorded_markup_reads_the_same_on_both_paths(markup: str) -> None:
    assert html_to_text(markup) == _general(markup)


TOKENS = st.sampled_from([
    "<p>", "</p>", "<br>", "<br/>", "<br />", "<br >", "</a>", "</span>", "<span>", '<span class="h-card">',
    '<a href="https://social.example/@stadt" class="u-url mention" rel="nofollow noopener">', '<span class="">',
    # near misses: other tags, odd quoting, broken tags, entities, NUL, whitespace
    "<abbr>", "<aside>", "<spanx>", "<li>", "<a href='x'>", '<a href="x>y">', '<a title="a<b">', "<a", "<", ">",
    "<P>", "</p >",
    "<pre>", "<b>", "<br  />", "<!-- x -->", "&amp;", "&lt;p&gt;", "&uuml;", "&", "\x00", " ", "\n", "\t", '"', "'",
])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6)
MARKUP = st.lists(st.one_of(TOKENS, TEXT), max_size=25).map("".join)


@given(MARKUP)
@example("<<a>p>")  # a tag that only forms once another is cut out
@example("<a</a> x>")
@example("Rathaus<aside>Bürgerbüro<abbr>BB</abbr>")  # tags that only start like <a>
@example("<p>AT&T</p><p>&amp</p>")
@example("<span>\x00</span>")
@settings(max_examples=600, deadline=None)
def test_generated_markup_reads_the_same_on_both_paths(markup: str) -> None:
    assert html_to_text(markup) == _general(markup)
