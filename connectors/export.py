"""Export files (CSV, JSON array, JSON lines) for channels without API access; columns in EXPORT_FORMAT.md.

The whole file is validated before anything is stored: one malformed row raises :class:`SourceFormatError`
naming file, line and column, and nothing of that file reaches the store. The bookmark is the file's SHA-256,
so an unchanged file is skipped. Items missing from a re-import are *not* marked deleted (an export may be
partial); only ``state=deleted`` in the file marks an item deleted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar
from urllib.parse import urlsplit

from connectors.base import Page, Stream, StreamContext
from connectors.errors import ConfigurationError, SourceFormatError
from connectors.http import HttpClient
from connectors.registry import Connector, register
from store.models import Bookmark, Item, ItemKind, ItemState

REQUIRED = ("external_id", "kind", "created_at", "text")
OPTIONAL = (
    "parent_external_id",
    "thread_root_external_id",
    "author_id",
    "author_name",
    "is_own_account",
    "url",
    "like_count",
    "reply_count",
    "share_count",
    "state",
)
COLUMNS = REQUIRED + OPTIONAL
PAGE_SIZE = 500
_TRUE = frozenset({"true", "1", "ja", "yes", "wahr", "x"})
_FALSE = frozenset({"false", "0", "nein", "no", "falsch", ""})
_JSON_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson"})


@dataclass(frozen=True, slots=True)
class _Row:
    """One record of the file with where it came from (for error messages)."""

    line: int
    values: Mapping[str, Any]


def _fail(name: str, line: int, column: str, problem: str) -> SourceFormatError:
    return SourceFormatError(f"{name}, Zeile {line}, Spalte {column!r}: {problem}")


# --- reading rows ----------------------------------------------------------------------------------


def _csv_rows(text: str, name: str) -> Iterator[_Row]:
    """CSV with a header row; the delimiter (``,`` ``;`` or tab, as German Excel writes) is detected."""
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip().lower() for h in header]
        _check_header(header, name)
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if len(record) != len(header):
                raise _fail(name, reader.line_num, "*",
                            f"{len(record)} Felder statt {len(header)} (Trennzeichen oder Anführungszeichen prüfen)")
            yield _Row(reader.line_num, dict(zip(header, record, strict=True)))
    except csv.Error as exc:
        raise _fail(name, reader.line_num, "*", f"CSV nicht lesbar: {exc}") from None


def _check_header(header: list[str], name: str) -> None:
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise _fail(name, 1, unknown[0], "unbekannte Spalte (erlaubt: " + ", ".join(COLUMNS) + ")")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise _fail(name, 1, missing[0], "Pflichtspalte fehlt")
    doubled = {h for h in header if header.count(h) > 1}
    if doubled:
        raise _fail(name, 1, sorted(doubled)[0], "Spalte kommt mehrfach vor")


def _json_rows(text: str, name: str) -> Iterator[_Row]:
    """A JSON array of objects or JSON lines (one object per line); each row knows its line number."""
    if not text.lstrip().startswith("["):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield _object_row(_loads(line, name, number), number, name)
        return
    values = _loads(text, name, 0)
    # the text is valid JSON now: walk the array once more, only to learn where each element starts
    decoder, pos = json.JSONDecoder(), text.index("[") + 1
    for value in values:
        while text[pos] in " \t\r\n,":
            pos += 1
        yield _object_row(value, text.count("\n", 0, pos) + 1, name)
        _, pos = decoder.raw_decode(text, pos)


def _loads(text: str, name: str, line: int) -> Any:
    """``json.loads`` with a located error; ``line`` 0 means the error's own line is the file line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = line or exc.lineno
        raise _fail(name, where, f"Zeichen {exc.colno}", "kein gültiges JSON") from None  # (exc.msg is English)


def _object_row(value: object, line: int, name: str) -> _Row:
    if not isinstance(value, dict):
        raise _fail(name, line, "*", "jeder Eintrag muss ein JSON-Objekt sein")
    keys = [str(k).lower() for k in value]
    unknown = [k for k in keys if k not in COLUMNS]
    if unknown:
        raise _fail(name, line, unknown[0], "unbekanntes Feld (erlaubt: " + ", ".join(COLUMNS) + ")")
    return _Row(line, {str(k).lower(): v for k, v in value.items()})


