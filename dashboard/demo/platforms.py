"""How each platform spells ids, links and authors, so the demo data looks like what the connectors store.

Mastodon ids are snowflakes (milliseconds << 16), Bluesky record keys are TIDs (microseconds << 10, base32
sortable), Facebook posts are ``{page}_{post}`` and comments ``{post}_{comment}``, Instagram uses 17/18-digit
numbers, YouTube 11-character video ids and ``Ug…4AaABAg`` comment-thread ids, the press feed its article URLs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from random import Random
from urllib.parse import urlsplit

from store.config import ChannelConfig

_B32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
_B64_URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_DID_CHARS = "abcdefghijklmnopqrstuvwxyz234567"


@dataclass(frozen=True, slots=True)
class Author:
    """A citizen (or the town) as one platform shows them."""

    id: str
    name: str  # what the platform shows: "Anna Schmidt", "anna.schmidt92", "@ruhrpottkind"
    handle: str  # how to mention them ("" where a platform has no mentions)
    first: str
    last: str
    gender: str  # "f", "m" or "" (unknown: nick names)
    style: str  # writing style, see grammar.Roughener


@dataclass(frozen=True, slots=True)
class Ref:
    """The external id and link of one new item."""

    external_id: str
    url: str


def ascii_slug(text: str) -> str:
    """``"Straßenfest in Süd"`` -> ``"strassenfest-in-sued"`` (for URLs and nick names)."""
    text = text.lower().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _digits(rng: Random, n: int) -> str:
    return str(rng.randint(10 ** (n - 1), 10**n - 1))


def _chars(rng: Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


class Platform:
    """Ids, links and author names of one channel. Subclasses override what differs per platform."""

    def __init__(self, channel: ChannelConfig, municipality: str) -> None:
        self.channel = channel
        self.municipality = municipality
        self._used: set[str] = set()

    def own_author(self) -> Author:
        own_id = self.channel.account_id or self.channel.handle or self.channel.id
        return Author(own_id, f"Stadt {self.municipality}", self.channel.handle, "", "", "", "sorgfältig")

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self._used:
                self._used.add(value)
                return value

    # -- citizens ---------------------------------------------------------------------------
    def citizen(self, rng: Random, first: str, last: str, gender: str, style: str, nick: str) -> Author:
        """A citizen's account on this platform (default: shows the real name, like Facebook)."""
        ident = self._unique(lambda: _digits(rng, 16))
        return Author(ident, f"{first} {last}", "", first, last, gender, style)

    # -- items ------------------------------------------------------------------------------
    def post(self, rng: Random, at: datetime, title: str) -> Ref:
        raise NotImplementedError

    def comment(self, rng: Random, at: datetime, post: Ref, parent: Ref | None, author: Author) -> Ref:
        """A comment on ``post``; ``parent`` is the comment it answers (None: top level)."""
        raise NotImplementedError


class Rss(Platform):
    def post(self, rng: Random, at: datetime, title: str) -> Ref:
        parts = urlsplit(self.channel.base_url or "https://www.musterstadt.de/presse/rss.xml")
        base = f"{parts.scheme}://{parts.netloc}/presse/{at:%Y/%m}/{ascii_slug(title)[:80]}"
        url = base
        counter = 1
        while url in self._used:
            counter += 1
            url = f"{base}-{counter}"
        self._used.add(url)
        return Ref(url, url)


class Mastodon(Platform):
    instances = ("mastodon.social", "chaos.social", "nrw.social", "ruhr.social", "norden.social",
                 "mastodon.online", "det.social", "troet.cafe")  # fmt: skip

    def _base(self) -> str:
        return (self.channel.base_url or "https://social.musterstadt.de").rstrip("/")

    def own_author(self) -> Author:
        own = super().own_author()
        return Author(own.id, own.name, self.channel.handle or "stadt", "", "", "", own.style)

    def citizen(self, rng: Random, first: str, last: str, gender: str, style: str, nick: str) -> Author:
        ident = self._unique(lambda: str(rng.randint(1_577_836_800_000, 1_735_689_600_000) << 16))
        acct = nick if rng.random() < 0.35 else f"{nick}@{rng.choice(self.instances)}"  # local users: no domain
        display = rng.choice((f"{first} {last[:1]}.", first, nick, f"{first} {last}", f"{first} 🌻"))
        return Author(ident, display, acct, first, last, gender, style)

    def _snowflake(self, rng: Random, at: datetime) -> str:
        return self._unique(lambda: str((int(at.timestamp() * 1000) << 16) | rng.getrandbits(16)))

    def post(self, rng: Random, at: datetime, title: str) -> Ref:
        ident = self._snowflake(rng, at)
        return Ref(ident, f"{self._base()}/@{self.channel.handle or 'stadt'}/{ident}")

    def comment(self, rng: Random, at: datetime, post: Ref, parent: Ref | None, author: Author) -> Ref:
        ident = self._snowflake(rng, at)
        return Ref(ident, f"{self._base()}/@{author.handle}/{ident}")


