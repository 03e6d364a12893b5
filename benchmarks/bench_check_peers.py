"""``contractgate check`` beside PactFlow's open checkers, in the same run, on the same files.

Peers (``npm ci --prefix benchmarks --ignore-scripts``):

- ``@pactflow/openapi-pact-comparator`` (the engine behind PactFlow's bi-directional
  contract testing) on a generated spec of 1,000 operations with pacts of 1,000 and
  10,000 interactions, and 1,000 interactions of which every 50th expects a renamed
  field (the failure path);
- its predecessor ``@pactflow/swagger-mock-validator`` on 100 operations x 100
  interactions and 200 x 200 (it recompiles schemas for every interaction: 1,000 x
  1,000 takes it about 25 minutes).

The spec and pacts come from ``_gen_spec.py`` (OpenAPI 3.1, ``$ref``'d schemas, nested
objects, arrays, matchers), without the ``servers`` base path (``/api``), which the
peers do not read: every tool gets the same two files. Each case runs each tool in a
new process, ``--repeats`` times (the median is shown):

- *process*: wall seconds of the whole command, start-up included: ``contractgate
  check --spec S --pact P --json`` (Python), ``node _check_peers.mjs`` (Node.js);
- *in-process*: the time inside that process to read the files and check, without
  start-up: for contractgate, ``adhoc_project`` + ``check_project`` timed in a fresh
  interpreter; for the peers, what ``_check_peers.mjs`` times around their API.

Every interaction's verdict (passed or failed) is compared with the peer's; each
difference is listed. Results: ``benchmarks/results/check_peers.json``::

    .venv/bin/python benchmarks/bench_check_peers.py              # about 5 minutes
    .venv/bin/python benchmarks/bench_check_peers.py --repeats 1  # smoke run
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _gen_spec import generate_pact, generate_spec, write_json
from _harness import (
    PEERS_DIR,
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
from _peer_checkers import PACKAGES, require_peer, run_peer, verdicts
from contractgate._errors import ServiceError

TIMEOUT = 600.0
CONTRACTGATE = Path(sys.executable).parent / "contractgate"
# Timed in a fresh interpreter: reading the files and checking, no start-up.
IN_PROCESS = """
import json, sys, time
from contractgate._project import adhoc_project
from contractgate.check import check_project
start = time.perf_counter()
project = adhoc_project(sys.argv[1], [sys.argv[2]])
loaded = time.perf_counter()
result = check_project(project)
done = time.perf_counter()
print(json.dumps({"load": loaded - start, "check": done - loaded}))
"""


@dataclass(frozen=True)
class Case:
    """A spec of ``operations`` operations, a pact of ``interactions``, one peer."""

    label: str
    peer: str
    operations: int
    interactions: int
    defect_every: int = 0


CASES = (
    Case("1k", "comparator", 1000, 1000),
    Case("10k", "comparator", 1000, 10000),
    Case("1k, 2.5% renamed", "comparator", 1000, 1000, defect_every=40),
    Case("100 x 100", "smv", 100, 100),
    Case("200 x 200", "smv", 200, 200),
)


@dataclass
class Runs:
    """A tool's timings on one case: wall seconds of the process, seconds inside it."""

    process: list[float] = field(default_factory=list)
    inside: list[float] = field(default_factory=list)

    def medians(self) -> dict[str, float]:
        return {
            "process": statistics.median(self.process),
            "in_process": statistics.median(self.inside),
        }


def files(case: Case, folder: Path) -> tuple[Path, Path, list[str]]:
    """The case's spec and pact, without the base path; and each interaction's description."""
    spec = generate_spec(case.operations)
    del spec["servers"]  # the peers read no servers: paths stand at the root for all
    pact = generate_pact(spec, case.interactions, defect_every=case.defect_every)
    for interaction in pact["interactions"]:
        interaction["request"]["path"] = interaction["request"]["path"].removeprefix("/api")
    name = f"{case.operations}-{case.interactions}-{case.defect_every}"
    return (
        write_json(spec, folder / f"spec-{name}.json"),
        write_json(pact, folder / f"pact-{name}.json"),
        [i["description"] for i in pact["interactions"]],
    )


def _run(argv: list[str], what: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "PACT_DO_NOT_TRACK": "true"}
    start = time.perf_counter()
    try:
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise ServiceError(f"{what} took over {TIMEOUT:.0f} s") from None
    return done, time.perf_counter() - start


def contractgate(spec: Path, pact: Path, repeats: int) -> tuple[Runs, list[str]]:
    """contractgate's timings and, from its ``--json``, each interaction's verdict."""
    runs = Runs()
    output = ""
    for _ in range(repeats):
        command = [str(CONTRACTGATE), "check", "--spec", str(spec), "--pact", str(pact), "--json"]
        done, wall = _run(command, "contractgate check")
        if done.returncode not in (0, 1):
            raise ServiceError(f"contractgate check failed: {done.stderr[-800:]}")
        runs.process.append(wall)
        output = done.stdout
        inner, _ = _run([sys.executable, "-c", IN_PROCESS, str(spec), str(pact)], "in-process")
        if inner.returncode != 0:
            raise ServiceError(f"the in-process timing failed: {inner.stderr[-800:]}")
        timings = json.loads(inner.stdout)
        runs.inside.append(timings["load"] + timings["check"])
    (service,) = json.loads(output)["services"]
    (result,) = service["pacts"]
    return runs, [i["verdict"] for i in result["interactions"]]


