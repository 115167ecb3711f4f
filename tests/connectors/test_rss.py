"""RSS/Atom: parsing recorded feed shapes, bozo feeds, non-feeds, conditional GET against the replay server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from connectors.errors import SourceFormatError
from connectors.replay import Fault, ReplayServer
from connectors.rss import parse_feed
from connectors.sync import sync_channel
from store.channels import sync_channels
from store.config import ChannelConfig
from store.models import Item, ItemKind
from store.schema import item
from tests.connectors.conftest import fast_client

FEEDS = Path(__file__).parent / "fixtures" / "rss"
NOW = datetime(2026, 5, 6, 12, tzinfo=UTC)


def _parse(name: str) -> tuple[list[Item], list[str]]:
    return parse_feed((FEEDS / name).read_bytes(), "presse", author_id="stadt", now=NOW)


def test_press_release_feed() -> None:
    items, warnings = _parse("presse.xml")
    assert warnings == []
    assert [i.external_id for i in items] == ["pm-2026-0040", "https://www.musterstadt.de/presse/brueckenstrasse"]
    first = items[0]
    assert first.text == ("Freibad öffnet am 15. Mai\n\nDas Freibad öffnet am 15. Mai.\n\n"
                          "Saisonkarten gibt es im Bürgerbüro.")
    assert first.created_at == datetime(2026, 5, 4, 7, 30, tzinfo=UTC)
    assert (first.kind, first.is_own_account, first.author_id) == (ItemKind.POST, True, "stadt")
    assert first.url == "https://www.musterstadt.de/presse/freibad-2026"
    assert items[1].text.endswith("Wegen Bauarbeiten & Leitungsverlegung ist die Brückenstraße gesperrt.")


def test_mastodon_user_rss_without_titles() -> None:
    (entry,), _ = _parse("mastodon_user.rss")
    assert entry.external_id == "https://social.musterstadt.de/@stadt/112233445566778899"
    assert entry.text == "Heute ist der Wertstoffhof bis 19 Uhr geöffnet.\nBitte Ausweis mitbringen."


def test_atom_feed() -> None:
    (entry,), _ = _parse("atom.xml")
    assert entry.external_id == "yt:video:abc123"
    assert entry.text == "Bürgermeisterin erklärt den Haushalt\n\nWas die Stadt 2027 in Schulen und Kitas investiert."
    assert entry.created_at == datetime(2026, 5, 3, 12, tzinfo=UTC)


def test_bozo_feed_with_entries_is_kept_with_a_warning() -> None:
    items, warnings = _parse("bozo.xml")
    assert [i.external_id for i in items] == ["pm-2026-0050"]
    assert len(warnings) == 1 and "fehlerhaft" in warnings[0]


@pytest.mark.parametrize("body", [(FEEDS / "not_a_feed.html").read_bytes(), b"", b'{"items": []}', b"\x00\xff\xfe"])
def test_a_body_that_is_no_feed_is_a_source_format_error(body: bytes) -> None:
    with pytest.raises(SourceFormatError, match="Feed nicht lesbar"):
        parse_feed(body, "presse", now=NOW)


def test_atom_through_the_replay_server_and_304(server: ReplayServer, sqlite_engine: Engine) -> None:
    cfg = ChannelConfig(id="yt-feed", platform="rss", name="YouTube-Feed")
    posts = [Item("yt-feed", f"yt:video:{n}", ItemKind.POST, datetime(2026, 5, n, 9, tzinfo=UTC),
                  f"Video {n}\n\nBeschreibung {n} mit Ümlaut", is_own_account=True) for n in (1, 2)]
    server.add_channel(cfg, posts)
    channel = cfg.model_copy(update={"base_url": server.channel_root("yt-feed") + "/atom.xml"})
    with sqlite_engine.begin() as conn:
        sync_channels(conn, [channel])
    with fast_client() as client:
        first = sync_channel(sqlite_engine, channel, client=client)
        second = sync_channel(sqlite_engine, channel, client=client)
    assert (first.error, first.new, second.new, second.updated) == (None, 2, 0, 0)
    assert [r.status for r in server.requests_to("/atom.xml")] == [200, 304]
    with sqlite_engine.connect() as conn:
        texts = sorted(conn.execute(select(item.c.text)).scalars())
    assert texts == [p.text for p in posts]


def test_a_maintenance_page_instead_of_the_feed_stores_nothing(server: ReplayServer, sqlite_engine: Engine) -> None:
    cfg = ChannelConfig(id="presse", platform="rss", name="Presse")
    server.add_channel(cfg, [])
    server.inject(Fault("malformed", channel_id="presse"))  # first: no feed at all -> error, nothing stored
    channel = server.channel_config("presse")
    with sqlite_engine.begin() as conn:
        sync_channels(conn, [channel])
    result = sync_channel(sqlite_engine, channel, client=fast_client())
    assert result.error and "Feed nicht lesbar" in result.error
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(item)).scalar_one() == 0
