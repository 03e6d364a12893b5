"""Mountebank: the project's own ``mb`` started on loopback, or a running one adopted by URL.

:meth:`Mountebank.start` runs ``node node_modules/mountebank/bin/mb`` (the real
interpreter, so the PID held is the server's) on a free ``127.0.0.1`` port with
``--localOnly`` and never ``--allowInjection``, in its own process group, and on
Linux with ``PR_SET_PDEATHSIG`` so the kernel kills it if this process dies, even
by SIGKILL. :meth:`Mountebank.stop` (also run at interpreter exit) ends the group.

:class:`MountebankClient` is the REST API over ``requests``, every call bounded
by a timeout; any failure is a :class:`ServiceError` naming the call.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from .._errors import InputError, ServiceError, SetupError

LOOPBACK = "127.0.0.1"
MB_ENV = "CONTRACTGATE_MB"
"""Path of Mountebank's ``bin/mb`` script, overriding the search for ``node_modules``."""
OWNER_ENV = "CONTRACTGATE_MB_OWNER"
"""Set in the environment of every ``mb`` contractgate starts: the PID that started it."""
START_TIMEOUT = 20.0
STOP_GRACE = 5.0
_PORT_ATTEMPTS = 3
_MB_SCRIPT = Path("node_modules") / "mountebank" / "bin" / "mb"
_PR_SET_PDEATHSIG = 1


class MountebankClient:
    """Mountebank's REST API: imposters, their stubs and recorded requests."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()

    def _call(
        self, method: str, path: str, *, json: Any = None, timeout: float | None = None
    ) -> Any:
        try:
            response = self._session.request(
                method, self.url + path, json=json, timeout=timeout or self.timeout
            )
        except requests.RequestException as exc:
            raise ServiceError(
                f"Mountebank at {self.url} did not answer {method} {path}: {_reason(exc)}",
                hint="is it running? contractgate starts its own unless given --mountebank-url",
            ) from None
        if response.status_code >= 400:
            raise _api_error(method, path, response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ServiceError(
                f"Mountebank at {self.url} answered {method} {path} with something not JSON",
                hint="is that URL a Mountebank?",
            ) from None

    def config(self, *, timeout: float | None = None) -> dict[str, Any]:
        """``GET /config``: version and options (a cheap liveness check)."""
        result: dict[str, Any] = self._call("GET", "/config", timeout=timeout)
        return result

    def create(self, imposter: dict[str, Any]) -> int:
        """Create an imposter; returns its port (chosen by Mountebank when not given)."""
        created = self._call("POST", "/imposters", json=imposter, timeout=max(self.timeout, 60))
        return int(created["port"])

    def replace_stubs(self, port: int, stubs: list[dict[str, Any]]) -> None:
        """Replace every stub of an imposter (its response cycles start again)."""
        self._call(
            "PUT", f"/imposters/{port}/stubs", json={"stubs": stubs}, timeout=max(self.timeout, 60)
        )

    def add_stub(self, port: int, stub: dict[str, Any], *, index: int) -> None:
        """Insert one stub at ``index`` (the other stubs keep their response cycles)."""
        self._call(
            "POST",
            f"/imposters/{port}/stubs",
            json={"index": index, "stub": stub},
            timeout=max(self.timeout, 60),
        )

    def delete(self, port: int) -> None:
        """Delete an imposter (it stops listening)."""
        self._call("DELETE", f"/imposters/{port}")

    def imposters(self) -> list[dict[str, Any]]:
        """Every imposter: port, protocol, name and ``numberOfRequests``."""
        listed: dict[str, Any] = self._call("GET", "/imposters")
        return list(listed.get("imposters", []))

    def requests(self, port: int) -> list[dict[str, Any]]:
        """The requests an imposter recorded, oldest first."""
        imposter: dict[str, Any] = self._call("GET", f"/imposters/{port}")
        return list(imposter.get("requests", []))

    def clear_requests(self, port: int) -> None:
        """Forget an imposter's recorded requests (and reset its request count)."""
        self._call("DELETE", f"/imposters/{port}/savedRequests")

    def close(self) -> None:
        self._session.close()


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection refused"
    return type(exc).__name__


def _api_error(method: str, path: str, response: requests.Response) -> Exception:
    try:
        errors = response.json().get("errors") or [{}]
    except (ValueError, AttributeError):
        errors = [{}]
    first = errors[0] if isinstance(errors[0], dict) else {}
    code = str(first.get("code") or "")
    if code in ("EADDRINUSE", "resource conflict"):
        port = first.get("port")
        return InputError(
            f"port {port} is already in use" if port else str(first.get("message", code)),
            hint="choose another port, or leave it out to get a free one",
        )
    message = str(first.get("message") or code or response.text[:200] or response.reason)
    return ServiceError(f"Mountebank refused {method} {path} ({response.status_code}): {message}")


