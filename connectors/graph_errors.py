"""The Graph API's wire conventions, pure: error envelope -> connector errors, usage headers -> pacing, paging.

The Graph API reports most failures as HTTP 400/403 with ``{"error": {"code", "error_subcode", ...}}``; the
*code* says what happened (190 expired token, 4/17/32/613 throttling, 100/33 no such object), the HTTP status
hardly does. Shared by the Facebook and Instagram connectors through :class:`connectors.graph.GraphApi`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from connectors.errors import (
    AuthError,
    ConfigurationError,
    ConnectorError,
    FatalError,
    NotFound,
    RateLimited,
    RetriableError,
)
from connectors.parsing import as_int

# https://developers.facebook.com/docs/graph-api/guides/error-handling
_TOKEN_CODES = frozenset({102, 104, 190})  # 104: no token sent
_TOKEN_SUBCODES = frozenset({458, 459, 460, 463, 464, 467, 492})
_THROTTLE_CODES = frozenset({4, 17, 32, 341, 613})
_BUSINESS_THROTTLE = range(80000, 80100)  # business use case limits (80001 pages, 80002 Instagram, ...)
_TRANSIENT_CODES = frozenset({1, 2})
_PERMISSION_CODES = frozenset({3, 10, *range(200, 300)})
_NO_SUCH_OBJECT_SUBCODE = 33  # code 100: "object does not exist, cannot be loaded ... or does not support this"
_USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")
SLOW_DOWN_FROM_PERCENT = 80.0  # Meta throttles at 100 % of any usage figure; start pacing well before


# --- paging ----------------------------------------------------------------------------------


def next_page_params(payload: object) -> dict[str, str] | None:
    """The query parameters that fetch the page after ``payload``, or None on the last page.

    Graph signals the end by omitting ``paging.next``. Cursor paging (``after``) and time paging
    (``until`` + ``__paging_token``, used by ``/posts?since=``) both appear in the ``next`` URL, so its
    query is taken over, minus the access token; the request itself always goes to the configured base URL.
    """
    if not isinstance(payload, Mapping):
        return None
    paging = payload.get("paging")
    if not isinstance(paging, Mapping) or not isinstance(paging.get("next"), str):
        return None
    params = {k: v for k, v in parse_qsl(urlsplit(paging["next"]).query, keep_blank_values=True)}
    params.pop("access_token", None)
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, Mapping) else None
    if isinstance(after, str) and after:
        params["after"] = after
    return params or None


# --- errors --------------------------------------------------------------------------------------

_URL = re.compile(r"https?://\S+")
_SECRET = re.compile(r"(access_token|appsecret_proof|client_secret)=[^&\s]+", re.IGNORECASE)


def _scrub(message: str) -> str:
    """Platform wording without URLs or secrets, short enough for a status line."""
    cleaned = _URL.sub("<URL>", _SECRET.sub(r"\1=<entfernt>", message))
    return cleaned if len(cleaned) <= 200 else cleaned[:199] + "…"


def _envelope(body: object) -> Mapping[str, Any] | None:
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    err = body.get("error") if isinstance(body, Mapping) else None
    return err if isinstance(err, Mapping) else None


def graph_error(status: int, body: object, headers: Mapping[str, str] | None = None) -> ConnectorError | None:
    """Map a Graph API error response to the connector error tree (None: not a Graph envelope).

    ``body`` is the raw response (bytes/str) or the decoded JSON. Branches on ``code`` and
    ``error_subcode``, not on the HTTP status, as the Graph API asks.
    """
    err = _envelope(body)
    if err is None:
        return None
    code = as_int(err.get("code"))
    subcode = as_int(err.get("error_subcode"))
    trace = err.get("fbtrace_id")
    ref = f"Graph-API-Fehler {code}" + (f"/{subcode}" if subcode else "") + (f", fbtrace_id {trace}" if trace else "")
    said = _scrub(str(err.get("message") or ""))
    detail = f"({ref}: {said})" if said else f"({ref})"
    if code in _TOKEN_CODES or subcode in _TOKEN_SUBCODES:
        return AuthError(f"Zugriff verweigert: Zugriffstoken abgelaufen oder ungültig – bitte neu erzeugen {detail}")
    if code in _THROTTLE_CODES or code in _BUSINESS_THROTTLE:
        return RateLimited(f"Abfragelimit der Graph-API erreicht {detail}", retry_after=regain_seconds(headers or {}))
    if code in _TRANSIENT_CODES or err.get("is_transient") is True:
        return RetriableError(f"Vorübergehende Störung der Graph-API {detail}")
    if code in _PERMISSION_CODES:
        return AuthError(f"Zugriff verweigert: Berechtigung fehlt {detail}")
    if code == 100 and subcode == _NO_SUCH_OBJECT_SUBCODE:
        return NotFound(f"Objekt existiert nicht (mehr) oder ist nicht zugänglich {detail}")
    if code == 100:
        return ConfigurationError(f"Ungültige Anfrage: Parameter, Feld oder Berechtigung prüfen {detail}")
    if status >= 500:
        return RetriableError(f"Serverfehler der Graph-API (HTTP {status}) {detail}")
    return FatalError(f"Graph-API lehnt die Anfrage ab {detail}")


# --- usage headers -------------------------------------------------------------------------------


def _usage_figures(headers: Mapping[str, str]) -> list[Mapping[str, Any]]:
    """Every usage object in the three headers (business-use-case usage nests lists under business ids)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    found: list[Mapping[str, Any]] = []
    for name in _USAGE_HEADERS:
        raw = lowered.get(name)
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if isinstance(value, Mapping) and name != "x-business-use-case-usage":
            found.append(value)
        elif isinstance(value, Mapping):
            found.extend(u for lst in value.values() if isinstance(lst, list) for u in lst if isinstance(u, Mapping))
    return found


def usage_percent(headers: Mapping[str, str]) -> float:
    """The highest usage figure (call count, CPU time, total time; 0–100+) across the usage headers."""
    best = 0.0
    for usage in _usage_figures(headers):
        for key in ("call_count", "total_cputime", "total_time"):
            value = usage.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                best = max(best, float(value))
    return best


def regain_seconds(headers: Mapping[str, str]) -> float | None:
    """``estimated_time_to_regain_access`` (minutes in the header) as seconds, if Meta announced one."""
    minutes = [
        float(u["estimated_time_to_regain_access"])
        for u in _usage_figures(headers)
        if isinstance(u.get("estimated_time_to_regain_access"), int | float)
    ]
    longest = max(minutes, default=0.0)
    return longest * 60.0 if longest > 0 else None


def pacing_delay(headers: Mapping[str, str], *, max_delay: float = 30.0) -> float:
    """Seconds to wait before the next call: 0 below 80 % usage, rising to ``max_delay`` at 100 %."""
    regain = regain_seconds(headers)
    if regain:
        return regain
    pct = usage_percent(headers)
    if pct < SLOW_DOWN_FROM_PERCENT:
        return 0.0
    share = min(1.0, (pct - SLOW_DOWN_FROM_PERCENT) / (100.0 - SLOW_DOWN_FROM_PERCENT))
    return round(max_delay * share, 3)


# --- hooks for connectors.http -------------------------------------------------------------------


def graph_error_hook(response: httpx.Response) -> ConnectorError | None:
    """:data:`connectors.http.ErrorHook` for Graph API responses."""
    return graph_error(response.status_code, response.content, response.headers)


def graph_pace_hook(response: httpx.Response) -> float | None:
    """:data:`connectors.http.PaceHook`: pause when Meta's usage headers approach 100 %."""
    return pacing_delay(response.headers) or None
