"""Value readers every platform parser shares: counts, optional JSON fields and ISO 8601 timestamps.

Pure and forgiving where the data is informative (a missing count is 0, a missing object is empty); strict
only where a value is required (:func:`zoned_time` raises :class:`SourceFormatError`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.errors import SourceFormatError


def as_int(value: object) -> int:
    """A count from the API; missing or malformed counts are 0 (counts are informative, never worth a crash)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def obj_at(node: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``node[key]`` when it is an object, else an empty one: missing fields are data, not a crash."""
    value = node.get(key)
    return value if isinstance(value, Mapping) else {}


def str_at(node: Mapping[str, Any], key: str) -> str:
    """``node[key]`` when it is a string, else ``""``."""
    value = node.get(key)
    return value if isinstance(value, str) else ""


def parse_iso(value: object) -> datetime | None:
    """An ISO 8601 / RFC 3339 string as a datetime (naive stays naive); None when missing or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def as_utc(parsed: datetime) -> datetime:
    """``parsed`` as aware UTC; a naive value counts as UTC."""
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def zoned_time(value: object, source: str = "") -> datetime:
    """A required timestamp with a time zone as aware UTC; SourceFormatError (German, prefixed with ``source``)
    when it is missing, unreadable or has no zone."""
    if not isinstance(value, str):
        raise SourceFormatError(f"{source}Zeitstempel fehlt: {value!r:.40}")
    parsed = parse_iso(value)
    if parsed is None:
        raise SourceFormatError(f"{source}Zeitstempel nicht lesbar: {value!r:.40}")
    if parsed.tzinfo is UTC:  # "...Z" and "+00:00": most APIs, and already what the store wants
        return parsed
    if parsed.tzinfo is None:
        raise SourceFormatError(f"{source}Zeitstempel ohne Zeitzone: {value!r:.40}")
    return parsed.astimezone(UTC)


def skipped(notes: list[str] | None, log: logging.Logger, channel_id: str, what: str, reason: str) -> None:
    """Log (on the parser's own ``log``) and, with ``notes``, report that one malformed item was skipped: the
    rest of its page is still stored. ``what`` names the item ("Mastodon-Beitrag 1234")."""
    message = f"{what} übersprungen: {reason}"
    log.warning("%s: %s", channel_id, message)
    if notes is not None:
        notes.append(message)
