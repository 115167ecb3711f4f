"""The one HTTP client every connector uses: timeouts, User-Agent, retries with backoff, error mapping.

Retries: 429, 5xx, connection errors (including resets) and timeouts, with exponential backoff and full
jitter, honouring ``Retry-After`` (seconds or HTTP date) and the ``X-RateLimit-Remaining/Reset`` headers
(Mastodon and others); the total wait of one call is capped. Other 4xx are fatal: 401/403 ->
:class:`AuthError`, 404/410 -> :class:`NotFound`. A connector's ``error_hook`` sees every error response
first (Graph API codes, Bluesky's "not found" as HTTP 400). Messages are German and name only
``scheme://host/path`` — never the query string, where tokens live.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit

import certifi
import httpx
import orjson

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


def _version() -> str:
    try:
        return version("netzpflege")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0"


USER_AGENT = f"Netzpflege/{_version()} (+https://github.com/netzpflege/netzpflege)"

ErrorHook = Callable[[httpx.Response], ConnectorError | None]
"""Maps a platform's error body to an error (or None to fall back to the status-based mapping)."""

PaceHook = Callable[[httpx.Response], float | None]
"""Seconds to pause before the next request, read from platform usage headers (e.g. Graph ``x-app-usage``)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: attempts per call, backoff base and caps (seconds)."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 60.0  # one backoff (or Retry-After) is never longer than this
    max_total_wait: float = 300.0  # all waits of one call together (a Mastodon window is 5 minutes)
    rate_limit_floor: int = 1  # pause until X-RateLimit-Reset once Remaining drops below this


@cache
def _ssl_context() -> ssl.SSLContext:
    """One verified TLS context for all clients (building one costs ~50 ms: loading the CA bundle)."""
    return ssl.create_default_context(cafile=certifi.where())  # the CA bundle httpx uses by default


def safe_url(url: str | httpx.URL) -> str:
    """``scheme://host/path`` of ``url``: never the query (tokens, cursors) nor credentials."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """``Retry-After`` as seconds from ``now`` (epoch seconds): delta-seconds or an HTTP date; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def parse_reset(value: str | None, *, now: float) -> float | None:
    """``X-RateLimit-Reset`` (ISO 8601 as Mastodon sends it, or epoch seconds) as seconds from ``now``."""
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return max(0.0, stamp.timestamp() - now)
    # small numbers are delta seconds (GitHub-style "reset in"), large ones epoch seconds
    return max(0.0, number - now) if number > 1_000_000_000 else max(0.0, number)


def rate_limit_pause(response: httpx.Response, *, now: float, floor: int = 1) -> float | None:
    """Seconds to wait before the next request when ``X-RateLimit-Remaining`` is below ``floor``."""
    remaining = response.headers.get("x-ratelimit-remaining")
    if remaining is None:
        return None
    try:
        left = int(float(remaining))
    except ValueError:
        return None
    if left >= floor:
        return None
    return parse_reset(response.headers.get("x-ratelimit-reset"), now=now)


def status_error(response: httpx.Response, what: str) -> ConnectorError:
    """The default mapping of an HTTP error status to the error tree (German message, no query)."""
    code = response.status_code
    where = safe_url(response.request.url)
    if code == 429:
        return RateLimited(f"{what}: zu viele Anfragen (HTTP 429) bei {where}")
    if code >= 500:
        return RetriableError(f"{what}: Serverfehler HTTP {code} bei {where}")
    if code in (401, 403):
        return AuthError(f"{what}: Zugriff verweigert (HTTP {code}) bei {where} – Zugangsschlüssel prüfen")
    if code in (404, 410):
        return NotFound(f"{what}: nicht gefunden (HTTP {code}) bei {where}")
    return FatalError(f"{what}: Anfrage abgelehnt (HTTP {code}) bei {where}")


