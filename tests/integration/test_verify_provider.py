"""The plumbing under verify, over real sockets: the recording proxy and provider readiness.

Upstream servers here are tiny http.server instances on 127.0.0.1 and port 0, run in
a thread by the test; the proxy sits in front of them as it does in front of a
provider during verification.
"""

from __future__ import annotations

import http.client
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from contractgate._config import ProviderConfig
from contractgate._provider import free_port, running_provider
from contractgate.verify._proxy import STATES_PATH, RecordingProxy

pytestmark = pytest.mark.integration


@dataclass
class Seen:
    """What an upstream server received."""

    requests: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def upstream(answer: Callable[[BaseHTTPRequestHandler, Seen], None]) -> Iterator[tuple[str, Seen]]:
    """A server on 127.0.0.1:0 that records each request and lets ``answer`` reply."""
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": list(self.headers.items()),
                    "body": self.rfile.read(length) if length else b"",
                }
            )
            answer(self, seen)

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = do_PATCH = do_QUERY = do_OPTIONS = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def teapot(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
    body = b'{"short": "and stout"}'
    handler.send_response_only(418, "Short And Stout")
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Set-Cookie", "a=1")
    handler.send_header("Set-Cookie", "b=2")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def send(
    url: str, method: str, target: str, body: bytes | None = None, **headers: str
) -> http.client.HTTPResponse:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request(method, target, body=body, headers=headers)
    return connection.getresponse()


def test_requests_and_answers_pass_through_unchanged() -> None:
    with upstream(teapot) as (url, seen):
        proxy = RecordingProxy(url, states_url=None, timeout=5)
        with proxy.running():
            answer = send(
                proxy.url,
                "POST",
                "/v1/a%2Fb/items?q=%C3%A9&q=2&empty=",
                b'{"x": 1}',
                **{
                    "Content-Type": "application/json",
                    "X-Request-ID": "r-1",
                    "Authorization": "Bearer t",
                },
            )
            body = answer.read()
    (request,) = seen.requests
    assert request["method"] == "POST"
    assert request["path"] == "/v1/a%2Fb/items?q=%C3%A9&q=2&empty="
    assert request["body"] == b'{"x": 1}'
    received = {k.lower(): v for k, v in request["headers"]}
    assert received["x-request-id"] == "r-1"
    assert received["authorization"] == "Bearer t"
    assert received["host"] == url.removeprefix("http://")
    assert (answer.status, answer.reason) == (418, "Short And Stout")
    assert answer.headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    assert body == b'{"short": "and stout"}'
    (record,) = proxy.records
    assert (record.kind, record.method, record.status) == ("request", "POST", 418)
    assert record.response_body == body
    assert record.exchange().body == {"short": "and stout"}


def test_any_method_is_forwarded() -> None:
    with upstream(teapot) as (url, seen):
        proxy = RecordingProxy(url, states_url=None, timeout=5)
        with proxy.running():
            assert send(proxy.url, "QUERY", "/v1/x", b"{}").status == 418
            assert send(proxy.url, "OPTIONS", "/v1/x").status == 418
    assert [r["method"] for r in seen.requests] == ["QUERY", "OPTIONS"]


def test_a_chunked_request_body_goes_upstream_whole() -> None:
    with upstream(teapot) as (url, seen):
        proxy = RecordingProxy(url, states_url=None, timeout=5)
        with proxy.running():
            host, port = proxy.url.removeprefix("http://").split(":")
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.request(
                "PUT", "/v1/x", body=iter([b"hello ", b"world"]), encode_chunked=True
            )
            assert connection.getresponse().status == 418
    assert seen.requests[0]["body"] == b"hello world"
    assert proxy.records[0].request_body == b"hello world"


def test_a_head_answer_keeps_its_length_and_has_no_body() -> None:
    with upstream(teapot) as (url, _):
        proxy = RecordingProxy(url, states_url=None, timeout=5)
        with proxy.running():
            answer = send(proxy.url, "HEAD", "/v1/x")
            assert answer.read() == b""
    assert answer.headers["Content-Length"] == "22"


def test_provider_state_calls_go_to_the_state_url() -> None:
    with upstream(teapot) as (url, seen):
        proxy = RecordingProxy(url, states_url=url + "/_pact/states", timeout=5)
        with proxy.running():
            assert proxy.states_url is not None
            call = json.dumps({"state": "alice exists", "action": "setup"}).encode()
            send(proxy.origin, "POST", STATES_PATH, call).read()
    assert seen.requests[0]["path"] == "/_pact/states"
    (record,) = proxy.records
    assert record.kind == "state"
    assert record.state_call() == ("alice exists", "setup")


def test_a_provider_that_does_not_answer_in_time_gets_the_connection_closed() -> None:
    def slow(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        time.sleep(3)

    with upstream(slow) as (url, _):
        proxy = RecordingProxy(url, states_url=None, timeout=0.3)
        with proxy.running():
            started = time.monotonic()
            with pytest.raises(http.client.RemoteDisconnected):
                send(proxy.url, "GET", "/v1/slow")
            assert time.monotonic() - started < 2
    (record,) = proxy.records
    assert record.status is None
    assert record.error == "the provider did not answer within 0.3s"


def test_a_provider_that_is_gone_is_recorded_as_unreachable() -> None:
    proxy = RecordingProxy(f"http://127.0.0.1:{free_port()}", states_url=None, timeout=1)
    with proxy.running(), pytest.raises(http.client.RemoteDisconnected):
        send(proxy.url, "GET", "/v1/x")
    assert proxy.records[0].error == "the connection to the provider failed: Connection refused"


def test_a_failing_state_call_is_passed_on_once_then_refused() -> None:
    """The verifier retries 5xx state calls for minutes; the proxy lets it retry once."""

    def broken(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        handler.send_response(500)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    call = json.dumps({"state": "alice exists", "action": "setup"}).encode()
    with upstream(broken) as (url, _):
        proxy = RecordingProxy(url, states_url=url + "/states", timeout=5)
        with proxy.running():
            assert send(proxy.origin, "POST", STATES_PATH, call).status == 500
            with pytest.raises(http.client.RemoteDisconnected):
                send(proxy.origin, "POST", STATES_PATH, call)
            assert send(proxy.url, "GET", "/v1/x").status == 500  # requests: always passed on
    assert [r.passed_on for r in proxy.records] == [True, False, True]
    assert all(r.status == 500 for r in proxy.records)


SLOW_START = """
import sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
started = time.monotonic()

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        ready = time.monotonic() - started > 1.0
        self.send_response(200 if ready else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass

HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def test_readiness_waits_through_server_errors_until_health_answers() -> None:
    config = ProviderConfig(command=("{python}", "-c", SLOW_START, "{port}"), health="/health")
    started = time.monotonic()
    with running_provider("slow", config, startup_timeout=10) as provider:
        assert time.monotonic() - started >= 1.0
        assert provider.health_url == provider.base_url + "/health"
        assert provider.command is not None
        assert provider.command[0] == sys.executable
        process = provider.process
        assert process is not None
        assert process.poll() is None
        assert send(provider.base_url, "GET", "/health").status == 200
    assert process.poll() is not None


def test_a_health_path_that_keeps_failing_is_reported_with_its_status() -> None:
    always_503 = SLOW_START.replace("> 1.0", "> 1e9")
    config = ProviderConfig(command=("{python}", "-c", always_503, "{port}"), health="/health")
    from contractgate._errors import ServiceError

    with pytest.raises(ServiceError) as caught, running_provider("sick", config, startup_timeout=1):
        pass
    assert "/health answered 503" in str(caught.value)


def test_a_request_that_cannot_be_forwarded_is_recorded_as_such() -> None:
    with upstream(teapot) as (url, seen):
        proxy = RecordingProxy(url, states_url=None, timeout=5)
        with proxy.running():
            host, port = proxy.url.removeprefix("http://").split(":")
            with socket.create_connection((host, int(port)), timeout=5) as sock:
                sock.sendall(b"GET /v1/a\x01b HTTP/1.1\r\nHost: h\r\n\r\n")
                assert sock.recv(100) == b""  # closed without an answer
    assert seen.requests == []
    (record,) = proxy.records
    assert record.error is not None
    assert record.error.startswith("the request cannot be forwarded: URL can't contain control")
