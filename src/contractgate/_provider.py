"""The provider under test: starting or reaching it, and what may be recorded of its traffic.

verify, fuzz and the gate need the same thing: a base URL that answers.
:func:`running_provider` either adopts a URL (``base_url`` in the config, a URL on the
command line) or starts the configured command on a free loopback port, with
``{python}`` (this interpreter), ``{port}`` and ``{host}`` filled in. Either way it
waits, within a bounded time, until the health path answers; a provider that never
does is a :class:`ServiceError` naming the command, the health URL, what the last
probe saw and the last lines of the provider's stderr.

A started provider runs in its own process group and is stopped when the ``with``
block ends, whatever ends it: SIGTERM to the group, SIGKILL after a grace period. On
Linux it also gets a parent-death signal, so it cannot outlive a killed contractgate.

Secrets never land in results: :func:`redact_headers` masks the values of
credential headers (``Authorization``, ``Cookie``, ``X-Api-Key``, ...) in anything a
stage records.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import requests

from ._config import ProviderConfig, expand_env
from ._errors import InputError, ServiceError, SetupError
from ._project import Project, Service

LOOPBACK = "127.0.0.1"
STOP_GRACE_SECONDS = 5.0
STDERR_TAIL_LINES = 20
PROBE_TIMEOUT = 1.0
REDACTED = "[redacted]"

_SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
        "x-access-token",
        "x-csrf-token",
        "x-xsrf-token",
        "x-amz-security-token",
    }
)
_SECRET_WORDS = ("token", "secret", "password", "api-key", "apikey", "session")
_PLACEHOLDERS = ("{python}", "{port}", "{host}")
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def is_secret_header(name: str) -> bool:
    """Whether a header carries a credential (its value must never be recorded)."""
    lowered = name.lower()
    return lowered in _SECRET_HEADERS or any(word in lowered for word in _SECRET_WORDS)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with the values of credential headers replaced by ``[redacted]``."""
    return {name: REDACTED if is_secret_header(name) else value for name, value in headers.items()}


def parse_header(text: str, *, source: str = "--header") -> tuple[str, str]:
    """``'Name: value'`` as ``(name, value)``, or an :class:`InputError`."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not name or any(ch.isspace() for ch in name):
        raise InputError(
            f"{text!r} is not a header", source=source, hint="write it as 'Name: value'"
        )
    return name, value.strip()


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def join_url(base_url: str, path: str) -> str:
    """``path`` below ``base_url``; an absolute ``http(s)://`` URL is kept as it is."""
    if urlsplit(path).scheme in ("http", "https"):
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


@dataclass
class RunningProvider:
    """A provider that answers: where it is and, when contractgate started it, its process."""

    name: str
    base_url: str
    """The root the request paths of the pacts and the spec hang off, e.g. ``http://127.0.0.1:8001``."""
    states_url: str | None = None
    """Where provider states are set (``POST``), or None when the provider has none."""
    health_url: str | None = None
    command: tuple[str, ...] | None = None
    """The command contractgate started; None for a provider reached at a URL."""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _stderr: IO[bytes] | None = field(default=None, repr=False)

    def stderr_tail(self, lines: int = STDERR_TAIL_LINES) -> str:
        """The last lines the started provider wrote to stderr (empty for an adopted one)."""
        if self._stderr is None or self._stderr.closed:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def exit_problem(self) -> str | None:
        """Why a started provider is gone (it exited), or None while it runs."""
        if self.process is None or self.process.poll() is None:
            return None
        return f"the provider exited with code {self.process.returncode}"


def provider_command(command: Sequence[str], *, port: int, host: str = LOOPBACK) -> list[str]:
    """The configured command with ``{python}``, ``{port}`` and ``{host}`` filled in."""
    values = {"{python}": sys.executable, "{port}": str(port), "{host}": host}
    out = []
    for arg in command:
        for placeholder in _PLACEHOLDERS:
            arg = arg.replace(placeholder, values[placeholder])
        out.append(arg)
    return out


@contextmanager
def running_provider(
    name: str,
    config: ProviderConfig | None,
    *,
    base_url: str | None = None,
    cwd: Path | None = None,
    startup_timeout: float | None = None,
    source: str = "",
) -> Iterator[RunningProvider]:
    """A provider that answers, for the length of the ``with`` block.

    ``base_url`` (a provider someone else runs) wins over the configured command;
    without either, there is nothing to verify: an :class:`InputError`. ``cwd`` is
    where the command runs (the config's folder); ``source`` names the config file in
    messages. The wait for readiness is bounded by ``startup_timeout`` (default: the
    config's ``startup_timeout``).
    """
    config = config or ProviderConfig()
    timeout = startup_timeout if startup_timeout is not None else config.startup_timeout
    url = base_url or config.base_url
    if url is not None:
        provider = _adopted(name, url, config, source)
        _wait_ready(provider, timeout)
        yield provider
        return
    if not config.command:
        raise InputError(
            f"service {name!r} has no provider to verify against",
            source=source,
            place=f"services.{name}.provider",
            hint="add a provider command or base_url to the config, or pass the provider's URL",
        )
    with _started(name, config, cwd=cwd, source=source) as provider:
        _wait_ready(provider, timeout)
        yield provider


