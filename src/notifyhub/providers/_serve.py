"""Start a reference provider as a subprocess for the length of a ``with`` block."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Literal

ProviderName = Literal["user-service", "template-service"]

MODULES: dict[str, str] = {
    "user-service": "notifyhub.providers.user_service",
    "template-service": "notifyhub.providers.template_service",
}
READY_PREFIX = "listening on "
STOP_GRACE_SECONDS = 5.0


class ProviderStartError(RuntimeError):
    """The provider exited or did not become ready in time (message includes its stderr)."""


@dataclass
class RunningProvider:
    """A provider subprocess that is up and answering ``/v1/health``."""

    name: str
    base_url: str
    """``http://127.0.0.1:PORT``, without the ``/v1`` base path."""
    process: subprocess.Popen[bytes]
    _stderr: IO[bytes]

    def stderr_text(self) -> str:
        """Everything the provider wrote to stderr so far."""
        return _read_all(self._stderr)


def _read_all(stream: IO[bytes]) -> str:
    stream.flush()
    stream.seek(0)
    return stream.read().decode(errors="replace")


def _pump_stdout(stdout: IO[bytes], lines: queue.Queue[str | None]) -> None:
    """Forward stdout lines to ``lines`` until EOF (then ``None``), so the pipe never fills."""
    try:
        for raw in stdout:
            lines.put(raw.decode(errors="replace").rstrip("\r\n"))
    except (OSError, ValueError):
        pass
    finally:
        lines.put(None)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the process, killing it if it has not exited after the grace period."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_listening(
    process: subprocess.Popen[bytes], lines: queue.Queue[str | None], deadline: float
) -> str:
    """Return the base URL from the ``listening on`` line, bounded by ``deadline``."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no 'listening on' line")
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError("no 'listening on' line") from None
        if line is None:
            raise ProcessLookupError(f"exited with code {process.wait()} before listening")
        if line.startswith(READY_PREFIX):
            return line.removeprefix(READY_PREFIX).strip().rstrip("/")


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str, deadline: float) -> None:
    """Poll ``/v1/health`` until it answers 200, bounded by ``deadline``."""
    while True:
        if process.poll() is not None:
            raise ProcessLookupError(f"exited with code {process.returncode} before healthy")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("/v1/health never answered 200")
        try:
            with urllib.request.urlopen(
                f"{base_url}/v1/health", timeout=min(1.0, remaining)
            ) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)


@contextmanager
def run_provider(
    name: ProviderName,
    *,
    enable_states: bool = False,
    drift: bool = False,
    bug: bool = False,
    timeout: float = 15.0,
    tokens: Sequence[str] = (),
    extra_args: Sequence[str] = (),
) -> Iterator[RunningProvider]:
    """Run provider ``name`` on 127.0.0.1 and a free port for the ``with`` block.

    Yields a ``RunningProvider`` once ``/v1/health`` answers 200. Raises
    ``ProviderStartError`` (with the provider's stderr) if it exits early or is not
    ready within ``timeout`` seconds. The process is terminated (killed after 5 s)
    on exit from the block, also when the block raises.
    """
    if name not in MODULES:
        raise ValueError(f"unknown provider {name!r}; expected one of {', '.join(MODULES)}")
    command = [sys.executable, "-m", MODULES[name], "--host", "127.0.0.1", "--port", "0"]
    command += ["--enable-provider-states"] * enable_states
    command += ["--drift"] * drift + ["--bug"] * bug
    for token in tokens:
        command += ["--token", token]
    command += list(extra_args)
    deadline = time.monotonic() + timeout
    # stderr goes to a file: a provider logging many tracebacks can never block on a full pipe.
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        pump = threading.Thread(
            target=_pump_stdout, args=(process.stdout, lines), name=f"{name}-stdout", daemon=True
        )
        try:
            pump.start()
            try:
                base_url = _wait_listening(process, lines, deadline)
                _wait_healthy(process, base_url, deadline)
            except (TimeoutError, ProcessLookupError) as exc:
                _stop(process)
                raise ProviderStartError(
                    f"{name} failed to start ({exc}; timeout {timeout:g}s); command: "
                    f"{' '.join(command)}\n--- stderr ---\n{_read_all(stderr)}"
                ) from None
            yield RunningProvider(name=name, base_url=base_url, process=process, _stderr=stderr)
        finally:
            _stop(process)
            if pump.is_alive():
                pump.join(timeout=2)
            process.stdout.close()
