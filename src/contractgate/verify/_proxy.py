"""A recording proxy on loopback, between pact's verifier and the provider.

pact's verifier sends every interaction's request (and every provider-state call)
here; the proxy forwards it unchanged to the provider, returns the answer unchanged,
and keeps both. So the responses checked against the OpenAPI spec afterwards are the
very ones pact's verifier judged, not a second, possibly different, round of calls.

Forwarding is byte-faithful: method, target, headers (but the hop-by-hop ones) and
body go upstream as they came; status, reason, headers and body come back the same
way. Every upstream call has a timeout; when the provider does not answer in time (or
cannot be reached) the proxy closes the verifier's connection without an answer, as
the provider would have, and the record says what happened. (A made-up ``504`` would
not do: the verifier retries failing provider-state calls for minutes, see
:meth:`RecordingProxy.passes_on`.)
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit

from .._provider import LOOPBACK, redact_headers
from ._results import Exchange

STATES_PATH = "/__contractgate__/provider-states"
MAX_RECORDED_BODY = 4096
_POLL_SECONDS = 0.005  # how soon the server notices it is asked to stop
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
    }
)
Kind = Literal["request", "state"]


@dataclass
class Recorded:
    """One request that went through the proxy, with the provider's answer (raw)."""

    seq: int
    kind: Kind
    method: str
    target: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int | None = None
    reason: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    duration: float = 0.0
    error: str | None = None
    passed_on: bool = False
    """Whether the verifier got this answer (see :meth:`RecordingProxy.passes_on`)."""

    def header(self, name: str) -> str | None:
        """A response header's value, by case-insensitive name."""
        lowered = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == lowered), None)

    def state_call(self) -> tuple[str, str]:
        """``(state, action)`` of a provider-state call (pact sends them as a JSON body)."""
        try:
            data = json.loads(self.request_body or b"{}")
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        return str(data.get("state", "")), str(data.get("action") or "setup")

    def exchange(self) -> Exchange:
        """What may be reported of this record: credentials redacted, the body cut short."""
        return Exchange(
            method=self.method,
            target=self.target,
            status=self.status,
            request_headers=redact_headers(dict(self.request_headers)),
            response_headers=redact_headers(dict(self.response_headers)),
            body=_shown_body(self.response_body, self.header("content-type")),
            duration=self.duration,
            error=self.error,
        )


def _shown_body(body: bytes, content_type: str | None) -> Any:
    if not body:
        return None
    if content_type and "json" in content_type.lower() and len(body) <= MAX_RECORDED_BODY:
        try:
            return json.loads(body)
        except ValueError:
            pass
    text = body[:MAX_RECORDED_BODY].decode("utf-8", errors="replace")
    return text + ("..." if len(body) > MAX_RECORDED_BODY else "")


