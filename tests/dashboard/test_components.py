"""Markdown escaping of dynamic labels (channel names) that end up in markdown elements."""

from __future__ import annotations

from dashboard.components import md_escape


def test_md_escape_neutralises_markup_and_autolinks() -> None:
    assert md_escape("**fett** [x](http://evil.example) <b>") == (
        "\\*\\*fett\\*\\* \\[x\\]\\(http\\:\\/\\/evil\\.example\\) \\<b\\>".replace("\\/", "/"))
    assert md_escape("Mastodon @stadt@social.example") == "Mastodon @\u2060stadt@\u2060social\\.example"
    assert md_escape("Facebook-Seite") == "Facebook\\-Seite"
