"""Export files: CSV/JSON parsing, whole-file validation with located errors, SHA-256 bookmark."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from connectors.base import StreamContext
from connectors.errors import ConfigurationError, SourceFormatError
from connectors.export import COLUMNS, ExportStream, export_source, parse_export
from connectors.replay import ReplayServer
from connectors.sync import sync_channel
from store.channels import sync_channels
from store.config import ChannelConfig
from store.models import Bookmark, ItemKind, ItemState
from store.schema import item
from tests.connectors.conftest import fast_client, load_world

FIXTURES = Path(__file__).parent / "fixtures" / "export"


def _parse(name: str) -> list:  # type: ignore[type-arg]
    return parse_export((FIXTURES / name).read_bytes(), name, "export-test")


def test_semicolon_csv_with_bom_as_excel_writes_it() -> None:
    items = _parse("kanal_export.csv")
    by_id = {it.external_id: it for it in items}
    assert [it.external_id for it in items] == ["p-2026-001", "c-1001", "c-1002", "c-1003", "c-1004"]
    post = by_id["p-2026-001"]
    assert post.kind is ItemKind.POST and post.is_own_account and post.author_name == "Stadt Musterstadt"
    assert post.text.endswith("Anwohnerausweise gibt es im Bürgerbüro.")  # ';' inside quotes is text
    assert post.created_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert (post.like_count, post.reply_count, post.share_count) == (25, 3, 4)
    assert post.parent_external_id is None and post.thread_root_external_id is None
    reply = by_id["c-1002"]
    assert reply.kind is ItemKind.REPLY and reply.parent_external_id == "c-1001"
    assert reply.thread_root_external_id == "p-2026-001" and reply.is_own_account
    assert by_id["c-1001"].is_own_account is False
    hidden = by_id["c-1003"]
    assert hidden.state is ItemState.HIDDEN and hidden.text == 'Abzocke!!! 😡 "Parkregelung" heißt Geld eintreiben.'
    assert hidden.thread_root_external_id == "p-2026-001"  # resolved from the parent inside the file
    assert by_id["c-1004"].state is ItemState.DELETED
    assert {it.channel_id for it in items} == {"export-test"}


def test_json_lines_and_json_array_give_the_same_items() -> None:
    lines, array = _parse("kommentare.jsonl"), _parse("kommentare_array.json")
    assert [(i.external_id, i.text, i.created_at, i.parent_external_id) for i in lines] == [
        (i.external_id, i.text, i.created_at, i.parent_external_id) for i in array
    ]
    assert [i.external_id for i in lines] == ["ig-77", "ig-77-c1", "4711"]  # numeric id becomes text
    assert lines[1].thread_root_external_id == "ig-77"
    assert array[2].raw == {"source": "kommentare_array.json", "line": 19}


def test_missing_timezone_names_file_line_and_column() -> None:
    with pytest.raises(SourceFormatError) as err:
        _parse("bad_timezone.csv")
    assert str(err.value).startswith("bad_timezone.csv, Zeile 4, Spalte 'created_at': Zeitpunkt ohne Zeitzone")


def test_bad_count_in_json_array_names_the_elements_line() -> None:
    with pytest.raises(SourceFormatError, match=r"bad_count_array\.json, Zeile 19, Spalte 'like_count': .*≥ 0"):
        _parse("bad_count_array.json")


HEAD = b"external_id,kind,created_at,text\n"
JSON_ROW = b'{"external_id": "x", "kind": "post", "created_at": "2026-01-01T00:00:00Z", '


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"external_id,kind,created_at\nx,post,2026-01-01T00:00:00Z\n", "a.csv",
         r"a\.csv, Zeile 1, Spalte 'text': Pflichtspalte fehlt"),
        (b"external_id,kind,created_at,text,farbe\n", "a.csv", r"Zeile 1, Spalte 'farbe': unbekannte Spalte"),
        (HEAD + b"x,tweet,2026-01-01T00:00:00Z,hi\n", "a.csv", r"Zeile 2, Spalte 'kind': 'tweet'"),
        (HEAD + b"x,comment,2026-01-01T00:00:00Z,hi\n", "a.csv",
         r"Zeile 2, Spalte 'parent_external_id': Pflicht bei kind=comment"),
        (HEAD + b"x,post,gestern,hi\n", "a.csv", r"Zeile 2, Spalte 'created_at': kein ISO-8601"),
        (HEAD + b",post,2026-01-01T00:00:00Z,hi\n", "a.csv", r"Zeile 2, Spalte 'external_id': Pflichtfeld ist leer"),
        (HEAD + b"x,post,2026-01-01T00:00:00Z,hi,zu viel\n", "a.csv", r"Zeile 2, Spalte '\*': 5 Felder statt 4"),
        (HEAD + b"x,post,2026-01-01T00:00:00Z,a\nx,post,2026-01-01T00:00:00Z,b\n", "a.csv",
         r"Zeile 3, Spalte 'external_id': 'x' steht schon in Zeile 2"),
        (JSON_ROW + b'"text": "a"}\n{"external_id": ', "a.jsonl",
         r"a\.jsonl, Zeile 2, Spalte 'Zeichen \d+': kein gültiges JSON"),
        (b"[" + JSON_ROW + b'"text": "a"},\n 3]', "a.json",
         r"Zeile 2, Spalte '\*': jeder Eintrag muss ein JSON-Objekt"),
        (JSON_ROW + b'"text": 5}\n', "a.jsonl", r"Zeile 1, Spalte 'text': muss Text sein"),
        (JSON_ROW + b'"text": "", "is_own_account": "vielleicht"}', "a.jsonl",
         r"Spalte 'is_own_account': muss true/false"),
        (HEAD + "x,post,2026-01-01T00:00:00Z,Grüße\n".encode("latin-1"), "a.csv",
         r"a\.csv, Zeile 2, Spalte '\*': keine UTF-8-Datei"),
    ],
)
def test_malformed_files_are_rejected_with_their_location(content: bytes, name: str, expected: str) -> None:
    with pytest.raises(SourceFormatError, match=expected):
        parse_export(content, name, "c")


def test_large_text_emoji_and_empty_file() -> None:
    big = "Bürgerbeteiligung 🏛️ " * 5000  # ~100 kB
    row = {"external_id": "p", "kind": "post", "created_at": "2026-01-01T12:00:00+01:00", "text": big}
    items = parse_export(json.dumps(row).encode(), "gross.jsonl", "c")
    assert items[0].text == big and len(items[0].text.encode()) > 100_000
    assert parse_export(b"external_id,kind,created_at,text\n", "leer.csv", "c") == []
    assert parse_export(b"[]", "leer.json", "c") == []


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
       likes=st.integers(min_value=0, max_value=10**9))
def test_any_text_round_trips_through_json_lines(text: str, likes: int) -> None:
    row = {"external_id": "p", "kind": "post", "created_at": "2026-01-01T00:00:00Z", "text": text, "like_count": likes}
    [item] = parse_export(json.dumps(row).encode(), "x.jsonl", "c")
    assert (item.text, item.like_count) == (text, likes)


def test_columns_are_documented() -> None:
    doc = (Path(__file__).parents[2] / "connectors" / "EXPORT_FORMAT.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"`{column}`" in doc, column


# --- the stream ------------------------------------------------------------------------------------


def _ctx(path: Path, bookmark: Bookmark | None = None) -> StreamContext:
    channel = ChannelConfig(id="export-test", platform="export", name="Export", base_url=str(path))
    marks = {("items", ""): bookmark} if bookmark else {}
    return StreamContext(channel=channel, now=datetime(2026, 3, 5, tzinfo=UTC), since=None, bookmarks=marks)


def test_stream_pages_carry_the_file_hash_and_skip_an_unchanged_file(tmp_path: Path) -> None:
    rows = [{"external_id": f"c{i}", "kind": "comment", "created_at": "2026-01-01T00:00:00Z", "text": f"Nr. {i}",
             "parent_external_id": "p"} for i in range(1200)]
    path = tmp_path / "gross.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    pages = list(ExportStream().read(_ctx(path)))
    assert [len(p.items) for p in pages] == [500, 500, 200]
    assert [p.bookmark is not None for p in pages] == [False, False, True]  # only the last page moves it
    mark = pages[-1].bookmark
    assert mark is not None and mark.cursor is not None and len(mark.cursor) == 64
    assert list(ExportStream().read(_ctx(path, mark))) == []
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert len(list(ExportStream().read(_ctx(path, mark)))) == 3


def test_stream_validates_everything_before_the_first_page(tmp_path: Path) -> None:
    path = tmp_path / "teils.csv"
    good = "".join(f"c{i},comment,2026-01-01T00:00:00Z,ok,p\n" for i in range(700))
    path.write_text("external_id,kind,created_at,text,parent_external_id\n" + good + "kaputt,comment,nie,x,p\n")
    pages = ExportStream().read(_ctx(path))
    with pytest.raises(SourceFormatError, match="teils.csv, Zeile 702"):
        next(pages)


def test_path_comes_from_options_or_base_url(tmp_path: Path) -> None:
    assert export_source({"path": "/daten/a.csv"}, "/anders.csv") == "/daten/a.csv"
    assert export_source({}, "file:///daten/b.json") == "/daten/b.json"
    url = "https://intranet.musterstadt.de/export.csv"
    assert export_source({}, url) == url
    with pytest.raises(ConfigurationError, match="Exportdatei fehlt"):
        export_source({}, "")
    with pytest.raises(ConfigurationError, match="nicht lesbar"):
        next(ExportStream().read(_ctx(tmp_path / "fehlt.csv")))


# --- an export fetched from a URL (the replay plays the export tool's download) ---------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_url_export_edits_new_rows_and_explicit_deletions(server: ReplayServer, sqlite_engine: Engine,
                                                          fmt: str) -> None:
    cfg, items = load_world("export")
    state = server.add_channel(cfg, items)
    channel = server.channel_config(cfg.id)
    if fmt == "csv":
        channel = channel.model_copy(update={"base_url": channel.base_url + "?format=csv"})
    with sqlite_engine.begin() as conn:
        sync_channels(conn, [channel])
    with fast_client() as client:
        assert sync_channel(sqlite_engine, channel, client=client).new == len(items)
        state.edit("c-1001", "Wo genau bekomme ich den Ausweis? (Erledigt, danke!)")
        state.items["c-1003"].state = ItemState.DELETED  # the export tool reports the deletion
        state.remove("c-2001")  # a partial export: absent is not deleted
        result = sync_channel(sqlite_engine, channel, client=client)
    assert (result.error, result.new, result.updated, result.deleted) == (None, 0, 2, 0)
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(item.c.external_id, item.c.state, item.c.text).where(item.c.channel_id == cfg.id))
        stored = {ext: (value, text) for ext, value, text in rows}
    assert stored["c-1001"] == (ItemState.VISIBLE, "Wo genau bekomme ich den Ausweis? (Erledigt, danke!)")
    assert stored["c-1003"][0] == ItemState.DELETED and stored["c-2001"][0] == ItemState.VISIBLE