class RecordingProxy:
    """Forward to ``upstream`` (and provider-state calls to ``states_url``), keeping each call.

    ``with proxy.running():`` serves on ``127.0.0.1`` and a free port for the block;
    :attr:`url` is what to give the verifier as the provider's URL, :attr:`states_url`
    what to give it as the provider-state URL, and :attr:`records` holds every call.
    """

    def __init__(self, upstream: str, *, states_url: str | None, timeout: float) -> None:
        self.upstream = urlsplit(upstream)
        self.upstream_states = urlsplit(states_url) if states_url else None
        self.timeout = timeout
        self.records: list[Recorded] = []
        self._state_failures: dict[bytes, int] = {}
        self._pools: list[dict[str, http.client.HTTPConnection]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        assert self._server is not None, "the proxy is not running"
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The provider's base URL as seen through the proxy (same path as upstream)."""
        return self.origin + self.upstream.path.rstrip("/")

    @property
    def states_url(self) -> str | None:
        return self.origin + STATES_PATH if self.upstream_states else None

    @contextmanager
    def running(self) -> Iterator[RecordingProxy]:
        """Serve for the length of the block; the server and its threads stop after it."""
        server = _QuietServer((LOOPBACK, 0), _handler_class(self))
        self._server = server
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": _POLL_SECONDS}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
            self._server = None
            with self._lock:  # kept-alive upstream connections would delay a provider's stop
                for pool in self._pools:
                    for connection in list(pool.values()):
                        connection.close()
                self._pools.clear()

    def forward(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        connections: dict[str, http.client.HTTPConnection] | None = None,
    ) -> Recorded:
        """Send one request upstream and record it with the answer (or the failure).

        ``connections`` are the upstream connections kept alive for one client
        connection (by origin): the provider sees the verifier's connection reuse.
        """
        kind: Kind = "request"
        upstream, upstream_target = self.upstream, target
        if self.upstream_states is not None and target.split("?", 1)[0] == STATES_PATH:
            kind, upstream = "state", self.upstream_states
            query = target.partition("?")[2] or upstream.query
            upstream_target = (upstream.path or "/") + (f"?{query}" if query else "")
        with self._lock:
            record = Recorded(len(self.records), kind, method, target, headers, body)
            self.records.append(record)
        started = time.perf_counter()
        try:
            status, reason, answer_headers, answer = self._call(
                upstream,
                method,
                upstream_target,
                headers,
                body,
                {} if connections is None else connections,
            )
        except _Unforwardable as exc:
            record.error = f"the request cannot be forwarded: {exc}"
        except TimeoutError:
            record.error = f"the provider did not answer within {self.timeout:g}s"
        except http.client.RemoteDisconnected:
            record.error = "the provider closed the connection without an answer"
        except OSError as exc:
            record.error = f"the connection to the provider failed: {exc.strerror or exc}"
        except http.client.HTTPException as exc:
            record.error = f"the provider answered something that is not HTTP: {exc!r}"
        else:
            record.status = status
            record.reason = reason
            record.response_headers = answer_headers
            record.response_body = answer
        record.duration = time.perf_counter() - started
        return record

    def passes_on(self, record: Recorded) -> bool:
        """Whether the verifier gets the provider's answer, or a closed connection instead.

        Without an answer it gets none. And pact's verifier retries a provider-state
        call that fails with a 5xx, backing off 1, 2, 4, 8... seconds for minutes: the
        proxy passes on the first failure (so one retry can still recover from a
        passing hiccup), then answers repeats of the same failing call by closing the
        connection, which the verifier takes as a final failure.
        """
        if record.status is None:
            passed = False
        elif record.kind != "state":
            passed = True
        else:
            key = record.request_body
            with self._lock:
                if record.status < 500:
                    self._state_failures.pop(key, None)
                    passed = True
                else:
                    self._state_failures[key] = self._state_failures.get(key, 0) + 1
                    passed = self._state_failures[key] <= 1
        record.passed_on = passed
        return passed

    def _call(
        self,
        upstream: SplitResult,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        connections: dict[str, http.client.HTTPConnection],
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        """One exchange upstream, on the client's kept-alive upstream connection if any.

        A kept connection the provider has closed meanwhile fails before any answer;
        the request then goes once more on a new connection, as HTTP clients do.
        """
        key = f"{upstream.scheme}://{upstream.netloc}"
        kept = connections.pop(key, None)
        connection = kept or self._connect(upstream)
        try:
            answer = self._exchange(connection, upstream, method, target, headers, body)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            connection.close()
            if kept is None:
                raise
            connection = self._connect(upstream)
            try:
                answer = self._exchange(connection, upstream, method, target, headers, body)
            except BaseException:
                connection.close()
                raise
        except BaseException:
            connection.close()
            raise
        status, reason, answer_headers, data, keep_alive = answer
        if keep_alive:
            connections[key] = connection
        else:
            connection.close()
        return status, reason, answer_headers, data

    def _connect(self, upstream: SplitResult) -> http.client.HTTPConnection:
        secure = upstream.scheme == "https"
        connection_class = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        return connection_class(upstream.hostname or LOOPBACK, upstream.port, timeout=self.timeout)

    @staticmethod
    def _exchange(
        connection: http.client.HTTPConnection,
        upstream: SplitResult,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
    ) -> tuple[int, str, list[tuple[str, str]], bytes, bool]:
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", upstream.netloc)
            for name, value in headers:
                if name.lower() not in _HOP_BY_HOP:
                    connection.putheader(name, value)
        except (ValueError, http.client.InvalidURL) as exc:  # e.g. control characters
            raise _Unforwardable(str(exc)) from None
        if body or method.upper() in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        data = response.read()
        keep_alive = not response.will_close
        return response.status, response.reason, list(response.getheaders()), data, keep_alive


class _Unforwardable(Exception):
    """A request http.client will not send as it is (so it is not sent at all)."""


class _QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that never writes to stderr (a library never prints)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that goes away mid-request (a reset connection) is not an error here."""


def _handler_class(proxy: RecordingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = proxy.timeout + 30  # an idle keep-alive connection does not hold a thread

        def setup(self) -> None:
            super().setup()
            self.upstreams: dict[str, http.client.HTTPConnection] = {}
            with proxy._lock:
                proxy._pools.append(self.upstreams)
            # Headers and body go out in two writes: without this, Nagle's algorithm and
            # the client's delayed ACK hold every keep-alive answer back ~40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _forward(self) -> None:
            body = self._read_body()
            record = proxy.forward(
                self.command, self.path, list(self.headers.items()), body, self.upstreams
            )
            if record.status is None or not proxy.passes_on(record):
                self.close_connection = True
                return
            self.send_response_only(record.status, record.reason or None)
            for name, value in record.response_headers:
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            if self.command != "HEAD":
                self.send_header("Content-Length", str(len(record.response_body)))
            elif record.header("content-length") is not None:
                self.send_header("Content-Length", record.header("content-length") or "0")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(record.response_body)

        def finish(self) -> None:
            for connection in self.upstreams.values():
                connection.close()
            super().finish()

        def _read_body(self) -> bytes:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                chunks: list[bytes] = []
                while True:
                    size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline().strip():  # trailers
                            pass
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def __getattr__(self, name: str) -> Any:
            # http.server dispatches METHOD to do_METHOD: every method is forwarded
            # (QUERY, PROPFIND, made-up ones), as the provider would receive it.
            if name.startswith("do_"):
                return self._forward
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: a library never writes to the terminal."""

    return Handler
