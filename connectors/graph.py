"""What the Facebook and Instagram connectors share: the Graph API's error envelope, usage headers, paging, times.

The Graph API reports most failures as HTTP 400/403 with ``{"error": {"code", "error_subcode", ...}}``; the
*code* says what happened (190 expired token, 4/17/32/613 throttling), the HTTP status hardly does. The parsing,
error and usage functions are pure; :class:`GraphApi` is the thin I/O edge over the shared :class:`HttpClient`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import httpx

from connectors.base import Page, StreamContext, ThreadScan, WriteResult
from connectors.errors import (
    AuthError,
    ConfigurationError,
    ConnectorError,
    FatalError,
    NotFound,
    RateLimited,
    RetriableError,
    SourceFormatError,
)
from connectors.http import HttpClient, parse_json
from store.config import ChannelConfig
from store.models import Bookmark, Item

JsonObject = dict[str, Any]
DEFAULT_ROOT = "https://graph.facebook.com/v21.0"

# https://developers.facebook.com/docs/graph-api/guides/error-handling
_TOKEN_CODES = frozenset({102, 104, 190})  # 104: no token sent
_TOKEN_SUBCODES = frozenset({458, 459, 460, 463, 464, 467, 492})
_THROTTLE_CODES = frozenset({4, 17, 32, 341, 613})
_BUSINESS_THROTTLE = range(80000, 80100)  # business use case limits (80001 pages, 80002 Instagram, ...)
_TRANSIENT_CODES = frozenset({1, 2})
_PERMISSION_CODES = frozenset({3, 10, *range(200, 300)})
_NO_SUCH_OBJECT_SUBCODE = 33  # code 100: "object does not exist, cannot be loaded ... or does not support this"
_OBJECT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,200}")
_USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")
SLOW_DOWN_FROM_PERCENT = 80.0  # Meta throttles at 100 % of any usage figure; start pacing well before


@dataclass(frozen=True, slots=True)
class OwnAccount:
    """Who counts as the channel itself: the account id, further own ids and (Instagram) the usernames."""

    ids: frozenset[str]
    usernames: frozenset[str] = frozenset()

    def is_own(self, author_id: str, username: str = "") -> bool:
        """True only on positive evidence; an unknown author (no ``from``) is never the town's account."""
        if author_id and author_id in self.ids:
            return True
        return bool(username) and username.casefold() in self.usernames


def own_account(account_id: str, own_account_ids: Iterable[str], usernames: Iterable[str] = ()) -> OwnAccount:
    """Build :class:`OwnAccount` from a channel's configuration (empty values are ignored)."""
    ids = frozenset(i for i in (account_id, *own_account_ids) if i)
    return OwnAccount(ids, frozenset(u.casefold().lstrip("@") for u in usernames if u))


