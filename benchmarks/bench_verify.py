"""``contractgate verify`` beside pact-python's verifier alone, on the example system.

Both providers of the example system are started once (reference providers, states
enabled); then, ``--repeats`` times each, in alternating order:

- ``pact-python``: its ``Verifier`` replays the pact with provider states and the
  bearer token, nothing else (the baseline);
- ``contractgate, pact only``: ``verify_pacts`` without a spec: the same replay
  through contractgate's recording proxy, results read into objects;
- ``contractgate, pact + spec``: ``verify_service``: the above plus every response
  validated against the OpenAPI spec with openapi-core (extra work, not overhead).

Then end to end, a new process each time, providers started and stopped included:
``contractgate verify --json`` beside a script doing the same with pact-python
(``run_provider`` + ``Verifier``). The table shows medians and the ratio to the
baseline; the aim is contractgate within 10% of pact-python for the same work.

Results go to ``benchmarks/results/verify.json``::

    .venv/bin/python benchmarks/bench_verify.py              # about a minute
    .venv/bin/python benchmarks/bench_verify.py --repeats 3  # quicker
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
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
from contractgate.verify import verify_pacts, verify_service
from contractgate.verify._replay import _captured_output

CLI_TIMEOUT = 120.0

# The same end-to-end work with pact-python alone: start each provider, verify, stop.
DIRECT_SCRIPT = """
import os, sys
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
from pact import Verifier
from notifyhub.providers import run_provider
for name in ("user-service", "template-service"):
    with run_provider(name, enable_states=True) as provider:
        verifier = Verifier(name, host="127.0.0.1")
        verifier.add_transport(url=provider.base_url)
        verifier.add_source(f"contracts/orchestrator-{name}.json")
        states = provider.base_url + "/_pact/provider-states"
        verifier.state_handler(states, teardown=True, body=True)
        verifier.add_custom_header("Authorization", "Bearer test-token")
        verifier.set_coloured_output(enabled=False)
        verifier.verify()
"""


def pact_python(service: Service, provider: RunningProvider, headers: dict[str, str]) -> bool:
    """The baseline: pact-python's verifier on the service's pacts, nothing else."""
    from pact import Verifier

    verifier = Verifier(service.name, host="127.0.0.1")
    verifier.add_transport(url=provider.base_url)
    for pact in service.pacts:
        verifier.add_source(pact.source)
    assert provider.states_url is not None
    verifier.state_handler(provider.states_url, teardown=True, body=True)
    for name, value in headers.items():
        verifier.add_custom_header(name, value)
    verifier.set_coloured_output(enabled=False)
    with _captured_output():  # it prints its report; contractgate captures it the same way
        verifier.verify()
    return bool(verifier.results["result"])


def library_rows(project: Project, repeats: int) -> list[dict[str, Any]]:
    """Medians of the three in-process variants, per service, against running providers."""
    return [row for service in project.services for row in service_rows(project, service, repeats)]


def service_rows(project: Project, service: Service, repeats: int) -> list[dict[str, Any]]:
    """The three variants against one running provider, in alternating order."""
    headers = service_headers(service, project)
    with service_provider(service, project) as provider:
        variants: dict[str, Callable[[], bool]] = {
            "pact-python": lambda: pact_python(service, provider, headers),
            "contractgate, pact only": lambda: (
                verify_pacts(service.pacts, provider, headers=headers, name=service.name).passed
            ),
            "contractgate, pact + spec": lambda: verify_service(service, provider).passed,
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        for name, action in variants.items():  # warm-up: imports, first connections
            if not action():
                raise ServiceError(f"{name} did not pass on {service.name}")
        for index in range(repeats):
            order = list(variants) if index % 2 == 0 else list(reversed(variants))
            for name in order:
                started = time.perf_counter()
                if not variants[name]():
                    raise ServiceError(f"{name} did not pass on {service.name}")
                times[name].append(time.perf_counter() - started)
    interactions = sum(len(p.interactions) for p in service.pacts)
    base = statistics.median(times["pact-python"])
    return [
        {
            "service": service.name,
            "variant": name,
            "interactions": interactions,
            "median_ms": round(statistics.median(samples) * 1e3, 1),
            "min_ms": round(min(samples) * 1e3, 1),
            "ratio": ratio(statistics.median(samples), base),
            "samples_ms": [round(s * 1e3, 1) for s in samples],
        }
        for name, samples in times.items()
    ]


def end_to_end(repeats: int) -> list[dict[str, Any]]:
    """Medians of whole runs in a new process: imports and provider start-ups included."""
    env = {**os.environ, "PACT_DO_NOT_TRACK": "true", "NO_COLOR": "1"}
    commands = {
        "pact-python script": [sys.executable, "-c", DIRECT_SCRIPT],
        "contractgate verify": [str(ROOT / ".venv" / "bin" / "contractgate"), "verify", "--json"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for index in range(repeats):
        order = list(commands) if index % 2 == 0 else list(reversed(commands))
        for name in order:
            started = time.perf_counter()
            try:
                done = subprocess.run(
                    commands[name],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    timeout=CLI_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise ServiceError(f"{name} did not finish in {CLI_TIMEOUT:g}s") from None
            if done.returncode != 0:
                tail = done.stderr.decode(errors="replace")[-2000:]
                raise ServiceError(f"{name} exited with {done.returncode}: {tail}")
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times["pact-python script"])
    return [
        {
            "variant": name,
            "median_s": round(statistics.median(samples), 2),
            "min_s": round(min(samples), 2),
            "ratio": ratio(statistics.median(samples), base),
            "samples_s": [round(s, 2) for s in samples],
        }
        for name, samples in times.items()
    ]


def body(repeats: int) -> int:
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    facts = machine_facts()
    project = load_project(load_config(ROOT / "contractgate.toml"))
    console.print(f"verify: {repeats} runs per variant, load {facts['loadavg_at_start']}")
    rows = library_rows(project, repeats)
    print_table(
        "verification of running providers (in process)",
        ["service", "variant", "interactions", "median ms", "min ms", "x pact-python"],
        [
            [r["service"], r["variant"], r["interactions"], r["median_ms"], r["min_ms"], r["ratio"]]
            for r in rows
        ],
    )
    whole = end_to_end(repeats)
    print_table(
        "whole runs, both services (new process, providers started and stopped)",
        ["variant", "median s", "min s", "x pact-python"],
        [[r["variant"], r["median_s"], r["min_s"], r["ratio"]] for r in whole],
    )
    path = write_results(
        "verify",
        {
            "benchmark": "verify",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "repeats": repeats,
            "machine": machine_at_end(facts),
            "in_process": rows,
            "end_to_end": whole,
        },
    )
    console.print(f"results: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (see the module docstring)."""
    parser = repeats_parser(__doc__, default=7, unit="variant")
    args = parser.parse_args(argv)
    return run_main(lambda: body(max(1, args.repeats)))


if __name__ == "__main__":
    sys.exit(main())