class HttpClient:
    """A thin, retrying wrapper around one :class:`httpx.Client`; share one per channel sync.

    ``sleep``, ``clock``, ``rng`` and ``transport`` are injectable so tests run without real waiting.
    """

    def __init__(
        self,
        *,
        timeout: float | httpx.Timeout = 20.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self.waited = 0.0  # total seconds slept over the client's life (for tests and logs)
        self._pause_until = 0.0
        tmo = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout, connect=min(timeout, 10.0))
        self._http = httpx.Client(
            timeout=tmo,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
            verify=_ssl_context(),
            follow_redirects=True,
        )

    # --- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- requests --------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int | list[str]] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        token: str | None = None,
        token_param: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        error_hook: ErrorHook | None = None,
        pace_hook: PaceHook | None = None,
        what: str = "Abruf",
    ) -> httpx.Response:
        """Send one request with retries; return the 2xx or 304 response, raise a :class:`ConnectorError`.

        ``token`` goes into ``Authorization: Bearer`` or, with ``token_param``, into that query parameter.
        ``etag``/``last_modified`` make the request conditional (a 304 is returned, not raised).
        ``what`` names the request in messages ("Mastodon-Beiträge").
        """
        hdrs = dict(headers or {})
        query: dict[str, Any] = dict(params or {})
        if token:
            if token_param:
                query[token_param] = token
            else:
                hdrs["Authorization"] = f"Bearer {token}"
        if etag:
            hdrs["If-None-Match"] = etag
        if last_modified:
            hdrs["If-Modified-Since"] = last_modified
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            self._respect_pause()
            try:
                response = self._http.request(method, url, params=query or None, json=json_body, data=data,
                                              headers=hdrs)
                error = self._check(response, error_hook, what)
            except httpx.UnsupportedProtocol:
                raise ConfigurationError(f"{what}: ungültige Adresse {safe_url(url)}") from None
            except httpx.TimeoutException:
                error = RetriableError(f"{what}: Zeitüberschreitung bei {safe_url(url)}")
            except httpx.TransportError as exc:
                error = RetriableError(
                    f"{what}: Verbindung zu {safe_url(url)} fehlgeschlagen ({type(exc).__name__})"
                )
            if error is None:
                self._note_pace(response, pace_hook)
                return response
            if not error.retriable:
                raise error
            delay = self._backoff(attempt, error)
            if attempt >= self.retry.attempts or waited + delay > self.retry.max_total_wait:
                error.message = f"{error.message} – aufgegeben nach {attempt} Versuchen"
                raise error
            self.sleep(delay)
            waited += delay
            self.waited += delay

    def get_json(self, url: str, **kwargs: Any) -> tuple[Any, httpx.Response]:
        """GET ``url`` and parse its JSON body; malformed JSON raises :class:`SourceFormatError`.

        Accepts the keyword arguments of :meth:`request`. A 304 returns ``(None, response)``.
        """
        response = self.request("GET", url, **kwargs)
        if response.status_code == 304:
            return None, response
        return parse_json(response, kwargs.get("what", "Abruf")), response

    # --- internals -------------------------------------------------------------------------

    def _check(self, response: httpx.Response, hook: ErrorHook | None, what: str) -> ConnectorError | None:
        if response.status_code < 400:
            return None
        response.read()
        error = hook(response) if hook else None
        if error is None:
            error = status_error(response, what)
        if isinstance(error, RateLimited) and error.retry_after is None:
            error.retry_after = parse_retry_after(response.headers.get("retry-after"), now=self.clock())
            if error.retry_after is None:
                error.retry_after = rate_limit_pause(response, now=self.clock(), floor=self.retry.rate_limit_floor)
        elif isinstance(error, RetriableError) and not isinstance(error, RateLimited):
            after = parse_retry_after(response.headers.get("retry-after"), now=self.clock())
            if after is not None:  # 503 with Retry-After: honour it like a rate limit
                error = RateLimited(error.message, retry_after=after)
        return error

    def _backoff(self, attempt: int, error: ConnectorError) -> float:
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return min(error.retry_after, self.retry.max_delay)
        ceiling = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        return self.rng.uniform(0, ceiling)  # full jitter (AWS architecture blog)

    def _note_pace(self, response: httpx.Response, hook: PaceHook | None) -> None:
        now = self.clock()
        pauses = [rate_limit_pause(response, now=now, floor=self.retry.rate_limit_floor)]
        if hook:
            pauses.append(hook(response))
        pause = max((p for p in pauses if p), default=0.0)
        if pause:
            self._pause_until = max(self._pause_until, now + min(pause, self.retry.max_total_wait))

    def _respect_pause(self) -> None:
        if self._pause_until:
            delay = self._pause_until - self.clock()
            self._pause_until = 0.0
            if delay > 0:
                self.sleep(delay)
                self.waited += delay


def parse_json(response: httpx.Response, what: str = "Abruf") -> Any:
    """The JSON body of ``response``; malformed JSON raises :class:`SourceFormatError` (German, no query)."""
    try:
        return decode_json(response.content)
    except (ValueError, UnicodeDecodeError):
        where = safe_url(response.request.url)
        raise SourceFormatError(f"{what}: Antwort von {where} ist kein gültiges JSON") from None


_LONG_RUN = 19  # digits from which orjson may read an integer literal as a float
_DIGITS_TO_1 = bytes(0x31 if 0x30 <= i <= 0x39 else 0x2E for i in range(256))  # every digit "1", the rest "."


def _has_long_number(body: bytes | str) -> bool:
    """Whether ``body`` holds a run of 19+ digits (in a number or, harmlessly, a string). On bytes by one
    ``translate`` and one substring search: a regex scan would double the decoding time of a page."""
    if isinstance(body, str):
        return re.search(rf"\d{{{_LONG_RUN}}}", body) is not None
    return b"1" * _LONG_RUN in body.translate(_DIGITS_TO_1)


class NonFiniteFloat(float):
    """NaN or ±Infinity from non-standard JSON: orjson.dumps refuses a float subclass (TypeError), which is what
    makes ``store.items.raw_json`` keep it via json (plain NaN would silently become null)."""


def decode_json(body: bytes | str) -> Any:
    """JSON text as Python data: orjson (several times faster than :mod:`json` on API pages), falling back to
    :mod:`json` for what orjson refuses but Python accepts (a BOM, UTF-16, lone surrogates, NaN, Infinity), so
    nothing that decoded before fails now. Raises ValueError (or UnicodeDecodeError) for malformed JSON.

    orjson reads an integer literal beyond 64 bits as a float; a body with a run of 19 or more digits is read by
    :mod:`json`, which keeps such integers exact.
    """
    if _has_long_number(body):
        return json.loads(body, parse_constant=NonFiniteFloat)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body, parse_constant=NonFiniteFloat)