def parse_time(value: object) -> datetime:
    """A Graph API timestamp (``2026-03-02T08:15:00+0000``) as an aware UTC datetime."""
    if not isinstance(value, str):
        raise SourceFormatError(f"Zeitstempel fehlt oder ist kein Text: {value!r:.40}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SourceFormatError(f"Zeitstempel nicht lesbar: {value!r:.40}") from None
    if parsed.tzinfo is None:
        raise SourceFormatError(f"Zeitstempel ohne Zeitzone: {value!r:.40}")
    return parsed.astimezone(UTC)


def as_int(value: object) -> int:
    """A count from the API; missing or malformed counts are 0 (counts are informative, never worth a crash)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def summary_total(edge: object) -> int:
    """``total_count`` of an edge requested with ``.summary(true)`` (``{"data": [], "summary": {...}}``)."""
    if isinstance(edge, Mapping):
        summary = edge.get("summary")
        if isinstance(summary, Mapping):
            return as_int(summary.get("total_count"))
    return 0


def author_of(node: Mapping[str, Any]) -> tuple[str, str]:
    """(id, name) of ``from``; empty strings when the API withheld it (users who never authorised the app)."""
    sender = node.get("from")
    if not isinstance(sender, Mapping):
        return "", ""
    author_id = sender.get("id")
    name = sender.get("name") or sender.get("username")
    return (str(author_id) if author_id else "", str(name) if name else "")


def text_of(value: object) -> str:
    """A message/caption/text field as plain text: Graph text is never HTML, so it is kept verbatim."""
    return value if isinstance(value, str) else ""


def data_of(payload: object) -> list[JsonObject]:
    """The ``data`` list of an edge response; anything else is a :class:`SourceFormatError`."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("data"), list):
        raise SourceFormatError("Antwort der Graph-API hat keine 'data'-Liste")
    return [node for node in payload["data"] if isinstance(node, dict)]


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


# --- calls ---------------------------------------------------------------------------------------


def graph_error_hook(response: httpx.Response) -> ConnectorError | None:
    """:data:`connectors.http.ErrorHook` for Graph API responses."""
    return graph_error(response.status_code, response.content, response.headers)


def graph_pace_hook(response: httpx.Response) -> float | None:
    """:data:`connectors.http.PaceHook`: pause when Meta's usage headers approach 100 %."""
    return pacing_delay(response.headers) or None


class GraphApi:
    """Calls to one channel's Graph API root with its token, error envelope mapping, pacing and paging.

    The token goes into the ``Authorization`` header, so it never appears in a URL, a log or a message.
    """

    def __init__(self, client: HttpClient, channel: ChannelConfig, what: str) -> None:
        self.client = client
        self.channel = channel
        self.what = what
        self.root = channel.base_url.rstrip("/") or DEFAULT_ROOT

    def _token(self) -> str | None:
        """The channel's token; without ``token_env`` none is sent (a mirror or test server may not need one,
        the real Graph API answers code 104, an :class:`AuthError`)."""
        token = self.channel.token()
        if self.channel.token_env and not token:
            raise AuthError(f"{self.what}: Zugriffstoken fehlt – Umgebungsvariable {self.channel.token_env} "
                            "ist nicht gesetzt")
        return token

    def _call(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
              data: Mapping[str, str] | None = None) -> Any:
        response = self.client.request(
            method, f"{self.root}/{path.lstrip('/')}", params=params, data=data, token=self._token(),
            error_hook=graph_error_hook, pace_hook=graph_pace_hook, what=self.what,
        )
        return parse_json(response, self.what)

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self._call("GET", path, params=params)

    def post(self, path: str, data: Mapping[str, str]) -> Any:
        return self._call("POST", path, data=data)

    def delete(self, path: str) -> Any:
        return self._call("DELETE", path)

    def listing(self, path: str, params: Mapping[str, str], *, max_pages: int | None = None
                ) -> Iterator[tuple[Any, str]]:
        """Every page of an edge as (payload, what was requested), following ``paging.next``.

        The second value names path and cursor for the runner's loop guard. A cursor handed out twice, or
        more than ``max_pages`` pages, raises :class:`PagingIncomplete`.
        """
        query = dict(params)
        seen: set[str] = set()
        while True:
            cursor = query.get("after") or query.get("__paging_token") or query.get("until") or ""
            label = f"{path}?{cursor}"
            if label in seen:
                raise PagingIncomplete(f"{self.what}: Seitenschleife bei {path} erkannt (gleicher Cursor zweimal)")
            if max_pages is not None and len(seen) >= max_pages:
                raise PagingIncomplete(f"{self.what}: mehr als {max_pages} Seiten bei {path} – abgebrochen")
            seen.add(label)
            payload = self.get(path, query)
            yield payload, label
            following = next_page_params(payload)
            if following is None:
                return
            query = {**params, **following}


class PagingIncomplete(SourceFormatError):
    """A listing could not be read to its end (cursor loop or page cap)."""


def object_id(value: str) -> str:
    """``value`` checked to be a single Graph object id, so it can go into a URL path safely."""
    if not _OBJECT_ID.fullmatch(value) or ".." in value:
        raise ConfigurationError(f"Ungültige Objekt-ID für die Graph-API: {value!r:.60}")
    return value


def page_size(channel: ChannelConfig, default: int) -> str:
    """The ``limit`` per request: the channel option ``page_size`` (1–100) or ``default``."""
    value = channel.options.get("page_size", default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
        raise ConfigurationError(f"{channel.id}: options.page_size muss eine ganze Zahl von 1 bis 100 sein")
    return str(value)


def _lower_bound(ctx: StreamContext, stream: str) -> datetime | None:
    """How far back a posts stream reads: the user's ``--since``; else the older of the newest stored post
    and the lookback window (counts and edits of young posts are refreshed); the first run reads everything."""
    if ctx.since is not None:
        return ctx.since
    mark = ctx.bookmark(stream)
    if mark is None or mark.newest_at is None:
        return None
    return min(mark.newest_at, ctx.now - timedelta(days=ctx.channel.lookback_days))


def _posts_bookmark(ctx: StreamContext, stream: str, items: Iterable[Item]) -> Bookmark:
    """The posts stream's bookmark after a run: the newest post time seen so far."""
    previous = ctx.bookmark(stream)
    newest = max((it.created_at for it in items), default=None)
    if previous is not None and previous.newest_at is not None:
        newest = max(newest, previous.newest_at) if newest else previous.newest_at
    return Bookmark(channel_id=ctx.channel.id, stream=stream, newest_at=newest)


class OwnPostsStream:
    """The account's own posts, newest first; bookmark: the newest post time (saved when the stream is done)."""

    name: ClassVar[str] = "posts"
    is_sorted: ClassVar[bool] = False

    def __init__(self, api: GraphApi, edge: str, params: Mapping[str, str], parse: Callable[[object], list[Item]],
                 *, send_since: bool) -> None:
        self.api, self.edge, self.params, self.parse, self.send_since = api, edge, params, parse, send_since

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        bound = _lower_bound(ctx, self.name)
        params = dict(self.params)
        if bound is not None and self.send_since:
            params["since"] = str(int(bound.timestamp()))
        seen: list[Item] = []
        for payload, label in self.api.listing(self.edge, params):
            parsed = self.parse(payload)
            items = [it for it in parsed if bound is None or it.created_at >= bound]
            seen.extend(items)
            yield Page(items, cursor=label)
            if len(items) < len(parsed):
                break  # newest first: everything further back is older still (also where 'since' is unknown)
        yield Page([], bookmark=_posts_bookmark(ctx, self.name, seen))


ThreadParser = Callable[[str, object], tuple[list[Item], set[str]]]
"""(post id, one page of its comments) -> (items, ids of every node upstream, malformed ones included)."""


class ThreadScanStream:
    """Every comment and reply under the own posts inside the lookback window, one full scan per post.

    After the last page of a post comes a :class:`ThreadScan`, so stored comments missing upstream are marked
    deleted; a post gone upstream (NotFound) is skipped with a warning and never scanned.
    """

    name: ClassVar[str] = "comments"
    is_sorted: ClassVar[bool] = False

    def __init__(self, api: GraphApi, edge: str, params: Mapping[str, str], parse: ThreadParser) -> None:
        self.api, self.edge, self.params, self.parse = api, edge, params, parse

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        for post_id, _created in ctx.recent_posts:
            seen: set[str] = set()
            try:
                for payload, label in self.api.listing(f"{object_id(post_id)}/{self.edge}", self.params):
                    items, ids = self.parse(post_id, payload)
                    seen |= ids
                    yield Page(items, cursor=label)
            except NotFound as exc:
                yield Page([], warnings=[f"Kommentare zu Beitrag {post_id} nicht abrufbar: {exc.message}"])
                continue
            yield Page([], thread=ThreadScan(post_id, frozenset(seen)))


def write_result(payload: object) -> WriteResult:
    """A Graph write answer (``{"success": true}`` or ``{"id": ...}``) as :class:`WriteResult`."""
    if isinstance(payload, Mapping):
        created = payload.get("id")
        if isinstance(created, str) and created:
            return WriteResult(ok=True, platform_id=created)
        if payload.get("success") is True:
            return WriteResult(ok=True)
    return WriteResult(ok=False, detail=f"Unerwartete Antwort der Graph-API: {json.dumps(payload)[:200]}")
