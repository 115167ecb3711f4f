"""HTML to plain text for every connector (Mastodon ``content``, feed summaries), and plain text back to HTML.

Block elements become paragraphs (a blank line), ``<br>`` a line break, list items lines; whitespace inside
text collapses as a browser would; script/style content is dropped; entities are decoded. The result never
contains markup — what looks like a tag in it was text escaped in the source.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCKS = frozenset({
    "p", "div", "section", "article", "header", "footer", "blockquote", "pre", "ul", "ol", "dl", "table",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure", "figcaption", "address", "aside", "main", "nav",
})
_LINES = frozenset({"li", "tr", "dt", "dd"})
_SKIP = frozenset({"script", "style", "template", "head", "title", "noscript"})
_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_PARA = "\x00P"  # paragraph break marker
_LINE = "\x00L"  # line break marker


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.parts.append(_LINE)
        elif tag in _BLOCKS:
            self.parts.append(_PARA)
            self.pre += tag == "pre"
        elif tag in _LINES:
            self.parts.append(_LINE)
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            self.parts.append(_PARA)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag in _LINES:
            self.parts.append(_LINE)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            self.parts.append(data.replace("\n", _LINE))
        else:
            self.parts.append(_SPACE.sub(" ", data))


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: paragraphs separated by a blank line, ``<br>`` as a newline."""
    if "<" not in markup and "&" not in markup:
        return _tidy(_SPACE.sub(" ", markup))
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return _tidy("".join(collector.parts))


def _tidy(flat: str) -> str:
    paragraphs = []
    for para in flat.split(_PARA):
        lines = [_SPACE.sub(" ", line).strip() for line in para.split(_LINE)]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        if lines:
            paragraphs.append("\n".join(lines))
    # a stray '<' that the parser kept as text (e.g. "a <b" at the end) must not look like a tag
    return "\n\n".join(paragraphs).replace("\x00", "")


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs (``<p>``) with ``<br />`` line breaks: the inverse of :func:`html_to_text`."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "".join("<p>" + "<br />".join(html.escape(line, quote=False) for line in p.split("\n")) + "</p>"
                   for p in paragraphs)
