"""contractgate's side of a lazily served imposter (see :mod:`._layout`).

A :class:`Materializer` is a small HTTP server on loopback, threads of this process,
that the imposter's last stub proxies to. For a request no stub on Mountebank
matched, it finds the route group that can answer it, inserts that group's stubs on
Mountebank (under a lock: each group once, at its places in the plan's order) and
replays the request to the imposter, which answers it from the new stubs: the
answer, its place in a fault schedule and its latency are Mountebank's, as they
would be with every stub there from the start. A request no operation documents is
answered with the plan's 404 here.

The proxy stub names the plan it belongs to (``X-Contractgate-Plan``): when another
process switches the scenario (``contractgate stub scenario``), the next proxied
request carries a plan this process has not issued, and it rebuilds that plan.
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
import struct
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .._errors import ContractgateError
from .._openapi import Spec
from ._imposter import LOOPBACK, LazyPlan
from ._layout import PLAN_HEADER, REPLAY_HEADER, Layout, layout
from ._mountebank import MountebankClient

REPLAY_MARGIN = 30.0
"""Seconds a replay may take beyond the longest delay the plan schedules."""
IDLE_TIMEOUT = 30.0
"""Seconds an idle keep-alive connection from Mountebank's proxy is kept open."""
_HOP_HEADERS = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "host",
    "content-length",
    "proxy-connection",
    PLAN_HEADER.lower(),
}
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def new_plan_id(plan: LazyPlan) -> str:
    """A fresh name for ``plan`` being put on Mountebank: ``seed/token/scenario``."""
    return f"{plan.seed}/{secrets.token_hex(6)}/{plan.scenario}"


def parse_plan_id(plan_id: str) -> tuple[str, int]:
    """``(scenario, seed)`` of a plan id; ValueError when it is not one."""
    seed, _, rest = plan_id.partition("/")
    _, _, scenario = rest.partition("/")
    if not scenario:
        raise ValueError(f"not a plan id: {plan_id!r}")
    return scenario, int(seed)


@dataclass(frozen=True)
class _Request:
    method: str
    target: str
    """Path and query, as the client sent them."""
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class _ConnectionBroken(Exception):
    """The imposter broke the replayed request's connection: break this one too."""


