"""What every benchmark shares: peer processes, ports, readiness, load, statistics, output.

Benchmarks are scripts (``.venv/bin/python benchmarks/bench_NAME.py``) that import
this module as ``_harness``. The rules it enforces:

- every process it starts runs in its own process group and dies with the benchmark
  (``try/finally``, Ctrl-C and SIGTERM included; ``PR_SET_PDEATHSIG`` on Linux covers
  a SIGKILLed benchmark);
- every wait has a timeout; every load is bounded in time and sent to loopback only;
- results are a table on the terminal and JSON in ``benchmarks/results/<name>.json``.

Errors are contractgate's own: a missing tool is a :class:`SetupError` whose hint is
the exact install command, a server that does not come up a :class:`ServiceError`.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from rich.console import Console
from rich.table import Table
from rich.text import Text

from contractgate import __version__ as contractgate_version
from contractgate._errors import ContractgateError, ServiceError, SetupError

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
PEERS_DIR = BENCH_DIR / "node_modules"
PEERS_INSTALL = "npm ci --prefix benchmarks --ignore-scripts --no-audit --no-fund"
WRK_INSTALL = "apt-get install -y wrk"
LOOPBACK = "127.0.0.1"
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

console = Console(highlight=False)


# -- processes -------------------------------------------------------------------------------


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel SIGKILL the child when this process dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork, not in the child
    parent = os.getpid()

    def arm() -> None:  # pragma: no cover - runs in the child between fork and exec
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return arm


def stop_process(proc: subprocess.Popen[bytes], *, grace: float = 5.0) -> None:
    """Stop ``proc`` and its process group: SIGTERM, then SIGKILL after ``grace`` seconds."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@dataclass
class ServerProcess:
    """A started server process and where its output goes."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 15) -> str:
        """The last lines the process wrote (for error messages)."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def spawn(name: str, argv: Sequence[str]) -> Iterator[ServerProcess]:
    """Start ``argv`` in a new process group; stop the whole group when the block exits.

    Start servers from the main thread: Linux delivers the parent-death signal when
    the *thread* that forked exits.
    """
    executable = shutil.which(argv[0]) if not os.path.isabs(argv[0]) else argv[0]
    if executable is None:
        raise SetupError(f"{argv[0]} is not installed or not on PATH (needed by {name})")
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        log = Path(tmp) / "output.log"
        try:
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [executable, *argv[1:]],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=_die_with_parent(),  # noqa: PLW1509 (started from the main thread)
                )
        except OSError as exc:
            raise SetupError(f"cannot run {executable} (for {name}): {exc.strerror}") from None
        try:
            yield ServerProcess(name, process, log)
        finally:
            stop_process(process)


@contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt so ``finally`` blocks stop the peers."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def free_port() -> int:
    """A TCP port that is free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def require_loopback(url: str) -> str:
    """``url`` itself, or a ValueError when its host is not a loopback address."""
    host = urlsplit(url).hostname or ""
    if host not in _LOOPBACK_HOSTS and not host.startswith("127."):
        raise ValueError(f"benchmarks send traffic to loopback only, not to {host!r}")
    return url


# -- readiness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """A request that answers ``status`` once a server is ready, and the process behind it."""

    url: str
    headers: Mapping[str, str]
    status: int = 200
    peer: ServerProcess | None = None


def wait_ready(probes: Sequence[Probe], *, timeout: float, interval: float = 0.02) -> float:
    """Poll every probe until all answer their status; the seconds it took.

    Raises :class:`ServiceError` when a peer process exits or the time runs out,
    with the last lines the peer wrote.
    """
    start = time.perf_counter()
    deadline = start + timeout
    pending = list(probes)
    with requests.Session() as session:
        while pending:
            probe = pending[0]
            if probe.peer is not None and probe.peer.process.poll() is not None:
                raise ServiceError(
                    f"{probe.peer.name} exited with code {probe.peer.process.returncode} "
                    f"before answering {probe.url}\n{probe.peer.log_tail()}"
                )
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                tail = probe.peer.log_tail() if probe.peer else ""
                raise ServiceError(
                    f"{probe.url} did not answer {probe.status} in {timeout:g}s\n{tail}"
                )
            try:
                answer = session.get(
                    require_loopback(probe.url),
                    headers=dict(probe.headers),
                    timeout=min(1.0, remaining),
                )
                if answer.status_code == probe.status:
                    pending.pop(0)
                    continue
            except requests.RequestException:
                pass
            time.sleep(interval)
    return time.perf_counter() - start


# -- statistics ------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ``values``, interpolated linearly between ranks.

    The same definition as ``numpy.percentile``'s default, so figures compare.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    """Percentiles of a sample (milliseconds for latencies)."""

    count: int
    p50: float
    p90: float
    p99: float
    mean: float
    minimum: float
    maximum: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(values: Sequence[float]) -> Summary:
    """Count, p50/p90/p99, mean, min and max of ``values``."""
    if not values:
        raise ValueError("summary of no values")
    return Summary(
        count=len(values),
        p50=percentile(values, 50),
        p90=percentile(values, 90),
        p99=percentile(values, 99),
        mean=sum(values) / len(values),
        minimum=min(values),
        maximum=max(values),
    )


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator`` rounded to 3 digits; ``None`` when either is missing
    or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


# -- load ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    """What one ``wrk`` run measured: throughput, latency percentiles (ms) and errors."""

    requests: int
    seconds: float
    requests_per_second: float
    latency_ms: dict[str, float]
    non_2xx: int = 0
    socket_errors: int = 0

    @property
    def ok(self) -> bool:
        """True when every response was 2xx/3xx and no socket failed."""
        return self.requests > 0 and self.non_2xx == 0 and self.socket_errors == 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def rounds_outcome(runs: Sequence[LoadResult]) -> dict[str, Any]:
    """Errors summed over ``wrk`` rounds, whether every round was ok, and each round."""
    return {
        "errors": sum(r.non_2xx + r.socket_errors for r in runs),
        "ok": all(r.ok for r in runs),
        "rounds": [r.to_dict() for r in runs],
    }


_TIME_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"


def _to_ms(number: str, unit: str) -> float:
    return float(number) * _TIME_UNITS[unit]


def parse_wrk(text: str) -> LoadResult:
    """Parse the report ``wrk --latency`` prints; ValueError when it is not one."""
    total = re.search(rf"^\s*(\d+) requests in {_DURATION}", text, re.MULTILINE)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    if not total or not rate:
        first = text.strip().splitlines()[0] if text.strip() else "no output"
        raise ValueError(f"not a wrk report: {first}")
    latency = {
        f"p{m.group(1)}": _to_ms(m.group(2), m.group(3))
        for m in re.finditer(rf"^\s+(50|75|90|99)(?:\.0+)?%\s+{_DURATION}\s*$", text, re.MULTILINE)
    }
    if "p50" not in latency:
        raise ValueError("wrk report has no latency distribution (run wrk with --latency)")
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return LoadResult(
        requests=int(total.group(1)),
        seconds=_to_ms(total.group(2), total.group(3)) / 1e3,
        requests_per_second=float(rate.group(1)),
        latency_ms=latency,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def find_wrk() -> str:
    """The ``wrk`` executable, or a :class:`SetupError` with the command that installs it."""
    found = shutil.which("wrk")
    if found is None:
        raise SetupError("wrk (the HTTP load generator) is not installed", hint=WRK_INSTALL)
    return found


def run_wrk(
    url: str,
    *,
    seconds: int,
    connections: int = 16,
    threads: int = 2,
    headers: Mapping[str, str] | None = None,
) -> LoadResult:
    """Send GET load to ``url`` (loopback only) for ``seconds`` with ``wrk --latency``."""
    argv = [
        find_wrk(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=5s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        argv += ["--header", f"{name}: {value}"]
    argv.append(require_loopback(url))
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=seconds + 30, check=False
        )
    except subprocess.TimeoutExpired:
        raise ServiceError(f"wrk did not finish a {seconds}s load of {url}") from None
    if done.returncode != 0:
        raise ServiceError(f"wrk failed on {url}: {(done.stderr or done.stdout).strip()}")
    return parse_wrk(done.stdout)


def sequential_latencies(
    url: str,
    *,
    count: int,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
    status: int = 200,
) -> list[float]:
    """Send ``count`` GETs one after another over one connection; each one's latency in ms.

    A response with another status is a :class:`ServiceError`: the figure would
    measure something else.
    """
    latencies = []
    with requests.Session() as session:
        session.headers.update(headers or {})
        for _ in range(count):
            start = time.perf_counter()
            answer = session.get(require_loopback(url), timeout=timeout)
            _ = answer.content
            latencies.append((time.perf_counter() - start) * 1e3)
            if answer.status_code != status:
                raise ServiceError(f"{url} answered {answer.status_code}, expected {status}")
    return latencies


# -- facts and output ------------------------------------------------------------------------


def _command_version(argv: Sequence[str], pattern: str) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(pattern, done.stdout + done.stderr)
    return found.group(1) if found else None


def npm_version(package: str, node_modules: Path = PEERS_DIR) -> str | None:
    """The installed version of an npm package, from its package.json (None when absent)."""
    try:
        data = json.loads((node_modules / package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("version")
    return version if isinstance(version, str) else None


def machine_facts(npm_packages: Mapping[str, Path] | None = None) -> dict[str, Any]:
    """What the figures depend on: CPU count, load, OS and the versions of every tool."""
    facts: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "contractgate": contractgate_version,
        "node": _command_version(["node", "--version"], r"v?([\d.]+)"),
        "java": _command_version(["java", "-version"], r'version "([^"]+)"'),
        "wrk": _command_version(["wrk", "--version"], r"wrk\s+(\S+)"),
    }
    for package, node_modules in (npm_packages or {}).items():
        facts[package] = npm_version(package, node_modules)
    return facts


def machine_at_end(facts: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`machine_facts` taken at the start, with the load average at the end added."""
    return {**facts, "loadavg_at_end": [round(x, 2) for x in os.getloadavg()]}


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], *, caption: str = ""
) -> None:
    """Print a table; numbers right-aligned, ``None`` shown as a dash."""
    table = Table(title=title, caption=caption or None, title_justify="left")
    numeric = [
        all(isinstance(r[i], int | float | type(None)) for r in rows) for i in range(len(columns))
    ]
    for name, right in zip(columns, numeric, strict=True):
        table.add_column(name, justify="right" if right else "left")
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_results(name: str, data: Mapping[str, Any], *, folder: Path = RESULTS_DIR) -> Path:
    """Write ``data`` as ``<folder>/<name>.json``; the path written."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", "utf-8")
    return path


def repeats_parser(doc: str | None, *, default: int, unit: str) -> argparse.ArgumentParser:
    """Options described by ``doc``'s first paragraph, with ``--repeats`` (runs per ``unit``)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0] if doc else None)
    parser.add_argument("--repeats", type=int, default=default, help=f"runs per {unit} (median)")
    return parser


def run_main(body: Callable[[], int]) -> int:
    """Run a benchmark's body: SIGTERM stops it like Ctrl-C; errors print as one message.

    Exit codes as in the CLI: 2 bad input, 3 a tool or server failed, 130 interrupted.
    """
    try:
        with terminate_on_sigterm():
            return body()
    except ContractgateError as exc:
        message = Text.assemble(("error: ", "bold red"), str(exc))
        Console(stderr=True, highlight=False).print(message, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted")
        return 130
