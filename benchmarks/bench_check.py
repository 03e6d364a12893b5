"""``contractgate check`` at scale: a 1,000-operation spec against pacts of 1,000 and 10,000.

The spec and the pacts come from ``_gen_spec.py`` (``$ref``'d schemas, nested objects,
arrays, matchers; every interaction compatible), written to a temporary folder. Each
case is loaded and checked ``--repeats`` times from scratch (a fresh spec each time,
so compiling the validators is part of every run); the table shows medians of wall
and CPU time, split into load (parsing the files: ``load_spec``/``load_pact``) and
check (``check_project``), plus the end-to-end command (``contractgate check --json``,
a new process: start-up included). Extra rows:

- ``10k, 1% failing``: every 100th interaction has a renamed response field, so 100
  failures are described and located (``line:col`` in a 14 MB pact);
- ``10k, Python only``: without ``jsonschema_rs``, every value goes through the
  spec's Python validators (what the fast path saves; one run).

The machine's load average is recorded: on a busy machine wall times stretch, CPU
times much less, so growth is computed from CPU medians.

Results go to ``benchmarks/results/check.json``::

    .venv/bin/python benchmarks/bench_check.py              # about 2 minutes
    .venv/bin/python benchmarks/bench_check.py --repeats 1  # smoke run
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from _gen_spec import generate_pact, generate_spec, write_json
from _harness import (
    ROOT,
    console,
    machine_facts,
    print_table,
    repeats_parser,
    run_main,
    write_results,
)
from contractgate._errors import ServiceError
from contractgate._project import adhoc_project
from contractgate.check import CheckResult, _fast, check_project

OPERATIONS = 1000
CLI_TIMEOUT = 300.0


@contextmanager
def python_only() -> Iterator[None]:
    """Check without ``jsonschema_rs``: every value goes to the Python validators."""
    saved = _fast.jsonschema_rs
    _fast.jsonschema_rs = None
    try:
        yield
    finally:
        _fast.jsonschema_rs = saved


def timed(action: Callable[[], Any]) -> tuple[Any, float, float]:
    """``(result, wall seconds, CPU seconds)`` of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def measure(spec: Path, pact: Path, repeats: int) -> dict[str, Any]:
    """Medians of loading and checking ``pact`` against ``spec``, from scratch each time."""
    runs: dict[str, list[float]] = {k: [] for k in ("load", "load_cpu", "check", "check_cpu")}
    result: CheckResult | None = None
    for _ in range(repeats):
        project, wall, cpu = timed(partial(adhoc_project, spec, [pact]))
        runs["load"].append(wall)
        runs["load_cpu"].append(cpu)
        result, wall, cpu = timed(partial(check_project, project))
        runs["check"].append(wall)
        runs["check_cpu"].append(cpu)
    assert result is not None
    counts = result.counts()
    medians = {k: statistics.median(v) for k, v in runs.items()}
    return {
        **medians,
        "runs": runs,
        "interactions": counts["interactions"],
        "failed": counts["failed"],
        "per_interaction_us": medians["check"] / counts["interactions"] * 1e6,
    }


def measure_cli(spec: Path, pact: Path, repeats: int) -> float:
    """Median wall seconds of ``contractgate check --json`` in a new process."""
    command = [str(Path(sys.executable).parent / "contractgate"), "check"]
    command += ["--spec", str(spec), "--pact", str(pact), "--json"]
    env = {**os.environ, "PACT_DO_NOT_TRACK": "true"}
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, timeout=CLI_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            raise ServiceError(f"contractgate check took over {CLI_TIMEOUT:.0f} s") from None
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise ServiceError(f"contractgate check failed: {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def body(repeats: int) -> int:
    facts = machine_facts()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        folder = Path(tmp)
        spec_data = generate_spec(OPERATIONS)
        spec = write_json(spec_data, folder / f"spec-{OPERATIONS}.json")
        cases = [
            ("1k", 1000, 0, False),
            ("10k", 10000, 0, False),
            ("10k, 1% failing", 10000, 100, False),
            ("10k, Python only", 10000, 0, True),
        ]
        for label, count, defect_every, slow in cases:
            pact_data = generate_pact(spec_data, count, defect_every=defect_every)
            pact = write_json(pact_data, folder / f"pact-{count}-{defect_every}.json")
            console.print(f"check  {label} ({pact.stat().st_size / 1e6:.1f} MB)")
            with python_only() if slow else nullcontext():
                row = measure(spec, pact, 1 if slow else repeats)
            row["cli"] = None if slow else measure_cli(spec, pact, min(repeats, 3))
            row.update(case=label, pact_mb=pact.stat().st_size / 1e6, defect_every=defect_every)
            rows.append(row)
    print_table(
        f"check: a {OPERATIONS:,}-operation spec (medians, seconds)",
        ["pact", "MB", "failed", "load", "check", "check CPU", "µs each", "CLI total"],
        [
            [
                r["case"],
                r["pact_mb"],
                r["failed"],
                r["load"],
                r["check"],
                r["check_cpu"],
                r["per_interaction_us"],
                r["cli"],
            ]
            for r in rows
        ],
        caption=f"load average at start {facts['loadavg_at_start']}, {facts['nproc']} CPUs",
    )
    small, large, python = rows[0], rows[1], rows[3]
    growth = {
        "check_cpu_10k_over_1k": large["check_cpu"] / small["check_cpu"],
        "marginal_cpu_us_per_interaction": (large["check_cpu"] - small["check_cpu"]) / 9000 * 1e6,
        "python_only_over_fast_10k_cpu": python["check_cpu"] / large["check_cpu"],
    }
    console.print(
        f"check CPU, 10k over 1k: {growth['check_cpu_10k_over_1k']:.2f}x for 10x the "
        f"interactions ({growth['marginal_cpu_us_per_interaction']:.0f} µs each beyond the "
        f"first 1k); Python only takes {growth['python_only_over_fast_10k_cpu']:.1f}x as long"
    )
    path = write_results(
        "check",
        {
            "benchmark": "check",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "operations": OPERATIONS,
            "repeats": repeats,
            "machine": facts,
            "cases": rows,
            "growth": growth,
        },
    )
    console.print(f"wrote {path.relative_to(ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (see the module docstring)."""
    parser = repeats_parser(__doc__, default=5, unit="case")
    args = parser.parse_args(argv)
    return run_main(lambda: body(max(1, args.repeats)))


if __name__ == "__main__":
    sys.exit(main())
