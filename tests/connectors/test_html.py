"""HTML -> plain text: the recorded cases, and Hypothesis: never raises, never leaves a tag, round-trips."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connectors.html import html_to_text, text_to_html

CASES = json.loads((Path(__file__).parent / "fixtures" / "html" / "cases.json").read_text(encoding="utf-8"))["cases"]
# the HTML tokenizer's rule: a tag opens with "<" or "</" followed directly by a letter ("< a>" is text)
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:30] or "leer" for c in CASES])
def test_recorded_cases(case: dict[str, str]) -> None:
    assert html_to_text(case["html"]) == case["text"]


TAGS = ["p", "br", "span", "a", "div", "li", "ul", "script", "style", "b", "img", "pre", "blockquote", "h1"]
WORDS = st.text(alphabet=st.characters(blacklist_characters="<>&", blacklist_categories=("Cs",)), max_size=12)
FRAGMENT = st.lists(
    st.one_of(
        WORDS,
        st.builds(lambda t, attr: f'<{t} class="{attr}">', st.sampled_from(TAGS),
                  WORDS.map(lambda w: w.replace('"', ""))),
        st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
        st.sampled_from(["<br/>", "<!-- x -->", "&amp;", "&uuml;", "&#x27;", "<", ">", "&", "<p", "</"]),
    ),
    max_size=30,
).map("".join)


@given(st.text())
@settings(max_examples=300)
def test_never_raises_on_any_text(markup: str) -> None:
    assert isinstance(html_to_text(markup), str)


@given(FRAGMENT)
@example("<<x></x>b>x")  # a tag reassembled from the pieces around a removed one
@example("<scr<i></i>ipt>alert(1)</script>")
@settings(max_examples=300)
def test_never_leaves_a_tag(markup: str) -> None:
    assert not TAG.search(html_to_text(markup))


PLAIN = st.lists(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1,
                     max_size=8), min_size=1, max_size=4).map(" ".join),
    min_size=1, max_size=4,
).map("\n".join)


@given(st.lists(PLAIN, min_size=1, max_size=3).map("\n\n".join))
@settings(max_examples=200)
def test_text_round_trips_through_html(text: str) -> None:
    assert html_to_text(text_to_html(text)) == text