# --- validating fields -----------------------------------------------------------------------------


def _text(row: _Row, column: str, name: str, *, required: bool = False) -> str:
    value = row.values.get(column)
    if value is None:
        value = ""
    if not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool) and column != "text":
            value = str(value)  # numeric ids in JSON are fine
        else:
            raise _fail(name, row.line, column, "muss Text sein")
    if required and not value.strip() and column != "text":
        raise _fail(name, row.line, column, "Pflichtfeld ist leer")
    return value if column == "text" else value.strip()


def _time(row: _Row, name: str) -> datetime:
    raw = _text(row, "created_at", name, required=True)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise _fail(name, row.line, "created_at", f"kein ISO-8601-Zeitpunkt: {raw!r:.40}") from None
    if parsed.tzinfo is None:
        raise _fail(name, row.line, "created_at", f"Zeitpunkt ohne Zeitzone (z. B. +01:00 oder Z): {raw!r:.40}")
    return parsed.astimezone(UTC)


def _int(row: _Row, column: str, name: str) -> int:
    value = row.values.get(column)
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise _fail(name, row.line, column, "muss eine ganze Zahl ≥ 0 sein")
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise _fail(name, row.line, column, f"muss eine ganze Zahl ≥ 0 sein, nicht {value!r:.20}") from None
    if not isinstance(value, int) or value < 0:
        raise _fail(name, row.line, column, f"muss eine ganze Zahl ≥ 0 sein, nicht {value!r:.20}")
    return value


def _bool(row: _Row, column: str, name: str) -> bool:
    value = row.values.get(column)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _fail(name, row.line, column, f"muss true/false (oder ja/nein, 1/0) sein, nicht {value!r:.20}")