class Materializer:
    """Puts a lazily served plan's route groups on Mountebank as requests need them."""

    def __init__(
        self,
        client: MountebankClient,
        spec: Spec,
        plan: LazyPlan,
        replan: Callable[[str, int], LazyPlan],
    ) -> None:
        self.client = client
        self.spec = spec
        self.replan = replan
        self.port: int | None = None
        """The imposter's port (see :meth:`attach`)."""
        self.notes: deque[str] = deque(maxlen=50)
        """What the user may want to know, newest last (see :meth:`take_notes`): the plan's
        notes about stubs made since, and requests that could not be answered."""
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._replays = 0
        self._issued: set[str] = set()
        self._install(plan, new_plan_id(plan))
        self._server = _Server((LOOPBACK, 0), _Handler)
        self._server.materializer = self
        self.url = f"http://{LOOPBACK}:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name=f"contractgate-materializer-{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()

    @property
    def layout(self) -> Layout:
        return self._layout

    @property
    def plan_id(self) -> str:
        return self._plan_id

    def front_stubs(self) -> list[dict[str, Any]]:
        """The stubs the imposter starts with, for the current plan."""
        return self._layout.front_stubs(self.url, self._plan_id)

    def attach(self, port: int) -> None:
        """The imposter this materializer serves listens on ``port``."""
        self.port = port

    def switch(self, plan: LazyPlan) -> None:
        """Serve ``plan`` from now on: the imposter gets its front stubs (cycles start again)."""
        assert self.port is not None
        with self._lock:
            self._install(plan, new_plan_id(plan))
            self.client.replace_stubs(self.port, self.front_stubs())

    def take_replays(self) -> int:
        """Requests replayed to the imposter since the last call (each is in its count twice)."""
        with self._count_lock:
            count, self._replays = self._replays, 0
        return count

    def replays(self) -> int:
        """Requests replayed since :meth:`take_replays` was last called."""
        with self._count_lock:
            return self._replays

    def take_notes(self) -> list[str]:
        """The notes since the last call, oldest first."""
        out = []
        while self.notes:
            out.append(self.notes.popleft())
        return out

    def close(self) -> None:
        """Stop the server (requests Mountebank still proxies here then fail)."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- answering -------------------------------------------------------------------------

    def _install(self, plan: LazyPlan, plan_id: str) -> None:
        self._layout = layout(plan, self.spec)
        self._plan_id = plan_id
        self._issued.add(plan_id)
        self._present = list(self._layout.front)
        self._timeouts: dict[int, float] = {}
        """Materialised groups -> seconds a replay to them may take."""
        self._failed: dict[int, ContractgateError] = {}

    def answer(self, request: _Request) -> _Answer:
        """The answer to a request the imposter proxied here."""
        if request.header(REPLAY_HEADER) is not None:
            return self._not_found()  # no stub matched the replay either
        with self._lock:
            plan_id = request.header(PLAN_HEADER)
            if plan_id is not None and plan_id not in self._issued:
                scenario, seed = parse_plan_id(plan_id)
                self._install(self.replan(scenario, seed), plan_id)
            group = self._layout.group_for(request.method, request.target.split("?", 1)[0])
            if group is None:
                return self._not_found()
            if group in self._failed:
                raise self._failed[group]
            if group not in self._timeouts:
                self._timeouts[group] = self._materialise(group)
            timeout = self._timeouts[group]
        return self._replay(request, timeout)

    def _materialise(self, group: int) -> float:
        """Put a group's stubs on Mountebank; the seconds a replay to them may take."""
        assert self.port is not None
        noted = len(self._layout.plan.notes)
        try:
            insertions = self._layout.insertions(self._present, group)
        except ContractgateError as exc:  # no value fits a schema of the group
            self._failed[group] = exc
            raise
        finally:
            self.notes.extend(self._layout.plan.notes[noted:])
        waits = [0]
        for index, stub in insertions:
            self.client.add_stub(self.port, stub, index=index)
            for response in stub["responses"]:
                waits += [b.get("wait", 0) for b in response.get("behaviors", ())]
        return max(waits) / 1000 + REPLAY_MARGIN

    def _replay(self, request: _Request, timeout: float) -> _Answer:
        assert self.port is not None
        headers = {k: v for k, v in request.headers if k.lower() not in _HOP_HEADERS}
        headers[REPLAY_HEADER] = "1"
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=timeout)
        try:
            connection.putrequest(
                request.method, request.target, skip_host=True, skip_accept_encoding=True
            )
            connection.putheader("Host", f"{LOOPBACK}:{self.port}")
            for name, value in headers.items():
                connection.putheader(name, value)
            if request.body or request.method in ("POST", "PUT", "PATCH"):
                connection.putheader("Content-Length", str(len(request.body)))
            connection.endheaders(request.body or None)
            response = connection.getresponse()
            body = response.read()
        except (ConnectionError, http.client.BadStatusLine, http.client.IncompleteRead) as exc:
            raise _ConnectionBroken from exc
        finally:
            connection.close()
        with self._count_lock:
            self._replays += 1
        kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS]
        kept = [(k, v) for k, v in kept if k.lower() != "date"]
        return _Answer(response.status, [*kept, ("Connection", "keep-alive")], body)

    def _not_found(self) -> _Answer:
        found = self._layout.not_found()
        headers = [(str(k), str(v)) for k, v in found.get("headers", {}).items()]
        return _Answer(int(found["statusCode"]), headers, str(found.get("body", "")).encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    materializer: Materializer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A bug here is a problem to report, not a traceback on the user's terminal."""
        self.materializer.notes.append(f"contractgate failed: {sys.exc_info()[1]!r}")


class _Handler(BaseHTTPRequestHandler):
    """One connection from Mountebank's proxy (HTTP/1.1, kept alive while it is used)."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    server: _Server

    def relay(self) -> None:
        materializer = self.server.materializer
        try:
            request = _Request(self.command, self.path, list(self.headers.items()), self._body())
            answer = materializer.answer(request)
        except _ConnectionBroken:  # reset this connection too (SO_LINGER 0: RST on close)
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        except (ContractgateError, ValueError, OSError, http.client.HTTPException) as exc:
            materializer.notes.append(f"{self.command} {self.path}: {exc}")
            answer = _problem(502, f"contractgate could not answer this request: {exc}")
        self._send(answer)

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, answer: _Answer) -> None:
        # One write: headers and body in separate segments wait for a delayed ACK.
        lines = [f"HTTP/1.1 {answer.status} {_phrase(answer.status)}"]
        lines += [f"{k}: {v}" for k, v in answer.headers if k.lower() != "content-length"]
        lines.append(f"Content-Length: {len(answer.body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        self.wfile.write(head if self.command == "HEAD" else head + answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Library code never prints."""


for _method in _METHODS:
    setattr(_Handler, f"do_{_method}", _Handler.relay)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _problem(status: int, detail: str) -> _Answer:
    body = {"type": "about:blank", "title": _phrase(status), "status": status, "detail": detail}
    return _Answer(
        status,
        [("Content-Type", "application/problem+json"), ("Connection", "keep-alive")],
        json.dumps(body).encode(),
    )