class Bluesky(Platform):
    def _tid(self, rng: Random, at: datetime) -> str:
        def make() -> str:
            value = (int(at.timestamp() * 1_000_000) << 10) | rng.getrandbits(10)
            return "".join(_B32_SORTABLE[(value >> (5 * i)) & 31] for i in reversed(range(13)))

        return self._unique(make)

    def own_author(self) -> Author:
        own = super().own_author()
        return Author(own.id, own.name, self.channel.handle or "musterstadt.de", "", "", "", own.style)

    def citizen(self, rng: Random, first: str, last: str, gender: str, style: str, nick: str) -> Author:
        did = self._unique(lambda: "did:plc:" + _chars(rng, _DID_CHARS, 24))
        handle = f"{nick.replace('_', '-').replace('.', '-')}.bsky.social"
        return Author(did, handle, handle, first, last, gender, style)

    def _ref(self, rng: Random, at: datetime, did: str, handle: str) -> Ref:
        rkey = self._tid(rng, at)
        return Ref(f"at://{did}/app.bsky.feed.post/{rkey}", f"https://bsky.app/profile/{handle}/post/{rkey}")

    def post(self, rng: Random, at: datetime, title: str) -> Ref:
        own = self.own_author()
        return self._ref(rng, at, own.id, own.handle)

    def comment(self, rng: Random, at: datetime, post: Ref, parent: Ref | None, author: Author) -> Ref:
        return self._ref(rng, at, author.id, author.handle or author.id)


class Facebook(Platform):
    def _page(self) -> str:
        return self.channel.account_id or "104857600123456"

    def post(self, rng: Random, at: datetime, title: str) -> Ref:
        num = self._unique(lambda: _digits(rng, 16))
        page_url = f"https://www.facebook.com/{self.channel.handle or self._page()}"
        return Ref(f"{self._page()}_{num}", f"{page_url}/posts/{num}")

    def comment(self, rng: Random, at: datetime, post: Ref, parent: Ref | None, author: Author) -> Ref:
        post_num = post.external_id.rsplit("_", 1)[-1]
        num = self._unique(lambda: _digits(rng, 16))
        base = post.url.split("?", 1)[0]
        if parent is None:
            return Ref(f"{post_num}_{num}", f"{base}?comment_id={num}")
        parent_num = parent.external_id.rsplit("_", 1)[-1]
        return Ref(f"{post_num}_{num}", f"{base}?comment_id={parent_num}&reply_comment_id={num}")


class Instagram(Platform):
    def citizen(self, rng: Random, first: str, last: str, gender: str, style: str, nick: str) -> Author:
        ident = self._unique(lambda: "178414" + _digits(rng, 11))
        return Author(ident, nick, nick, first, last, gender, style)

    def post(self, rng: Random, at: datetime, title: str) -> Ref:
        ident = self._unique(lambda: "179" + _digits(rng, 15))
        shortcode = _chars(rng, _B64_URL, 11)
        return Ref(ident, f"https://www.instagram.com/p/{shortcode}/")

    def comment(self, rng: Random, at: datetime, post: Ref, parent: Ref | None, author: Author) -> Ref:
        ident = self._unique(lambda: "178" + _digits(rng, 14))
        if parent is None:
            return Ref(ident, f"{post.url}c/{ident}/")
        return Ref(ident, f"{post.url}c/{parent.external_id}/r/{ident}/")


class YouTube(Platform):
    def citizen(self, rng: Random, first: str, last: str, gender: str, style: str, nick: str) -> Author:
        ident = self._unique(lambda: "UC" + _chars(rng, _B64_URL, 21) + rng.choice("AQgw"))
        handle = "@" + nick.replace(".", "")
        return Author(ident, handle, handle, first, last, gender, style)

    def post(self, rng: Random, at: datetime, title: str) -> Ref:
        vid = self._unique(lambda: _chars(rng, _B64_URL, 10) + rng.choice("AEIMQUYcgkosw048"))
        return Ref(vid, f"https://www.youtube.com/watch?v={vid}")

    def comment(self, rng: Random, at: datetime, post: Ref, parent: Ref | None, author: Author) -> Ref:
        if parent is None:
            ident = self._unique(lambda: "Ug" + rng.choice("wxyz") + _chars(rng, _B64_URL, 16) + "4AaABAg")
        else:
            ident = self._unique(lambda: f"{parent.external_id}.{_chars(rng, _B64_URL, 22)}")
        return Ref(ident, f"{post.url}&lc={ident}")


PLATFORMS: dict[str, type[Platform]] = {
    "rss": Rss, "mastodon": Mastodon, "bluesky": Bluesky, "facebook": Facebook, "instagram": Instagram,
    "youtube": YouTube,
}  # fmt: skip
