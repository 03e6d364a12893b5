"""Test doubles for code using the clients: a fake clock and a scripted HTTP adapter.

Mount a `ScriptedAdapter` on a session and pass a `FakeClock` to the clients:
retries, backoff and breaker cool-downs then run without real sleeps or sockets.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict


class FakeClock:
    """A clock that only moves when told to or when slept on; records every sleep."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """Return the fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record `seconds` and advance the fake time by it, at once."""
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.now += seconds


def reply(
    status: int = 200,
    body: object = None,
    *,
    headers: Mapping[str, str] | None = None,
    raw: bytes | None = None,
) -> requests.Response:
    """A response with `body` as JSON (problem+json for 4xx/5xx), or `raw` bytes as is."""
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers or {})
    if raw is not None:
        response._content = raw
    elif body is not None:
        response._content = json.dumps(body).encode()
        kind = "application/problem+json" if status >= 400 else "application/json"
        response.headers.setdefault("Content-Type", kind)
    else:
        response._content = b""
    return response


class ScriptedAdapter(HTTPAdapter):
    """Answers each request with the next scripted response or raises the scripted exception.

    Every request and the timeout it was sent with are recorded. `latency`
    seconds pass on `clock` for each request, as if the network took that long,
    but never more than the request's timeout.
    """

    def __init__(
        self,
        *script: requests.Response | Exception,
        clock: FakeClock | None = None,
        latency: float = 0.0,
    ) -> None:
        super().__init__()
        self.script: deque[requests.Response | Exception] = deque(script)
        self.requests: list[requests.PreparedRequest] = []
        self.timeouts: list[float | tuple[float, float] | tuple[float, None] | None] = []
        self._clock = clock
        self._latency = latency

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Record the request and play the next step of the script."""
        self.requests.append(request)
        self.timeouts.append(timeout)
        if self._clock is not None:
            limit = timeout if isinstance(timeout, float | int) else self._latency
            self._clock.advance(min(self._latency, limit))
        if not self.script:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        step = self.script.popleft()
        if isinstance(step, Exception):
            raise step
        step.request = request
        step.url = request.url or ""
        return step


def scripted_session(adapter: ScriptedAdapter) -> requests.Session:
    """A session whose every http(s) request goes to `adapter`."""
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