def peer(tool: str, spec: Path, pact: Path, repeats: int) -> tuple[Runs, list[dict[str, Any]], str]:
    """The peer's timings, its verdict per interaction, and its version."""
    runs = Runs()
    found: list[dict[str, Any]] = []
    version = ""
    count = len(json.loads(pact.read_text(encoding="utf-8"))["interactions"])
    for _ in range(repeats):
        run = run_peer(tool, spec, [pact], timeout=TIMEOUT)
        runs.process.append(run.wall_s)
        runs.inside.append(run.in_process_s())
        (outcome,) = run.pacts
        if "error" in outcome:
            raise ServiceError(f"{tool} could not read {pact}: {outcome['error']}")
        found, version = verdicts(outcome["results"], count), run.version
    return runs, found, version


def differences(
    described: list[str], ours: list[str], theirs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The interactions whose verdicts differ, with the peer's error codes."""
    return [
        {
            "index": i,
            "description": d,
            "contractgate": o,
            "peer": t["verdict"],
            "peer_errors": t["errors"],
        }
        for i, (d, o, t) in enumerate(zip(described, ours, theirs, strict=True))
        if o != t["verdict"]
    ]


def measure(case: Case, folder: Path, repeats: int) -> dict[str, Any]:
    spec, pact, described = files(case, folder)
    console.print(f"{case.peer:10} {case.label} ({pact.stat().st_size / 1e6:.1f} MB pact)")
    ours, our_verdicts = contractgate(spec, pact, repeats)
    theirs, their_verdicts, version = peer(case.peer, spec, pact, repeats)
    mine, other = ours.medians(), theirs.medians()
    return {
        "case": case.label,
        "peer": case.peer,
        "peer_version": version,
        "operations": case.operations,
        "interactions": case.interactions,
        "pact_mb": pact.stat().st_size / 1e6,
        "contractgate": {**mine, "runs": ours.__dict__},
        "peer_timings": {**other, "runs": theirs.__dict__},
        "speedup_process": ratio(other["process"], mine["process"]),
        "speedup_in_process": ratio(other["in_process"], mine["in_process"]),
        "failed": {
            "contractgate": our_verdicts.count("failed"),
            "peer": sum(v["verdict"] == "failed" for v in their_verdicts),
        },
        "verdict_differences": differences(described, our_verdicts, their_verdicts),
    }


def _growth(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], float]) -> float | None:
    by_case = {r["case"]: r for r in rows}
    return ratio(key(by_case["10k"]), key(by_case["1k"]))


def body(repeats: int, smv_repeats: int) -> int:
    for tool in PACKAGES:
        require_peer(tool)
    facts = machine_facts({PACKAGES[t]: PEERS_DIR for t in PACKAGES})
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-check-peers-") as tmp:
        for case in CASES:
            rows.append(measure(case, Path(tmp), smv_repeats if case.peer == "smv" else repeats))
    print_table(
        "check beside PactFlow's checkers (medians, seconds)",
        [
            "peer",
            "case",
            "same verdicts",
            "contractgate process",
            "peer process",
            "x",
            "contractgate in-process",
            "peer in-process",
            "x",
        ],
        [
            [
                r["peer"],
                r["case"],
                f"{r['interactions'] - len(r['verdict_differences'])}/{r['interactions']}",
                r["contractgate"]["process"],
                r["peer_timings"]["process"],
                r["speedup_process"],
                r["contractgate"]["in_process"],
                r["peer_timings"]["in_process"],
                r["speedup_in_process"],
            ]
            for r in rows
        ],
        caption=f"x: the peer's time over contractgate's; load average at start "
        f"{facts['loadavg_at_start']}, {facts['nproc']} CPUs",
    )
    ours, theirs = "contractgate", "peer_timings"
    growth = {
        "contractgate_in_process_10k_over_1k": _growth(rows, lambda r: r[ours]["in_process"]),
        "comparator_in_process_10k_over_1k": _growth(rows, lambda r: r[theirs]["in_process"]),
    }
    console.print(
        f"10x the interactions: contractgate {growth['contractgate_in_process_10k_over_1k']}x "
        f"the time, the comparator {growth['comparator_in_process_10k_over_1k']}x (in-process)"
    )
    for row in rows:
        for diff in row["verdict_differences"]:
            console.print(
                f"[yellow]differs[/yellow] {row['peer']} {row['case']} #{diff['index']} "
                f"{diff['description']}: contractgate {diff['contractgate']}, peer {diff['peer']}"
            )
    path = write_results(
        "check_peers",
        {
            "benchmark": "check_peers",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "repeats": repeats,
            "smv_repeats": smv_repeats,
            "machine": machine_at_end(facts),
            "cases": rows,
            "growth": growth,
        },
    )
    console.print(f"wrote {path.relative_to(ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (see the module docstring)."""
    parser = repeats_parser(__doc__, default=3, unit="case")
    parser.add_argument(
        "--smv-repeats", type=int, default=1, help="runs per swagger-mock-validator case"
    )
    args = parser.parse_args(argv)
    return run_main(lambda: body(max(1, args.repeats), max(1, args.smv_repeats)))


if __name__ == "__main__":
    sys.exit(main())
