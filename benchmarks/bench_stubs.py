"""Stub servers side by side: contractgate's Mountebank stubs, Prism, WireMock, bare Mountebank.

One run measures, on the example system's two specs (user service, template service):

1. start-up: seconds from starting a server until both services answer their target GET;
2. load: requests per second and p50/p99 latency of one GET per service under ``wrk``
   (fixed duration, 16 connections, 2 threads, loopback). Every server of a service is
   up at once and loaded in turn, round after round (the median is reported), so the
   machine's noise falls on all of them alike. Mountebank with and without
   ``recordRequests``, WireMock with and without its request journal;
3. injected latency: p50/p99 of sequential requests to a stub told to delay by a
   lognormal (p50 50 ms, p99 200 ms) and by a fixed 100 ms, against the configured
   values, beside the same server's own latency without injection;
4. scale: start-up and load of each server on a generated 4-operation spec and a
   500-operation one (``_gen_spec.py``), on the read of the spec's last resource.

It prints tables and writes ``benchmarks/results/stubs.json`` (``stubs-quick.json``
for a smoke run) with the ratios (contractgate / Prism, contractgate / WireMock, ...)
and the machine's facts::

    .venv/bin/python benchmarks/bench_stubs.py            # full run, about 10 minutes
    .venv/bin/python benchmarks/bench_stubs.py --quick    # smoke run, 1 s loads
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _gen_spec import generate_spec, write_json
from _harness import (
    PEERS_DIR,
    ROOT,
    LoadResult,
    Summary,
    console,
    find_wrk,
    machine_at_end,
    machine_facts,
    print_table,
    ratio,
    rounds_outcome,
    run_main,
    run_wrk,
    sequential_latencies,
    summarize,
    write_results,
)
from _peers import MOUNTEBANK_DIR, Contractgate, MountebankDirect, Peer, Prism, Target, WireMock
from contractgate._config import expand_env, load_config
from contractgate._errors import InputError, ServiceError
from contractgate._project import adhoc_project, load_project
from contractgate._provider import parse_header
from contractgate.stubs import Latency

# The GET each service is measured on (below its base path), in the example system.
DEFAULT_TARGETS = {
    "user-service": "/users/u-1001/preferences",
    "template-service": "/templates/welcome",
}
CONTRACTGATE = Contractgate().name
SCALE_OPERATIONS = (4, 500)
LATENCIES = (
    Latency("lognormal", p50=50.0, p99=200.0),
    Latency("fixed", value=100.0),
)


@dataclass(frozen=True)
class Settings:
    """How long and how hard each measurement runs."""

    seconds: int = 5
    rounds: int = 3
    warmup_seconds: int = 2
    connections: int = 16
    threads: int = 2
    samples: int = 300
    warmup_requests: int = 20
    startup_runs: int = 3
    quick: bool = False

    @classmethod
    def quick_run(cls) -> Settings:
        """A smoke run: every code path once, in about a minute and a half."""
        return cls(
            seconds=1,
            rounds=1,
            warmup_seconds=1,
            samples=40,
            warmup_requests=5,
            startup_runs=1,
            quick=True,
        )


def _label(latency: Latency) -> str:
    if latency.distribution == "fixed":
        return f"fixed {latency.value:g} ms"
    return f"lognormal p50 {latency.p50:g} / p99 {latency.p99:g} ms"


# -- the three measurements ------------------------------------------------------------------


def measure_startup(
    servers: Sequence[Peer], targets: Sequence[Target], runs: int
) -> list[dict[str, Any]]:
    """Seconds from start until every target answers, ``runs`` times per server, in turn."""
    times: dict[str, list[float]] = {s.name: [] for s in servers}
    for run in range(runs):
        for server in servers:
            console.print(f"start-up  {server.name}  run {run + 1}/{runs}")
            start = time.perf_counter()
            with server.serve(targets):
                times[server.name].append(time.perf_counter() - start)
    return [
        {"server": name, "seconds": runs_s, "median_s": statistics.median(runs_s)}
        for name, runs_s in times.items()
    ]


def _load_row(server: str, service: str, runs: list[LoadResult]) -> dict[str, Any]:
    """The median of each figure over the rounds, with every round's result."""
    keys = runs[0].latency_ms
    return {
        "server": server,
        "service": service,
        "requests_per_second": statistics.median(r.requests_per_second for r in runs),
        "latency_ms": {k: statistics.median(r.latency_ms[k] for r in runs) for k in keys},
        **rounds_outcome(runs),
    }


