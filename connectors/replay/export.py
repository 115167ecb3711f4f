"""Export-file replay: the channel's world served as a JSON-lines export file over HTTP (with ETag / 304).

An export is a snapshot a tool writes; this handler plays such a tool's download URL
(``<channel root>/export.jsonl``; ``?format=csv`` gives the same rows as semicolon CSV). Items removed from the
world are simply absent from the next export, as in a partial export — the importer does not mark them deleted,
so the contract's comment checks (which expect deletion by absence) are skipped for this platform.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from connectors.export import COLUMNS
from connectors.replay import register_replay
from connectors.replay.server import ChannelState, PlatformReplay, ReplayRequest, ReplayResponse, json_response
from store.models import Item

FILE = "/export.jsonl"


def new_id(state: ChannelState, created_at: datetime) -> str:
    seq = len(state.items)
    while f"x-{seq}" in state.items:
        seq += 1
    return f"x-{seq}"


def export_row(item: Item) -> dict[str, Any]:
    """``item`` as one row of the documented export format (connectors/EXPORT_FORMAT.md)."""
    return {
        "external_id": item.external_id,
        "kind": item.kind.value,
        "created_at": item.created_at.astimezone(UTC).isoformat(),
        "text": item.text,
        "parent_external_id": item.parent_external_id or "",
        "thread_root_external_id": item.thread_root_external_id or "",
        "author_id": item.author_id,
        "author_name": item.author_name,
        "is_own_account": item.is_own_account,
        "url": item.url,
        "like_count": item.like_count,
        "reply_count": item.reply_count,
        "share_count": item.share_count,
        "state": item.state.value,
    }


def render(items: list[Item], fmt: str) -> bytes:
    """The rows as JSON lines or as semicolon-separated CSV with a BOM (as German Excel writes it)."""
    rows = [export_row(i) for i in sorted(items, key=lambda i: (i.created_at, i.external_id))]
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS), delimiter=";")
        writer.writeheader()
        writer.writerows({k: ("ja" if v is True else "nein" if v is False else v) for k, v in r.items()}
                         for r in rows)
        return out.getvalue().encode("utf-8-sig")
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def handle(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    """GET the export file; conditional on ``If-None-Match``."""
    if req.method not in ("GET", "HEAD") or req.path != FILE:
        return json_response({"error": "Not Found"}, 404)
    fmt = req.param("format") or "jsonl"
    etag = f'"v{state.version}-{fmt}"'
    if req.headers.get("if-none-match") == etag:
        return ReplayResponse(304, b"", {"ETag": etag})
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return ReplayResponse(200, render(list(state.items.values()), fmt), {"Content-Type": content_type, "ETag": etag})


def auth_error(req: ReplayRequest) -> ReplayResponse:
    """A protected download location refuses the wrong token."""
    return json_response({"error": "invalid_token"}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def malformed(req: ReplayRequest) -> ReplayResponse:
    """An export cut short while being written."""
    return ReplayResponse(200, b'{"external_id": "p-1", "kind": "post", "created_at": "2026-03-02T09:0',
                          {"Content-Type": "application/x-ndjson"})


REPLAY = register_replay(PlatformReplay(
    platform="export",
    handle=handle,
    auth_error=auth_error,
    malformed=malformed,
    new_id=new_id,
    channel_url=lambda root: root + FILE,
    has_comments=False,
))