def _enum(row: _Row, column: str, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = _text(row, column, name).lower() or default
    if value not in allowed:
        raise _fail(name, row.line, column, f"{value!r:.20} ist nicht erlaubt (erlaubt: {', '.join(allowed)})")
    return value


def _item(row: _Row, channel_id: str, name: str) -> Item:
    parent = _text(row, "parent_external_id", name) or None
    return Item(
        channel_id=channel_id,
        external_id=_text(row, "external_id", name, required=True),
        kind=ItemKind(_enum(row, "kind", name, tuple(ItemKind), "")),
        created_at=_time(row, name),
        text=_text(row, "text", name),
        author_id=_text(row, "author_id", name),
        author_name=_text(row, "author_name", name),
        is_own_account=_bool(row, "is_own_account", name),
        parent_external_id=parent,
        thread_root_external_id=_text(row, "thread_root_external_id", name) or None,
        url=_text(row, "url", name),
        like_count=_int(row, "like_count", name),
        reply_count=_int(row, "reply_count", name),
        share_count=_int(row, "share_count", name),
        state=ItemState(_enum(row, "state", name, tuple(ItemState), ItemState.VISIBLE.value)),
        raw={"source": name, "line": row.line},
    )


def parse_export(data: bytes, name: str, channel_id: str, fmt: str | None = None) -> list[Item]:
    """Every item of one export file, or :class:`SourceFormatError` for the first bad row (nothing partial).

    ``name`` is the file name used in messages and to choose the format (``.csv``; ``.json``, ``.jsonl``,
    ``.ndjson``; otherwise sniffed from the first character) unless ``fmt`` ("csv"/"json", e.g. from an HTTP
    Content-Type) says. A UTF-8 BOM (Excel) is accepted.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _fail(name, line, "*", "keine UTF-8-Datei (beim Export UTF-8 wählen)") from None
    suffix = Path(name).suffix.lower()
    if fmt is not None:
        is_json = fmt == "json"
    else:
        is_json = suffix in _JSON_SUFFIXES or (suffix != ".csv" and text.lstrip()[:1] in ("[", "{"))
    rows = _json_rows(text, name) if is_json else _csv_rows(text, name)
    items: list[Item] = []
    first_line: dict[str, int] = {}
    for row in rows:
        it = _item(row, channel_id, name)
        if it.kind is ItemKind.POST and it.parent_external_id:
            raise _fail(name, row.line, "parent_external_id", "ein Beitrag (kind=post) hat keinen Elterneintrag")
        if it.kind is not ItemKind.POST and it.kind is not ItemKind.MESSAGE and not it.parent_external_id:
            raise _fail(name, row.line, "parent_external_id", f"Pflicht bei kind={it.kind.value}")
        if it.external_id in first_line:
            raise _fail(name, row.line, "external_id",
                        f"{it.external_id!r:.40} steht schon in Zeile {first_line[it.external_id]}")
        first_line[it.external_id] = row.line
        items.append(it)
    _resolve_roots(items)
    return items


def _resolve_roots(items: list[Item]) -> None:
    """Give comments without ``thread_root_external_id`` the root of their parent chain inside the file.

    The chain ends at a post (its own id is the root), at an item with a root, or where it leaves the file
    (the outermost parent known is the best guess). A cycle stops after ``len(items)`` steps.
    """
    by_id = {it.external_id: it for it in items}
    for it in items:
        if it.thread_root_external_id or it.parent_external_id is None:
            continue
        node, steps = it, 0
        while node.thread_root_external_id is None and node.parent_external_id in by_id and steps < len(items):
            node, steps = by_id[node.parent_external_id], steps + 1
        if node.thread_root_external_id:
            it.thread_root_external_id = node.thread_root_external_id
        else:
            it.thread_root_external_id = node.parent_external_id or node.external_id


# --- the connector -------------------------------------------------------------------------------------


def export_source(options: Mapping[str, Any], base_url: str) -> str:
    """Where a channel's export lives: ``options.path``, else ``base_url`` (a path, ``file://`` or http(s) URL)."""
    raw = str(options.get("path") or base_url or "").strip()
    if not raw:
        raise ConfigurationError("Exportdatei fehlt: 'base_url' oder 'options.path' auf den Dateipfad setzen")
    return raw.removeprefix("file://")


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


class ExportStream:
    """The whole file as one stream; the last page carries the bookmark (the file's SHA-256, plus the ETag)."""

    name: ClassVar[str] = "items"
    is_sorted: ClassVar[bool] = True  # pages are stored in order; only the last one moves the bookmark

    def __init__(self, client: HttpClient | None = None) -> None:
        self.client = client

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        channel = ctx.channel
        source = export_source(channel.options, channel.base_url)
        previous = ctx.bookmark(self.name)
        fetched = self._fetch(source, previous, channel.token())
        if fetched is None:
            return  # 304 Not Modified
        data, name, fmt, etag, modified = fetched
        digest = hashlib.sha256(data).hexdigest()
        if previous is not None and previous.cursor == digest:
            return  # unchanged file: nothing to do
        items = parse_export(data, name, channel.id, fmt)  # raises before anything is stored
        bookmark = Bookmark(
            channel_id=channel.id,
            stream=self.name,
            cursor=digest,
            etag=etag,
            last_modified=modified,
            newest_at=max((it.created_at for it in items), default=None),
            extra={"file": name, "items": len(items)},
        )
        chunks = [items[i : i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            yield Page(chunk, bookmark=bookmark if number == len(chunks) else None)

    def _fetch(self, source: str, previous: Bookmark | None,
               token: str | None) -> tuple[bytes, str, str | None, str | None, str | None] | None:
        """(content, file name, format from the Content-Type, ETag, Last-Modified); None on 304 Not Modified."""
        if not _is_url(source):
            path = Path(source)
            try:
                return path.read_bytes(), path.name, None, None, None
            except OSError as exc:
                raise ConfigurationError(f"Exportdatei {path} nicht lesbar: {exc.strerror or exc}") from None
        if self.client is None:
            raise ConfigurationError("Export per URL braucht den HTTP-Client des Connectors")
        response = self.client.request("GET", source, token=token, what="Exportdatei",
                                       etag=previous.etag if previous else None,
                                       last_modified=previous.last_modified if previous else None)
        if response.status_code == 304:
            return None
        name = PurePosixPath(urlsplit(source).path).name or "export"
        kind = response.headers.get("content-type", "").lower()
        fmt = "csv" if "csv" in kind else "json" if "json" in kind else None
        return response.content, name, fmt, response.headers.get("etag"), response.headers.get("last-modified")


@register
class ExportConnector(Connector):
    """Imports CSV/JSON exports (a file, or an http(s) URL fetched conditionally); no write-back."""

    platform = "export"

    def streams(self) -> list[Stream]:
        return [ExportStream(self.client)]