def measure_load(
    servers: Sequence[Peer], targets: Sequence[Target], settings: Settings
) -> list[dict[str, Any]]:
    """``wrk`` on each target: all servers up, warmed, then loaded in turn each round."""
    rows = []
    load = {"connections": settings.connections, "threads": settings.threads}
    for target in targets:
        service = target.service.name
        with ExitStack() as stack:
            urls = {}
            for server in servers:
                console.print(f"start     {service}  {server.name}")
                urls[server.name] = stack.enter_context(server.serve([target]))[service]
            for server in servers:
                console.print(f"warm-up   {service}  {server.name}")
                run_wrk(
                    urls[server.name],
                    seconds=settings.warmup_seconds,
                    headers=target.headers,
                    **load,
                )
            results: dict[str, list[LoadResult]] = {s.name: [] for s in servers}
            for n in range(settings.rounds):
                # Each round starts with another server, so none always follows the same one.
                for server in [*servers[n:], *servers[:n]]:
                    console.print(f"load      {service}  {server.name}  round {n + 1}")
                    results[server.name].append(
                        run_wrk(
                            urls[server.name],
                            seconds=settings.seconds,
                            headers=target.headers,
                            **load,
                        )
                    )
        rows += [_load_row(name, service, runs) for name, runs in results.items()]
    return rows


