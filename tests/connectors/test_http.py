"""The shared HTTP client: retries and backoff, Retry-After, rate-limit pacing, error mapping, safe messages."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable

import httpx
import pytest

from connectors.errors import (
    AuthError,
    ConnectorError,
    FatalError,
    NotFound,
    RateLimited,
    RetriableError,
    SourceFormatError,
)
from connectors.http import USER_AGENT, HttpClient, RetryPolicy, decode_json, parse_reset, parse_retry_after, safe_url
from tests.connectors.conftest import SleepRecorder

URL = "https://social.musterstadt.de/api/v1/timelines/home?access_token=GEHEIM123&max_id=5"
NOW = 1_780_000_000.0


def _client(responses: list[httpx.Response | Exception], sleep: SleepRecorder,
            retry: RetryPolicy | None = None, seen: list[httpx.Request] | None = None) -> HttpClient:
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return HttpClient(transport=httpx.MockTransport(handler), sleep=sleep, clock=lambda: NOW,
                      rng=random.Random(7), retry=retry or RetryPolicy(base_delay=1.0, max_delay=8.0))


def test_user_agent_and_bearer_token() -> None:
    seen: list[httpx.Request] = []
    with _client([httpx.Response(200, json=[])], SleepRecorder(), seen=seen) as client:
        body, _ = client.get_json("https://x.example/api", token="t0k")
    assert body == []
    assert seen[0].headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("Netzpflege/")
    assert seen[0].headers["authorization"] == "Bearer t0k"


def test_token_as_query_parameter() -> None:
    seen: list[httpx.Request] = []
    with _client([httpx.Response(200, json={})], SleepRecorder(), seen=seen) as client:
        client.get_json("https://graph.example/v19.0/me", token="t0k", token_param="access_token")
    assert seen[0].url.params["access_token"] == "t0k" and "authorization" not in seen[0].headers


@pytest.mark.parametrize("failure", [
    httpx.Response(500), httpx.Response(502), httpx.Response(503), httpx.Response(429),
    httpx.ConnectError("reset"), httpx.ReadError("Connection reset by peer"), httpx.ReadTimeout("slow"),
    httpx.RemoteProtocolError("Server disconnected without sending a response."),
])
def test_transient_failures_are_retried_with_jittered_backoff(failure: httpx.Response | Exception) -> None:
    slept = SleepRecorder()
    with _client([failure, failure, httpx.Response(200, json={"ok": True})], slept) as client:
        body, _ = client.get_json(URL)
    assert body == {"ok": True}
    assert len(slept) == 2
    assert 0 <= slept[0] <= 1.0 and 0 <= slept[1] <= 2.0  # full jitter under 1 s, then 2 s ceilings


def test_retry_after_seconds_and_http_date_are_honoured() -> None:
    slept = SleepRecorder()
    date = email.utils.formatdate(NOW + 7, usegmt=True)
    responses: list[httpx.Response | Exception] = [
        httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(503, headers={"Retry-After": date}),
        httpx.Response(200, json=1),
    ]
    with _client(responses, slept) as client:
        client.get_json(URL)
    assert slept == [3.0, 7.0]


def test_mastodon_rate_limit_reset_paces_the_next_request() -> None:
    slept = SleepRecorder()
    reset = "2026-05-28T20:26:45.000Z"  # NOW is 2026-05-28T20:26:40Z
    responses: list[httpx.Response | Exception] = [
        httpx.Response(200, json=[], headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
        httpx.Response(200, json=[]),
    ]
    with _client(responses, slept) as client:
        client.get_json(URL)
        assert slept == []
        client.get_json(URL)
    assert slept == [pytest.approx(5.0)]


def test_total_wait_is_capped() -> None:
    slept = SleepRecorder()
    retry = RetryPolicy(attempts=10, max_delay=60, max_total_wait=100)
    many: list[httpx.Response | Exception] = [httpx.Response(429, headers={"Retry-After": "45"})] * 10
    with _client(many, slept, retry) as client, pytest.raises(RateLimited) as err:
        client.get_json(URL)
    assert slept == [45.0, 45.0]
    assert "aufgegeben nach 3 Versuchen" in str(err.value)


def test_attempts_are_capped() -> None:
    with _client([httpx.Response(500)] * 5, SleepRecorder(), RetryPolicy(attempts=3)) as client:
        with pytest.raises(RetriableError, match="Serverfehler HTTP 500"):
            client.get_json(URL)


@pytest.mark.parametrize(("status", "error"), [
    (401, AuthError), (403, AuthError), (404, NotFound), (410, NotFound), (400, FatalError), (422, FatalError),
])
def test_other_4xx_are_fatal_at_once(status: int, error: type[ConnectorError]) -> None:
    slept = SleepRecorder()
    with _client([httpx.Response(status, json={"error": "x"})], slept) as client, pytest.raises(error) as err:
        client.get_json(URL)
    assert slept == [] and not err.value.retriable


def test_messages_never_contain_tokens_or_query() -> None:
    with _client([httpx.Response(401)], SleepRecorder()) as client, pytest.raises(AuthError) as err:
        client.get_json(URL, token="GEHEIM-BEARER")
    message = str(err.value)
    assert "GEHEIM" not in message and "max_id" not in message and "?" not in message
    assert "https://social.musterstadt.de/api/v1/timelines/home" in message
    assert "Zugriff verweigert" in message


def test_error_hook_runs_before_the_status_mapping() -> None:
    def graph(response: httpx.Response) -> ConnectorError | None:
        code = response.json().get("error", {}).get("code")
        if code == 190:
            return AuthError("Facebook: Zugriffstoken abgelaufen")
        if code in (4, 17, 32, 613):
            return RateLimited("Facebook: Drosselung", retry_after=6)
        return None

    slept = SleepRecorder()
    responses: list[httpx.Response | Exception] = [
        httpx.Response(400, json={"error": {"code": 17}}), httpx.Response(400, json={"error": {"code": 190}}),
    ]
    with _client(responses, slept) as client, pytest.raises(AuthError, match="abgelaufen"):
        client.get_json(URL, error_hook=graph)
    assert slept == [6]


def test_pace_hook_pauses_before_the_next_request() -> None:
    slept = SleepRecorder()
    responses: list[httpx.Response | Exception] = [httpx.Response(200, json={}), httpx.Response(200, json={})]
    pace: Callable[[httpx.Response], float | None] = lambda r: 5.0  # noqa: E731
    with _client(responses, slept) as client:
        client.get_json(URL, pace_hook=pace)
        client.get_json(URL)
    assert slept == [5.0]


def test_malformed_json_is_a_source_format_error() -> None:
    with _client([httpx.Response(200, content=b'{"data": [')], SleepRecorder()) as client:
        with pytest.raises(SourceFormatError, match="kein gültiges JSON"):
            client.get_json(URL)


def test_conditional_get_sends_validators_and_returns_304() -> None:
    seen: list[httpx.Request] = []
    with _client([httpx.Response(304)], SleepRecorder(), seen=seen) as client:
        body, response = client.get_json(URL, etag='"abc"', last_modified="Mon, 02 Mar 2026 08:00:00 GMT")
    assert body is None and response.status_code == 304
    assert seen[0].headers["if-none-match"] == '"abc"'
    assert seen[0].headers["if-modified-since"] == "Mon, 02 Mar 2026 08:00:00 GMT"


def test_header_parsers() -> None:
    assert parse_retry_after("120", now=NOW) == 120.0
    assert parse_retry_after("Quatsch", now=NOW) is None
    assert parse_retry_after(email.utils.formatdate(NOW - 50, usegmt=True), now=NOW) == 0.0
    assert parse_reset("2026-05-28T20:27:40Z", now=NOW) == pytest.approx(60.0)
    assert parse_reset(str(NOW + 30), now=NOW) == pytest.approx(30.0)
    assert safe_url("https://user:pw@host.example:8443/a/b?token=x#f") == "https://host.example:8443/a/b"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a": 123456789012345678901234567890}', {"a": 123456789012345678901234567890}),
        ('[1, -9223372036854775809]', [1, -9223372036854775809]),
        (b'{"id": "12345678901234567890", "n": 7}', {"id": "12345678901234567890", "n": 7}),
    ],
)
def test_decode_json_keeps_long_integers_exact(body: bytes | str, expected: object) -> None:
    """orjson would read the first two as floats (precision lost); a body with any run of 19+ digits, even inside
    a string (the id), goes to json, which reads it the same."""
    assert decode_json(body) == expected