@contextmanager
def service_provider(
    service: Service,
    project: Project,
    *,
    base_url: str | None = None,
    startup_timeout: float | None = None,
) -> Iterator[RunningProvider]:
    """The provider of a configured service: started from the config, or reached at ``base_url``."""
    config = project.config
    with running_provider(
        service.name,
        service.config.provider,
        base_url=base_url,
        cwd=config.root if config else None,
        startup_timeout=startup_timeout,
        source=str(config.path) if config and config.path else "",
    ) as provider:
        yield provider


def service_headers(service: Service, project: Project | None = None) -> dict[str, str]:
    """The headers configured for a service (sent with every request), ``${ENV}`` expanded."""
    config = project.config if project else None
    source = str(config.path) if config and config.path else ""
    return {
        name: expand_env(value, source=source, place=f"services.{service.name}.headers.{name}")
        for name, value in service.config.headers.items()
    }


def _adopted(name: str, url: str, config: ProviderConfig, source: str) -> RunningProvider:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"{url!r} is not an http(s) URL",
            source=source or None,
            hint="e.g. http://127.0.0.1:8001",
        )
    base = url.rstrip("/")
    return RunningProvider(
        name=name,
        base_url=base,
        states_url=join_url(base, config.states) if config.states else None,
        health_url=join_url(base, config.health),
    )


@contextmanager
def _started(
    name: str, config: ProviderConfig, *, cwd: Path | None, source: str
) -> Iterator[RunningProvider]:
    command = config.command or ()
    if not any("{port}" in arg for arg in command):
        raise InputError(
            "the provider command has no {port} placeholder",
            source=source or None,
            place=f"services.{name}.provider.command",
            hint='contractgate picks a free port: pass it on, e.g. "--port", "{port}"',
        )
    port = free_port()
    argv = provider_command(command, port=port)
    env = {
        key: expand_env(value, source=source, place=f"services.{name}.provider.env.{key}")
        for key, value in config.env.items()
    }
    base = f"http://{LOOPBACK}:{port}"
    # stderr goes to a file: a provider that logs a lot can never block on a full pipe.
    with tempfile.TemporaryFile(prefix="contractgate-provider-") as stderr:
        try:
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 (only prctl runs before exec)
            )
        except OSError as exc:
            raise SetupError(
                f"cannot start the provider of {name!r}: {argv[0]}: {exc.strerror}",
                hint=f"check services.{name}.provider.command in {source or 'the config'}",
            ) from None
        provider = RunningProvider(
            name=name,
            base_url=base,
            states_url=join_url(base, config.states) if config.states else None,
            health_url=join_url(base, config.health),
            command=tuple(argv),
            process=process,
            _stderr=stderr,
        )
        try:
            yield provider
        finally:
            stop_process(process)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def stop_process(process: subprocess.Popen[bytes], *, grace: float = STOP_GRACE_SECONDS) -> None:
    """Stop a process started in its own group: SIGTERM, then SIGKILL after ``grace`` seconds.

    The whole group gets the signals, so what the provider started goes with it.
    """
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)


def _wait_ready(provider: RunningProvider, timeout: float) -> None:
    """Probe the health URL until it answers below 500, bounded by ``timeout`` seconds.

    Any answer but a server error means the provider is up (a health path that needs
    a token answers 401, which is up); connection errors, hangs and 5xx mean not yet.
    """
    url = provider.health_url or provider.base_url
    deadline = time.monotonic() + timeout
    last = "no probe finished"
    with requests.Session() as session:
        session.trust_env = urlsplit(url).hostname not in (LOOPBACK, "localhost", "::1")
        while True:
            if provider.exit_problem() is not None:
                raise ServiceError(_not_ready(provider, url, timeout, last))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServiceError(_not_ready(provider, url, timeout, last))
            try:
                answer = session.get(url, timeout=min(PROBE_TIMEOUT, remaining))
            except requests.Timeout:
                last = f"GET {url} got no answer within {min(PROBE_TIMEOUT, remaining):g}s"
            except requests.RequestException as exc:
                last = f"GET {url} failed: {_reason(exc)}"
            else:
                if answer.status_code < 500:
                    return
                last = f"GET {url} answered {answer.status_code}"
            time.sleep(min(0.05, max(deadline - time.monotonic(), 0)))


def _not_ready(provider: RunningProvider, url: str, timeout: float, last: str) -> str:
    """The message for a provider that is not ready: what, the health URL, its stderr."""
    what = f"the provider of {provider.name!r}"
    if provider.command is None:
        return f"{what} at {provider.base_url} is not answering within {timeout:g}s ({last})"
    command = " ".join(provider.command)
    if provider.process is not None and provider.process.poll() is not None:
        head = f"{what} exited with code {provider.process.returncode} before it was ready"
    else:
        head = f"{what} did not get ready within {timeout:g}s; health URL {url}: {last}"
    text = f"{head}\ncommand: {command}\nhealth URL: {url}"
    tail = provider.stderr_tail()
    return text + (f"\n--- last lines of its stderr ---\n{tail}" if tail else "\n(no stderr)")


def _reason(exc: requests.RequestException) -> str:
    """The root cause of a connection error, in a few words (``Connection refused``)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    return text.rsplit(": ", 1)[-1].rstrip(")'\"") if ": " in text else text


__all__ = [
    "REDACTED",
    "RunningProvider",
    "free_port",
    "is_secret_header",
    "join_url",
    "parse_header",
    "provider_command",
    "redact_headers",
    "running_provider",
    "service_headers",
    "service_provider",
    "stop_process",
]