def _sequential(
    server: Peer, target: Target, latency: Latency | None, settings: Settings
) -> Summary:
    with server.serve([target], latency) as urls:
        url = urls[target.service.name]
        sequential_latencies(url, count=settings.warmup_requests, headers=target.headers)
        count = settings.samples if latency else max(20, settings.samples // 3)
        return summarize(sequential_latencies(url, count=count, headers=target.headers))


def measure_latency(
    servers: Sequence[Peer], target: Target, settings: Settings
) -> list[dict[str, Any]]:
    """p50/p99 of sequential requests to stubs injecting each of :data:`LATENCIES`.

    Each server's own p50 without injection (``base_p50_ms``) is measured too: the
    part of the error that is the server's response time, not the injection's.
    """
    rows = []
    for server in servers:
        console.print(f"latency   {server.name}  none (base)")
        base = _sequential(server, target, None, settings)
        for latency in LATENCIES:
            if not server.supports(latency):
                continue
            console.print(f"latency   {server.name}  {_label(latency)}")
            measured = _sequential(server, target, latency, settings)
            p50, p99 = latency.quantile(0.5), latency.quantile(0.99)
            rows.append(
                {
                    "server": server.name,
                    "latency": latency.to_dict(),
                    "label": _label(latency),
                    "configured_p50_ms": p50,
                    "configured_p99_ms": p99,
                    "measured": measured.to_dict(),
                    "p50_error_ms": measured.p50 - p50,
                    "p99_error_ms": measured.p99 - p99,
                    "base_p50_ms": base.p50,
                }
            )
    return rows


def scale_targets(folder: Path) -> list[Target]:
    """Generated specs of :data:`SCALE_OPERATIONS` operations in ``folder``, and their targets."""
    targets = []
    for operations in SCALE_OPERATIONS:
        path = write_json(generate_spec(operations), folder / f"spec-{operations}.json")
        service = adhoc_project(path).services[0]
        last = len(service.spec.operations) // 4 - 1  # four operations per resource
        headers = {"Authorization": "Bearer test-token"}
        targets.append(Target(service, f"/resources{last}/r-1", headers))
    return targets


def measure_scale(
    servers: Sequence[Peer], targets: Sequence[Target], settings: Settings
) -> list[dict[str, Any]]:
    """Start-up and ``wrk`` load of each server on every generated spec, in turn each round.

    A server that cannot serve a spec (Prism on large ones, say) gets a row with the error.
    """
    rows = []
    load = {"connections": settings.connections, "threads": settings.threads}
    for server in servers:
        with ExitStack() as stack:
            urls, startup, errors = {}, {}, {}
            for target in targets:
                name = target.service.name
                console.print(f"scale     {server.name}  {name}")
                start = time.perf_counter()
                try:
                    urls[name] = stack.enter_context(server.serve([target]))[name]
                except ServiceError as exc:
                    errors[name] = str(exc)
                    continue
                startup[name] = time.perf_counter() - start
                run_wrk(urls[name], seconds=settings.warmup_seconds, headers=target.headers, **load)
            results: dict[str, list[LoadResult]] = {name: [] for name in urls}
            for _ in range(settings.rounds):
                for target in targets:
                    name = target.service.name
                    if name in urls:
                        results[name].append(
                            run_wrk(
                                urls[name],
                                seconds=settings.seconds,
                                headers=target.headers,
                                **load,
                            )
                        )
        for target in targets:
            name = target.service.name
            row: dict[str, Any] = {"operations": len(target.service.spec.operations)}
            if name in errors:
                row |= {"server": server.name, "service": name, "error": errors[name]}
            else:
                row |= _load_row(server.name, name, results[name]) | {"startup_s": startup[name]}
            rows.append(row)
    return rows


# -- ratios and output -----------------------------------------------------------------------


def ratios(
    startup: list[dict[str, Any]], load: list[dict[str, Any]], scale: list[dict[str, Any]]
) -> dict[str, Any]:
    """contractgate's figure divided by every other server's (start-up, req/s, p50, p99),
    and each server's large-spec figure divided by its small-spec one."""
    starts = {row["server"]: row["median_s"] for row in startup}
    out: dict[str, Any] = {
        "startup_s": {
            f"{CONTRACTGATE}/{name}": ratio(starts.get(CONTRACTGATE), seconds)
            for name, seconds in starts.items()
            if name != CONTRACTGATE
        }
    }
    ours = {row["service"]: row for row in load if row["server"] == CONTRACTGATE}
    figures: dict[str, Callable[[dict[str, Any]], float]] = {
        "requests_per_second": lambda row: row["requests_per_second"],
        "p50_ms": lambda row: row["latency_ms"]["p50"],
        "p99_ms": lambda row: row["latency_ms"]["p99"],
    }
    for key, figure in figures.items():
        by_service: dict[str, dict[str, float | None]] = {}
        for row in load:
            mine = ours.get(row["service"])
            if mine is not None and row["server"] != CONTRACTGATE:
                by_service.setdefault(row["service"], {})[f"{CONTRACTGATE}/{row['server']}"] = (
                    ratio(figure(mine), figure(row))
                )
        out[key] = by_service
    out["scale"] = {}
    for server in dict.fromkeys(row["server"] for row in scale):
        sizes = {r["operations"]: r for r in scale if r["server"] == server and "error" not in r}
        if len(sizes) == len(SCALE_OPERATIONS):
            small, large = (sizes[n] for n in SCALE_OPERATIONS)
            out["scale"][server] = {
                "requests_per_second large/small": ratio(
                    large["requests_per_second"], small["requests_per_second"]
                ),
                "startup_s large/small": ratio(large["startup_s"], small["startup_s"]),
            }
    return out


def print_tables(
    startup: list[dict[str, Any]],
    load: list[dict[str, Any]],
    latency: list[dict[str, Any]],
    scale: list[dict[str, Any]],
    settings: Settings,
) -> None:
    """The three measurements as tables; a ratio is contractgate's figure over the row's."""
    ours_start = next((r["median_s"] for r in startup if r["server"] == CONTRACTGATE), None)
    print_table(
        "Start-up: both services answering",
        ["server", "median s", "runs s", "contractgate ÷ row"],
        [
            [
                r["server"],
                r["median_s"],
                " ".join(f"{s:.2f}" for s in r["seconds"]),
                ratio(ours_start, r["median_s"]),
            ]
            for r in startup
        ],
    )
    ours = {r["service"]: r["requests_per_second"] for r in load if r["server"] == CONTRACTGATE}
    print_table(
        "Load: one GET per service",
        ["service", "server", "req/s", "p50 ms", "p99 ms", "errors", "contractgate ÷ row"],
        [
            [
                r["service"],
                r["server"],
                r["requests_per_second"],
                r["latency_ms"]["p50"],
                r["latency_ms"]["p99"],
                r["errors"],
                ratio(ours.get(r["service"]), r["requests_per_second"]),
            ]
            for r in load
        ],
        caption=(
            f"wrk {settings.threads} threads, {settings.connections} connections, "
            f"median of {settings.rounds} x {settings.seconds} s; errors = non-2xx and "
            "socket errors (a row with errors is not comparable)"
        ),
    )
    print_table(
        "Injected latency: sequential requests",
        ["configured", "server", "p50 ms", "p99 ms", "p50 error", "p99 error", "base p50", "n"],
        [
            [
                r["label"],
                r["server"],
                r["measured"]["p50"],
                r["measured"]["p99"],
                r["p50_error_ms"],
                r["p99_error_ms"],
                r["base_p50_ms"],
                r["measured"]["count"],
            ]
            for r in latency
        ],
        caption="error = measured - configured (ms); base = the server's p50 without injection",
    )
    small = {
        r["server"]: r["requests_per_second"]
        for r in scale
        if r["operations"] == SCALE_OPERATIONS[0] and "error" not in r
    }
    print_table(
        "Scale: generated specs, read of the last resource",
        ["server", "operations", "start-up s", "req/s", "p50 ms", "p99 ms", "÷ small spec"],
        [
            [r["server"], r["operations"], None, None, None, None, r["error"][:60]]
            if "error" in r
            else [
                r["server"],
                r["operations"],
                r["startup_s"],
                r["requests_per_second"],
                r["latency_ms"]["p50"],
                r["latency_ms"]["p99"],
                ratio(r["requests_per_second"], small.get(r["server"])),
            ]
            for r in scale
        ],
        caption="÷ small spec: req/s on this spec over req/s on the smallest one",
    )


# -- the run ---------------------------------------------------------------------------------


def _targets(config_path: Path, paths: dict[str, str], extra: dict[str, str]) -> list[Target]:
    config = load_config(config_path)
    project = load_project(config, list(paths))
    targets = []
    for service in project.services:
        headers = {
            name: expand_env(
                value, source=str(config.path), place=f"services.{service.name}.headers.{name}"
            )
            for name, value in service.config.headers.items()
        }
        targets.append(Target(service, paths[service.name], {**headers, **extra}))
    return targets


def parse_target(text: str) -> tuple[str, str]:
    """``SERVICE=/path`` from ``--target``, or an :class:`InputError`."""
    service, sep, path = text.partition("=")
    if not sep or not service or not path.startswith("/"):
        raise InputError(
            f"--target {text!r} is not SERVICE=/path", hint="e.g. user-service=/users/u-1001"
        )
    return service, path


def run(
    settings: Settings,
    config_path: Path,
    paths: dict[str, str],
    extra: dict[str, str],
    name: str = "stubs",
) -> int:
    """Run every measurement, print the tables and write the JSON."""
    find_wrk()
    targets = _targets(config_path, paths, extra)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    facts = machine_facts(
        {"@stoplight/prism-cli": PEERS_DIR, "wiremock": PEERS_DIR, "mountebank": MOUNTEBANK_DIR}
    )
    contractgate, prism, wiremock, direct = Contractgate(), Prism(), WireMock(), MountebankDirect()
    peers: list[Peer] = [contractgate, prism, wiremock, direct]
    startup = measure_startup(peers, targets, settings.startup_runs)
    load = measure_load(
        [
            contractgate,
            Contractgate(record_requests=False),
            direct,
            MountebankDirect(record_requests=True),
            prism,
            wiremock,
            WireMock(journal=False),
        ],
        targets,
        settings,
    )
    latency = measure_latency([contractgate, wiremock, direct], targets[0], settings)
    with tempfile.TemporaryDirectory(prefix="bench-specs-") as folder:
        scale = measure_scale(peers, scale_targets(Path(folder)), settings)
    print_tables(startup, load, latency, scale, settings)
    path = write_results(
        f"{name}-quick" if settings.quick else name,
        {
            "benchmark": "stubs",
            "started_at": started,
            "settings": asdict(settings),
            "machine": machine_at_end(facts),
            "targets": {t.service.name: t.path for t in targets},
            "extra_headers": extra,
            "ratios": ratios(startup, load, scale),
            "startup": startup,
            "load": load,
            "latency": latency,
            "scale": scale,
        },
    )
    console.print(f"wrote {path.relative_to(ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run; the exit code."""
    parser = argparse.ArgumentParser(
        description="Stub servers side by side: contractgate, Prism, WireMock, bare Mountebank."
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 s loads, few samples")
    parser.add_argument(
        "--config", type=Path, default=ROOT / "contractgate.toml", help="contractgate.toml to use"
    )
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="SERVICE=/PATH",
        help="the GET measured on a service, below its base path (repeatable; "
        "default: the example system's two services)",
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="sent with every measured request besides the config's headers (repeatable), "
        "e.g. 'X-Request-ID: bench-1', which the orchestrator always sends: its pact stub "
        "answers instead of the spec stub that echoes a generated id",
    )
    parser.add_argument("--name", default="stubs", help="results file name (default: stubs)")
    args = parser.parse_args(argv)
    settings = Settings.quick_run() if args.quick else Settings()

    def body() -> int:
        paths = dict(parse_target(t) for t in args.target) or DEFAULT_TARGETS
        extra = dict(parse_header(h) for h in args.header)
        return run(settings, args.config, paths, extra, args.name)

    return run_main(body)


if __name__ == "__main__":
    sys.exit(main())
