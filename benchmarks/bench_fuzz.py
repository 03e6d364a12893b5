"""``contractgate fuzz`` beside the schemathesis CLI, and how reliably the hidden 500s are found.

Speed: each reference provider runs once (clean, no ``--bug``) behind a counting
proxy; then, ``--repeats`` times, alternating, with the same seed for both:

- ``schemathesis run`` (its CLI, a new process) with the settings contractgate uses:
  ``-n 25``, one worker, no example database, no cache, the same six checks,
  ``--continue-on-failure``, the bearer token;
- ``contractgate fuzz SERVICE --base-url ... --json`` (a new process);
- ``fuzz_service`` in this process (the stage itself, without a CLI's start-up).

Cases are the requests the provider received (counted by the proxy, the same way
for both); the table shows medians of wall time and cases per second, and the ratio.

Detection: each provider with ``--bug`` (GET /v1/templates 500s when page_size > 50,
GET /v1/users/{id} when the id is longer than 20 characters), for ``--seeds`` seeds:
found by contractgate's default run (all phases, 25 examples), and found by random
generation alone (``schemathesis run --phases fuzzing``, the same budget).

Results go to ``benchmarks/results/fuzz.json``::

    .venv/bin/python benchmarks/bench_fuzz.py                          # a few minutes
    .venv/bin/python benchmarks/bench_fuzz.py --repeats 1 --seeds 2    # smoke run
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _harness import (
    ROOT,
    console,
    machine_at_end,
    machine_facts,
    print_table,
    ratio,
    repeats_parser,
    run_main,
    write_results,
)
from contractgate._config import load_config
from contractgate._errors import ServiceError
from contractgate._project import Project, Service, load_project
from contractgate._provider import RunningProvider, service_headers, service_provider
from contractgate.fuzz import DEFAULT_CHECKS, fuzz_service
from contractgate.verify._proxy import RecordingProxy
from notifyhub.providers import run_provider

MAX_EXAMPLES = 25
RUN_TIMEOUT = 600.0
BIN = ROOT / ".venv" / "bin"
BUGS = {"template-service": "GET /templates", "user-service": "GET /users/{userId}"}


def schemathesis_argv(
    service: Service, url: str, seed: int, headers: dict[str, str], phases: str | None = None
) -> list[str]:
    """``schemathesis run`` with the settings contractgate's own run uses."""
    argv = [
        str(BIN / "schemathesis"),
        "--config-file", "schemathesis.toml",  # [cache] enabled = false
        "run", str(service.config.spec),
        "--url", url + "/v1",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(seed),
        "--workers", "1",
        "--generation-database", "none",
        "--continue-on-failure",
        "--checks", ",".join(DEFAULT_CHECKS),
        "--request-timeout", "10",
        "--no-color",
    ]  # fmt: skip
    for name, value in headers.items():
        argv += ["--header", f"{name}: {value}"]
    if phases:
        argv += ["--phases", phases]
    return argv