def find_mountebank(search_from: Path | None = None) -> tuple[str, Path]:
    """``(node, mb script)``: the project's own Mountebank, from ``npm ci``.

    ``$CONTRACTGATE_MB`` wins; else ``node_modules/mountebank`` is looked for in
    ``search_from`` (default: the working directory) and its parents, then beside
    this installation of contractgate.
    """
    node = shutil.which("node")
    if node is None:
        raise SetupError(
            "node (Node.js) is not on PATH: Mountebank runs on it",
            hint="install Node.js 18 or later, then run `npm ci` in the project folder",
        )
    override = os.environ.get(MB_ENV)
    if override:
        script = Path(override)
        if not script.is_file():
            raise SetupError(f"{MB_ENV}={override} is not a file", hint="point it at .../bin/mb")
        return os.path.realpath(node), script.resolve()
    start = (search_from or Path.cwd()).resolve()
    here = Path(__file__).resolve()
    for folder in (start, *start.parents, *here.parents):
        candidate = folder / _MB_SCRIPT
        if candidate.is_file():
            return os.path.realpath(node), candidate.resolve()
    raise SetupError(
        f"Mountebank is not installed: no {_MB_SCRIPT} in {start} or its parents",
        hint="run `npm ci` in the project folder (its package.json pins mountebank), "
        "or pass --mountebank-url",
    )


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking the kernel to SIGKILL the child when this process dies (Linux).

    The kernel sends it when the forking *thread* ends, so start servers from the
    thread that lives as long as they should (the main thread, in the CLI and pytest).
    """
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork, not in the child
    parent = os.getpid()

    def arm() -> None:  # pragma: no cover - runs in the child between fork and exec
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return arm


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class Mountebank:
    """A Mountebank server: one this process started (and stops), or an adopted one."""

    def __init__(self, url: str, process: subprocess.Popen[bytes] | None = None) -> None:
        self.url = url.rstrip("/")
        self.client = MountebankClient(self.url)
        self.process = process
        self._workdir: Path | None = None
        self._pending: tuple[str, Path, float] | None = None

    @property
    def owned(self) -> bool:
        """Whether contractgate started this server (and so stops it)."""
        return self.process is not None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @classmethod
    def adopt(cls, url: str, *, timeout: float = 5.0) -> Mountebank:
        """A running Mountebank (e.g. a team's shared one) at ``url``; it is never stopped."""
        if not url.startswith(("http://", "https://")):
            raise InputError(
                f"Mountebank URL {url!r} is not an http(s) URL", hint="e.g. http://127.0.0.1:2525"
            )
        server = cls(url)
        server.client.config(timeout=timeout)
        return server

    @classmethod
    def start(
        cls, *, search_from: Path | None = None, timeout: float = START_TIMEOUT, wait: bool = True
    ) -> Mountebank:
        """Start the project's ``mb`` on a free loopback port and wait until it answers.

        With ``wait=False`` it returns as soon as the process runs, so the caller can do
        other work while Mountebank starts; :meth:`ready` waits (``StubServer`` calls it
        before creating an imposter).
        """
        node, script = find_mountebank(search_from)
        server = cls(f"http://{LOOPBACK}:0")
        server._pending = (node, script, timeout)
        server._spawn(node, script)
        if wait:
            server.ready()
        return server

    def ready(self) -> None:
        """Wait until a Mountebank started with ``wait=False`` answers (at once otherwise)."""
        if self._pending is None:
            return
        node, script, timeout = self._pending
        for attempt in range(_PORT_ATTEMPTS):
            try:
                output = self._wait_ready(timeout)
            except BaseException:  # Ctrl-C while starting included
                self.stop()
                raise
            if output is None:
                self._pending = None
                return
            self._end()
            # Another process may take the free port before mb binds it: try another.
            if "EADDRINUSE" not in output or attempt == _PORT_ATTEMPTS - 1:
                self.stop()
                raise SetupError(
                    f"Mountebank exited while starting: {output.strip()[-500:] or 'no output'}",
                    hint=f"try it by hand: {node} {script} start",
                )
            self._spawn(node, script)

    def _spawn(self, node: str, script: Path) -> None:
        workdir = Path(tempfile.mkdtemp(prefix="contractgate-mb-"))
        port = _free_port()
        command = [node, str(script), "start", "--port", str(port), "--host", LOOPBACK]
        command += ["--localOnly", "--nologfile", "--loglevel", "warn"]
        command += ["--pidfile", str(workdir / "mb.pid")]
        try:
            with (workdir / "mb.out").open("wb") as out:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=workdir,
                    env={**os.environ, OWNER_ENV: str(os.getpid())},
                    start_new_session=True,
                    preexec_fn=_die_with_parent(),  # noqa: PLW1509
                )
        except OSError as exc:
            shutil.rmtree(workdir, ignore_errors=True)
            raise SetupError(f"cannot run {node}: {exc.strerror}") from None
        self.url = f"http://{LOOPBACK}:{port}"
        self.client = MountebankClient(self.url)
        self.process = process
        self._workdir = workdir
        _running.add(self)

    def _wait_ready(self, timeout: float) -> str | None:
        """None once the server answers; its output if it exits first."""
        assert self.process is not None
        assert self._workdir is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                return (self._workdir / "mb.out").read_text(errors="replace")
            try:
                self.client.config(timeout=1.0)
                return None
            except ServiceError:
                if time.monotonic() > deadline:
                    raise ServiceError(
                        f"Mountebank did not answer within {timeout:g} s of starting",
                        hint="the machine may be overloaded; try again",
                    ) from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server if this process started it (SIGTERM, then SIGKILL after 5 s)."""
        self._pending = None
        self._end()
        _running.discard(self)

    def _end(self) -> None:
        self.client.close()
        process, self.process = self.process, None
        if process is not None:
            _end_group(process)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> Mountebank:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _end_group(process: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(STOP_GRACE)
            return
        except subprocess.TimeoutExpired:
            continue


def started_servers(owner: int | None = None) -> list[int]:
    """PIDs of live Mountebank servers contractgate started (by the process ``owner``).

    Read from ``/proc`` (Linux; elsewhere the list is empty): a check that no server
    outlived the command or test session that started it.
    """
    marker = f"{OWNER_ENV}={owner if owner is not None else ''}".encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*") if Path("/proc").is_dir() else ():
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        for item in environ.split(b"\0"):
            if item == marker or (owner is None and item.startswith(marker)):
                found.append(int(entry.name))
                break
    return sorted(found)


_running: set[Mountebank] = set()


@atexit.register
def _stop_all() -> None:
    for server in list(_running):
        server.stop()
