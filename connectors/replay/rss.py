"""Feed replay: a channel's posts as RSS 2.0 (``/feed.xml``) or Atom (``/atom.xml``), with conditional GET.

An item's first paragraph becomes the entry title, the rest the HTML description, so the connector's
"title + blank line + summary" gives the item text back. ETag and Last-Modified follow the world's version.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape

from connectors.html import text_to_html
from connectors.replay import register_replay
from connectors.replay.server import ChannelState, PlatformReplay, ReplayRequest, ReplayResponse

_NO_DATE = datetime(2000, 1, 1, tzinfo=UTC)


def _split(text: str) -> tuple[str, str]:
    title, _, rest = text.partition("\n\n")
    return title, rest


def _link(req: ReplayRequest, ext: str, url: str) -> str:
    return url or f"{req.channel_root}/presse/{ext}"


def render_rss(req: ReplayRequest, state: ChannelState) -> bytes:
    cfg = state.config
    entries = []
    for it in state.posts():
        title, rest = _split(it.text)
        description = f"<description>{escape(text_to_html(rest))}</description>" if rest else ""
        entries.append(
            f"<item><title>{escape(title)}</title><link>{escape(_link(req, it.external_id, it.url))}</link>"
            f'<guid isPermaLink="false">{escape(it.external_id)}</guid>'
            f"<pubDate>{format_datetime(it.created_at, usegmt=True)}</pubDate>{description}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(cfg.name)}</title><link>{escape(req.channel_root)}/</link>"
        f"<description>{escape(cfg.name)}</description><language>de-de</language>"
        + "".join(entries) + "</channel></rss>"
    ).encode()


def render_atom(req: ReplayRequest, state: ChannelState) -> bytes:
    posts = state.posts()
    updated = (posts[0].created_at if posts else _NO_DATE).isoformat()
    entries = []
    for it in posts:
        title, rest = _split(it.text)
        summary = f'<summary type="html">{escape(text_to_html(rest))}</summary>' if rest else ""
        entries.append(
            f"<entry><title>{escape(title)}</title><id>{escape(it.external_id)}</id>"
            f'<link href="{escape(_link(req, it.external_id, it.url))}"/>'
            f"<published>{it.created_at.isoformat()}</published><updated>{it.created_at.isoformat()}</updated>"
            f"{summary}</entry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(state.config.name)}</title><id>{escape(req.channel_root)}/</id><updated>{updated}</updated>"
        + "".join(entries) + "</feed>"
    ).encode()


def handle(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    """Serve the feed; answer 304 when the client's validators match."""
    renderers = {"/feed.xml": (render_rss, "application/rss+xml"), "/atom.xml": (render_atom, "application/atom+xml")}
    if req.method != "GET" or req.path not in renderers:
        return ReplayResponse(404, b"Not Found", {"Content-Type": "text/plain"})
    render, content_type = renderers[req.path]
    body = render(req, state)
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    posts = state.posts()
    modified = posts[0].created_at if posts else _NO_DATE
    headers = {"ETag": etag, "Last-Modified": format_datetime(modified.astimezone(UTC), usegmt=True)}
    if_none = req.headers.get("if-none-match")
    if if_none is not None:
        if etag in {t.strip() for t in if_none.split(",")}:
            return ReplayResponse(304, b"", headers)
    elif (since := req.headers.get("if-modified-since")) is not None:
        try:
            if modified.replace(microsecond=0) <= parsedate_to_datetime(since):
                return ReplayResponse(304, b"", headers)
        except (TypeError, ValueError):
            pass
    return ReplayResponse(200, body, headers | {"Content-Type": f"{content_type}; charset=utf-8"})


def auth_error(req: ReplayRequest) -> ReplayResponse:
    """A protected feed refusing a bad key."""
    return ReplayResponse(401, b"Unauthorized",
                          {"Content-Type": "text/plain", "WWW-Authenticate": 'Bearer realm="feed"'})


def malformed(req: ReplayRequest) -> ReplayResponse:
    """A maintenance page instead of the feed: no XML at all."""
    return ReplayResponse(200, b"Wartungsarbeiten \xe2\x80\x93 bitte sp\xc3\xa4ter erneut versuchen {\x00}",
                          {"Content-Type": "application/rss+xml; charset=utf-8"})


def new_id(state: ChannelState, created_at: datetime) -> str:
    n = len(state.items) + 1
    while (candidate := f"pm-{created_at:%Y}-{n:04d}") in state.items:
        n += 1
    return candidate


REPLAY = register_replay(PlatformReplay(
    platform="rss",
    handle=handle,
    auth_error=auth_error,
    malformed=malformed,
    new_id=new_id,
    channel_url=lambda root: f"{root}/feed.xml",
    has_comments=False,
))