def run_timed(argv: Sequence[str], folder: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {**os.environ, "PACT_DO_NOT_TRACK": "true", "NO_COLOR": "1"}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            argv,
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ServiceError(f"{argv[0]} did not finish in {RUN_TIMEOUT:g}s") from None
    return time.perf_counter() - started, done


def contractgate_argv(config: Path, service: Service, url: str, seed: int) -> list[str]:
    """``contractgate fuzz`` on a running provider, the same budget and seed."""
    return [
        str(BIN / "contractgate"), "--config", str(config), "fuzz", service.name,
        "--base-url", url, "-n", str(MAX_EXAMPLES), "--seed", str(seed), "--json",
    ]  # fmt: skip


def one_run(
    tool: str, project: Project, service: Service, url: str, seed: int, folder: Path
) -> tuple[float, bool, str]:
    """``(seconds, passed, output)`` of one tool's run against the provider at ``url``."""
    assert project.config is not None
    assert project.config.path is not None
    if tool == "contractgate library":
        started = time.perf_counter()
        running = RunningProvider(service.name, url)
        result = fuzz_service(service, running, max_examples=MAX_EXAMPLES, seed=seed)
        elapsed = time.perf_counter() - started
        return elapsed, result.passed, str([f.to_dict() for f in result.failures])
    headers = service_headers(service, project)
    argv = (
        schemathesis_argv(service, url, seed, headers)
        if tool == "schemathesis CLI"
        else contractgate_argv(project.config.path, service, url, seed)
    )
    elapsed, done = run_timed(argv, folder)
    return elapsed, done.returncode == 0, done.stdout + done.stderr


def speed_rows(project: Project, repeats: int, folder: Path) -> list[dict[str, Any]]:
    """Medians of whole runs of both CLIs (and of the library call) against one provider."""
    rows = []
    tools = ("schemathesis CLI", "contractgate fuzz", "contractgate library")
    for service in project.services:
        samples: dict[str, list[tuple[float, int]]] = {tool: [] for tool in tools}
        with service_provider(service, project) as provider:
            for index in range(repeats):
                for tool in tools if index % 2 == 0 else reversed(tools):
                    proxy = RecordingProxy(provider.base_url, states_url=None, timeout=10)
                    with proxy.running():
                        seconds, passed, output = one_run(
                            tool, project, service, proxy.url, 1 + index, folder
                        )
                    if not passed:
                        raise ServiceError(
                            f"{tool} failed on the clean {service.name}: {output[-1500:]}"
                        )
                    samples[tool].append((seconds, len(proxy.records)))
        base_rate = statistics.median(c / t for t, c in samples["schemathesis CLI"])
        for tool, runs in samples.items():
            rate = statistics.median(c / t for t, c in runs)
            rows.append(
                {
                    "service": service.name,
                    "tool": tool,
                    "median_s": round(statistics.median(t for t, _ in runs), 2),
                    "median_cases": statistics.median(c for _, c in runs),
                    "cases_per_s": round(rate, 1),
                    "rate_vs_schemathesis": ratio(rate, base_rate),
                    "samples": [{"seconds": round(t, 2), "cases": c} for t, c in runs],
                }
            )
    return rows


def startup_rows(repeats: int, folder: Path) -> list[dict[str, Any]]:
    """What each CLI costs before any work: ``--version``, a new process each time."""
    commands = {
        "schemathesis --version": [str(BIN / "schemathesis"), "--version"],
        "contractgate --version": [str(BIN / "contractgate"), "--version"],
    }
    rows = []
    for name, argv in commands.items():
        times = [run_timed(argv, folder)[0] for _ in range(max(3, repeats))]
        rows.append({"command": name, "median_s": round(statistics.median(times), 2)})
    return rows


def detection_rows(project: Project, seeds: int, folder: Path) -> list[dict[str, Any]]:
    """For each hidden 500: found by contractgate's default run, and by random data alone."""
    rows = []
    for service in project.services:
        headers = service_headers(service, project)
        found_all: list[bool] = []
        first_phase: list[str] = []
        found_random: list[bool] = []
        seconds: list[float] = []
        with run_provider(service.name, bug=True) as provider:  # type: ignore[arg-type]
            running = RunningProvider(service.name, provider.base_url)
            for seed in range(1, seeds + 1):
                started = time.perf_counter()
                result = fuzz_service(service, running, max_examples=MAX_EXAMPLES, seed=seed)
                seconds.append(time.perf_counter() - started)
                hits = [
                    f for f in result.failures
                    if f.operation == BUGS[service.name] and f.check == "not_a_server_error"
                ]  # fmt: skip
                found_all.append(bool(hits))
                first_phase.append(hits[0].phase if hits else "-")
                _, done = run_timed(
                    schemathesis_argv(service, provider.base_url, seed, headers, phases="fuzzing"),
                    folder,
                )
                found_random.append("Server error" in done.stdout)
        rows.append(
            {
                "service": service.name,
                "defect": BUGS[service.name],
                "seeds": seeds,
                "found_default_run": sum(found_all),
                "first_found_in": sorted(set(first_phase)),
                "found_random_only": sum(found_random),
                "median_run_s": round(statistics.median(seconds), 2),
            }
        )
    return rows


def body(repeats: int, seeds: int) -> int:
    facts = machine_facts()
    project = load_project(load_config(ROOT / "contractgate.toml"))
    console.print(f"fuzz: {repeats} runs per tool, {seeds} seeds, load {facts['loadavg_at_start']}")
    with tempfile.TemporaryDirectory(prefix="bench-fuzz-") as tmp:
        folder = Path(tmp)
        (folder / "schemathesis.toml").write_text("[cache]\nenabled = false\n", encoding="utf-8")
        speed = speed_rows(project, repeats, folder)
        print_table(
            f"whole runs, -n {MAX_EXAMPLES}, same seeds (cases = requests the provider got)",
            ["service", "tool", "median s", "cases", "cases/s", "x schemathesis"],
            [
                [
                    r["service"],
                    r["tool"],
                    r["median_s"],
                    r["median_cases"],
                    r["cases_per_s"],
                    r["rate_vs_schemathesis"],
                ]
                for r in speed
            ],
        )
        startup = startup_rows(repeats, folder)
        print_table("start-up", ["command", "median s"], [list(r.values()) for r in startup])
        detection = detection_rows(project, seeds, folder)
        print_table(
            f"hidden 500 found, out of {seeds} seeds",
            ["service", "defect", "default run", "first found in", "random data only"],
            [
                [
                    r["service"],
                    r["defect"],
                    r["found_default_run"],
                    ", ".join(r["first_found_in"]),
                    r["found_random_only"],
                ]
                for r in detection
            ],
        )
    path = write_results(
        "fuzz",
        {
            "benchmark": "fuzz",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "repeats": repeats,
            "max_examples": MAX_EXAMPLES,
            "machine": machine_at_end(facts),
            "speed": speed,
            "startup": startup,
            "detection": detection,
        },
    )
    console.print(f"results: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (see the module docstring)."""
    parser = repeats_parser(__doc__, default=3, unit="tool")
    parser.add_argument("--seeds", type=int, default=10, help="seeds for the detection rate")
    args = parser.parse_args(argv)
    return run_main(lambda: body(max(1, args.repeats), max(1, args.seeds)))


if __name__ == "__main__":
    sys.exit(main())
