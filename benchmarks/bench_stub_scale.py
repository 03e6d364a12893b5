"""Stubs of large specs: ``contractgate stub up`` beside Prism, and beside itself on a small spec.

Three specs, every one through the CLI as a user runs it:

- ``small``: :func:`scale_spec` with 5 operations (deep and circular ``$ref``s);
- ``large``: the same generator with 500 operations;
- ``github``: GitHub's REST API (``node_modules/@octokit/openapi``, 13 MB, 1,223
  operations, installed by the repository's ``npm ci``).

For ``contractgate stub up --spec`` and Prism (``prism mock -v warn``) it measures:

1. start-up: seconds from starting the process until the first target answers 200
   (Prism gets a bounded wait, 120 s by default: "no answer within 120 s");
2. the answers: each target's status and whether its body validates against the spec;
3. throughput: requests/s of ``wrk`` (2 threads, 16 connections, loopback) on the
   first, middle and last target, every server up at once and loaded in turn, round
   after round (the median is reported);
4. memory: resident set size after the load (contractgate: the CLI process and its
   Mountebank; Prism: its node process).

On the large spec the same stubs are also served flat (every stub on Mountebank from
the start, through the library): what serving lazily avoids. Targets are reads
(``GET /api/resources{n}/{id}``) of the first, middle and last resource; on GitHub's
spec, the first, middle and last GET operations that need no query parameter or
header. It prints tables and writes ``benchmarks/results/stub_scale.json``
(``stub_scale-quick.json`` for ``--quick``) with the ratios::

    .venv/bin/python benchmarks/bench_stub_scale.py            # about 12 minutes
    .venv/bin/python benchmarks/bench_stub_scale.py --quick    # 2 s loads, one round
    .venv/bin/python benchmarks/bench_stub_scale.py --write-spec 500 --out spec.json
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from _gen_spec import generate_spec, write_json
from _harness import (
    LOOPBACK,
    PEERS_DIR,
    PEERS_INSTALL,
    ROOT,
    LoadResult,
    Probe,
    ServerProcess,
    console,
    find_wrk,
    free_port,
    machine_at_end,
    machine_facts,
    print_table,
    ratio,
    rounds_outcome,
    run_main,
    run_wrk,
    spawn,
    wait_ready,
    write_results,
)
from contractgate._errors import ServiceError, SetupError
from contractgate._openapi import Operation, Spec, load_spec
from contractgate._project import adhoc_project
from contractgate.stubs import Mountebank, StubServer, started_servers
from contractgate.stubs._values import Values

GITHUB = ROOT / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json"
CONTRACTGATE = Path(sys.executable).parent / "contractgate"
PRISM = PEERS_DIR / "@stoplight" / "prism-cli" / "dist" / "index.js"
TOKEN = {"Authorization": "Bearer bench-token"}
SMALL, LARGE = 5, 500
POSITIONS = ("first", "middle", "last")
CONTRACTGATE_NAME = "contractgate"
FLAT_NAME = "contractgate (flat)"
PRISM_NAME = "prism"
_ref = "#/components/schemas/{}".format
DEPTH = 8
"""Levels of the required chain every resource carries (``Level1`` ... ``Level8``)."""


def _scale_schemas() -> dict[str, Any]:
    """Schemas with circular references (optional, nullable, through arrays and a
    ``oneOf``), a required chain ``DEPTH`` levels deep, a discriminator, readOnly and
    writeOnly properties."""
    levels: dict[str, Any] = {}
    for level in range(1, DEPTH + 1):
        last = level == DEPTH
        levels[f"Level{level}"] = {
            "type": "object",
            "required": ["depth", "leaf" if last else "next"],
            "properties": {
                "depth": {"type": "integer", "const": level},
                **(
                    {"leaf": {"type": "string", "format": "date-time"}}
                    if last
                    else {"next": {"$ref": _ref(f"Level{level + 1}")}}
                ),
            },
        }
    return {
        **levels,
        "Category": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "string", "readOnly": True},
                "name": {"type": "string"},
                "parent": {"anyOf": [{"$ref": _ref("Category")}, {"type": "null"}]},
                "children": {"type": "array", "items": {"$ref": _ref("Category")}},
            },
        },
        "Comment": {
            "type": "object",
            "required": ["id", "text", "replies"],
            "properties": {
                "id": {"type": "string"},
                "text": {"type": "string", "maxLength": 500},
                "author": {"$ref": _ref("Owner")},
                "replies": {"type": "array", "items": {"$ref": _ref("Comment")}},
                "edit_token": {"type": "string", "writeOnly": True},
            },
        },
        "Attachment": {
            "oneOf": [{"$ref": _ref("FileAttachment")}, {"$ref": _ref("LinkAttachment")}],
            "discriminator": {
                "propertyName": "kind",
                "mapping": {"file": _ref("FileAttachment"), "link": _ref("LinkAttachment")},
            },
        },
        "FileAttachment": {
            "type": "object",
            "required": ["kind", "size"],
            "properties": {
                "kind": {"type": "string"},
                "size": {"type": "integer", "minimum": 0},
                "owner": {"$ref": _ref("Owner")},
            },
        },
        "LinkAttachment": {
            "type": "object",
            "required": ["kind", "url"],
            "properties": {
                "kind": {"type": "string"},
                "url": {"type": "string", "format": "uri"},
                "preview": {"$ref": _ref("Attachment")},
            },
        },
    }


def scale_spec(operations: int) -> dict[str, Any]:
    """``_gen_spec``'s spec with exactly ``operations`` operations, each resource deep and circular.

    Each resource carries a required chain ``DEPTH`` levels deep, a category tree
    (nullable parent, children), a comment thread (replies of replies), a polymorphic
    attachment (a discriminator with a mapping; a link previews another attachment)
    and a writeOnly token; owners have an optional manager (an owner). A resource's
    operations come read first (``GET /resources{n}/{id}``, list, create, replace), so a
    spec cut short still has reads at its first and last resource.
    """
    spec = copy.deepcopy(generate_spec(operations))
    schemas = spec["components"]["schemas"]
    schemas.update(_scale_schemas())
    schemas["Owner"]["properties"]["manager"] = {"$ref": _ref("Owner")}
    paths: dict[str, Any] = {}
    left = operations
    for n in range(len(spec["paths"]) // 2):
        collection, item = f"/resources{n}", f"/resources{n}/{{id}}"
        resource = schemas[f"Resource{n}"]
        resource["required"].append("details")
        resource["properties"].update(
            details={"$ref": _ref("Level1")},
            category={"$ref": _ref("Category")},
            thread={"$ref": _ref("Comment")},
            attachment={"$ref": _ref("Attachment")},
            token={"type": "string", "writeOnly": True},
        )
        order = [(item, "get"), (collection, "get"), (collection, "post"), (item, "put")]
        for path, method in order[: max(left, 0)]:
            source = spec["paths"][path]
            target = paths.setdefault(path, {})
            if "parameters" in source:
                target["parameters"] = source["parameters"]
            target[method] = source[method]
        left -= len(order)
    spec["paths"] = paths
    return spec


# -- what is measured ------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """How long and how hard each measurement runs."""

    seconds: int = 5
    rounds: int = 3
    warmup_seconds: int = 1
    connections: int = 16
    threads: int = 2
    prism_wait: float = 120.0
    startup_timeout: float = 60.0
    quick: bool = False

    @classmethod
    def quick_run(cls, prism_wait: float) -> Settings:
        """A smoke run: every code path once."""
        return cls(seconds=2, rounds=1, prism_wait=prism_wait, quick=True)


@dataclass(frozen=True)
class Target:
    """A GET measured on a spec: the path with the spec's base path, and without it."""

    position: str
    operation: str
    path: str
    bare_path: str
    """For Prism, which serves a spec without its relative server URL (``/api``)."""


@dataclass
class Served:
    """One server of one spec while it runs, and what was measured of it."""

    name: str
    urls: dict[str, str]
    """Target position -> URL."""
    pids: list[int] = field(default_factory=list)
    startup_s: float | None = None
    failure: str | None = None
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    loads: dict[str, list[LoadResult]] = field(default_factory=dict)
    rss_mb: float | None = None

    def row(self) -> dict[str, Any]:
        loads = {}
        for position, runs in self.loads.items():
            loads[position] = {
                "requests_per_second": statistics.median(r.requests_per_second for r in runs),
                "p50_ms": statistics.median(r.latency_ms["p50"] for r in runs),
                "p99_ms": statistics.median(r.latency_ms["p99"] for r in runs),
                **rounds_outcome(runs),
            }
        return {
            "server": self.name,
            "startup_s": self.startup_s,
            "failure": self.failure,
            "answers": self.answers,
            "rss_mb": self.rss_mb,
            "load": loads,
        }


def targets_for(spec: Spec) -> list[Target]:
    """The first, middle and last GET the benchmark sends, with concrete path values."""
    base = spec.base_paths[0] if spec.base_paths else ""
    reads = [op for op in spec.operations if op.method == "GET" and _plain(op)]
    if spec.title == "Benchmark service":  # the generated specs: reads of single resources
        reads = [op for op in reads if op.path.endswith("/{id}")]
    chosen = [reads[0], reads[len(reads) // 2], reads[-1]]
    values = Values(spec)
    out = []
    for position, op in zip(POSITIONS, chosen, strict=True):
        path = op.path
        for param in op.parameters_in("path"):
            value = values.example(param.schema, response=False) if param.schema else "x"
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            path = path.replace("{" + param.name + "}", quote(text, safe=""))
        out.append(Target(position, op.key, base + path, path))
    return out


def _plain(op: Operation) -> bool:
    """Whether a request needs nothing but its path (no required query, header or cookie)."""
    return not any(p.required for p in op.parameters if p.location != "path")


def _rss_mb(pids: Sequence[int]) -> float | None:
    """Resident memory of the processes and every descendant, in MB (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    total_kb, seen, pending = 0, set(), list(pids)
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        pending += children.get(pid, [])
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return round(total_kb / 1024, 1) if seen else None


# -- the servers -----------------------------------------------------------------------------


def _started(process: ServerProcess, urls: dict[str, str], timeout: float, t0: float) -> float:
    """Seconds from ``t0`` until the first target answers 200 (ServiceError otherwise)."""
    wait_ready([Probe(urls["first"], TOKEN, peer=process)], timeout=timeout, interval=0.02)
    return time.perf_counter() - t0


@contextmanager
def contractgate(spec: Path, targets: Sequence[Target], settings: Settings) -> Iterator[Served]:
    """``contractgate stub up --spec`` (the CLI), timed until its first answer."""
    if not CONTRACTGATE.is_file():
        raise SetupError(f"{CONTRACTGATE} is missing", hint="run: make setup")
    port = free_port()
    urls = {t.position: f"http://{LOOPBACK}:{port}{t.path}" for t in targets}
    argv = [str(CONTRACTGATE), "stub", "up", "--spec", str(spec), "--port", str(port)]
    t0 = time.perf_counter()
    with spawn(CONTRACTGATE_NAME, argv) as process:
        served = Served(CONTRACTGATE_NAME, urls, [process.process.pid])
        served.startup_s = _started(process, urls, settings.startup_timeout, t0)
        served.pids += started_servers(process.process.pid)
        yield served


@contextmanager
def prism(spec: Path, targets: Sequence[Target], settings: Settings) -> Iterator[Served]:
    """``prism mock -v warn``, given ``settings.prism_wait`` seconds to answer at all."""
    if not PRISM.is_file():
        raise SetupError(
            f"Prism is not installed ({PRISM} is missing)", hint=f"run: {PEERS_INSTALL}"
        )
    port = free_port()
    urls = {t.position: f"http://{LOOPBACK}:{port}{t.bare_path}" for t in targets}
    argv = ["node", str(PRISM), "mock", "-h", LOOPBACK, "-p", str(port), "-v", "warn", str(spec)]
    t0 = time.perf_counter()
    with spawn(PRISM_NAME, argv) as process:
        served = Served(PRISM_NAME, urls, [process.process.pid])
        try:
            served.startup_s = _started(process, urls, settings.prism_wait, t0)
        except ServiceError as exc:
            exited = process.process.poll() is not None
            served.failure = (
                f"exited with code {process.process.returncode}"
                if exited
                else f"no answer within {settings.prism_wait:g} s"
            )
            served.rss_mb = _rss_mb(served.pids)
            console.print(f"  prism: {served.failure} ({str(exc).splitlines()[0]})")
        yield served


@contextmanager
def flat(spec: Path, targets: Sequence[Target], settings: Settings) -> Iterator[Served]:
    """The same stubs served flat through the library: every stub on Mountebank at once."""
    project = adhoc_project(spec)
    with (
        Mountebank.start(search_from=ROOT) as mb,
        StubServer(mb, project, lazy=False) as server,
    ):
        stub = server.start(project.services[0].name)
        urls = {t.position: f"{stub.url}{t.path}" for t in targets}
        served = Served(FLAT_NAME, urls, [mb.pid] if mb.pid else [])
        wait_ready([Probe(urls["first"], TOKEN)], timeout=settings.startup_timeout)
        yield served


# -- the measurement -------------------------------------------------------------------------


def check_answers(served: Served, spec: Spec, targets: Sequence[Target]) -> None:
    """Each target's status and whether its body validates against the spec."""
    for target in targets:
        method, template = target.operation.split(" ", 1)
        op = spec.operation(method, template)
        assert op is not None
        answer = requests.get(served.urls[target.position], headers=TOKEN, timeout=30)
        documented = op.response_for(answer.status_code)
        media = (answer.headers.get("Content-Type") or "").split(";")[0].strip()
        content = documented.content.get(media) if documented else None
        valid = documented is not None
        if content is not None and content.schema is not None:
            try:
                body = answer.json() if "json" in media else answer.text
            except ValueError:
                body = None
            valid = body is not None and spec.validator(content.schema).is_valid(body)
        served.answers[target.position] = {"status": answer.status_code, "valid": valid}


def measure_spec(name: str, path: Path, settings: Settings, *, with_flat: bool) -> dict[str, Any]:
    """Every server of one spec: start-up, answers, load in rounds, memory."""
    spec = load_spec(path)
    targets = targets_for(spec)
    console.print(
        f"[bold]{name}[/]: {len(spec.operations)} operations, {path.stat().st_size / 1e6:.1f} MB"
    )
    servers: list[Served] = []
    with ExitStack() as stack:
        console.print(f"  start-up  {CONTRACTGATE_NAME}")
        servers.append(stack.enter_context(contractgate(path, targets, settings)))
        console.print(f"  start-up  {PRISM_NAME} (up to {settings.prism_wait:g} s)")
        servers.append(stack.enter_context(prism(path, targets, settings)))
        if with_flat:
            console.print(f"  start     {FLAT_NAME}")
            servers.append(stack.enter_context(flat(path, targets, settings)))
        live = [s for s in servers if s.failure is None]
        for served in live:
            check_answers(served, spec, targets)
        load = {"connections": settings.connections, "threads": settings.threads}
        for served in live:
            for target in targets:
                run_wrk(
                    served.urls[target.position],
                    seconds=settings.warmup_seconds,
                    headers=TOKEN,
                    **load,
                )
        for n in range(settings.rounds):
            for target in targets:
                for served in [*live[n % len(live) :], *live[: n % len(live)]]:
                    console.print(
                        f"  load      {served.name:<20} {target.position:<6} round {n + 1}"
                    )
                    result = run_wrk(
                        served.urls[target.position],
                        seconds=settings.seconds,
                        headers=TOKEN,
                        **load,
                    )
                    served.loads.setdefault(target.position, []).append(result)
        for served in live:
            served.rss_mb = _rss_mb(served.pids)
    return {
        "spec": name,
        "path": str(path),
        "operations": len(spec.operations),
        "size_mb": round(path.stat().st_size / 1e6, 2),
        "targets": [asdict(t) for t in targets],
        "servers": [s.row() for s in servers],
    }


def _server(result: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in result["servers"] if s["server"] == name), None)


def _rps(result: dict[str, Any] | None, name: str, position: str) -> float | None:
    server = _server(result, name) if result else None
    load = server["load"].get(position) if server else None
    return load["requests_per_second"] if load else None


def ratios(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Start-up against Prism; throughput against the small spec, Prism and flat serving."""
    out: dict[str, Any] = {"startup_vs_prism": {}, "rps_vs_small": {}, "rps_vs_prism": {}}
    for name, result in results.items():
        ours, theirs = _server(result, CONTRACTGATE_NAME), _server(result, PRISM_NAME)
        out["startup_vs_prism"][name] = (
            ratio(ours["startup_s"], theirs["startup_s"]) if ours and theirs else None
        )
        out["rps_vs_prism"][name] = {
            p: ratio(_rps(result, CONTRACTGATE_NAME, p), _rps(result, PRISM_NAME, p))
            for p in POSITIONS
        }
        if name != "small":
            out["rps_vs_small"][name] = {
                p: ratio(
                    _rps(result, CONTRACTGATE_NAME, p), _rps(results["small"], CONTRACTGATE_NAME, p)
                )
                for p in POSITIONS
            }
    large = results.get("large")
    out["lazy_vs_flat"] = {
        p: ratio(_rps(large, CONTRACTGATE_NAME, p), _rps(large, FLAT_NAME, p)) for p in POSITIONS
    }
    return out


def print_tables(
    results: dict[str, dict[str, Any]], ratio_table: dict[str, Any], settings: Settings
) -> None:
    rows = []
    for name, result in results.items():
        for server in result["servers"]:
            answers = server["answers"]
            valid = sum(a["valid"] for a in answers.values())
            rows.append(
                (
                    name,
                    result["operations"],
                    server["server"],
                    server["startup_s"] if server["startup_s"] is not None else server["failure"],
                    f"{valid}/{len(answers)}" if answers else None,
                    server["rss_mb"],
                )
            )
    print_table(
        "Start-up (s until the first answer) and memory (RSS, MB, after the load)",
        ("spec", "operations", "server", "start-up s", "valid answers", "RSS MB"),
        rows,
    )
    rows = []
    for name, result in results.items():
        for server in result["servers"]:
            if not server["load"]:
                continue
            errors = sum(load["errors"] for load in server["load"].values())
            rows.append(
                (
                    name,
                    server["server"],
                    *(_rps(result, server["server"], p) for p in POSITIONS),
                    errors,
                )
            )
    print_table(
        f"Requests/s (wrk {settings.threads} threads, {settings.connections} connections, "
        f"{settings.seconds} s; median of {settings.rounds})",
        ("spec", "server", *POSITIONS, "non-2xx/errors"),
        rows,
    )
    names = list(results)
    table: list[tuple[object, ...]] = [
        ("start-up: contractgate / prism", *(ratio_table["startup_vs_prism"].get(n) for n in names))
    ]
    for position in POSITIONS:
        vs_small = ratio_table["rps_vs_small"]
        table.append(
            (
                f"req/s {position}: contractgate / on the small spec",
                *(vs_small.get(n, {}).get(position) for n in names),
            )
        )
    for position in POSITIONS:
        vs_prism = ratio_table["rps_vs_prism"]
        table.append(
            (f"req/s {position}: contractgate / prism", *(vs_prism[n][position] for n in names))
        )
    for position in POSITIONS:
        lazy = ratio_table["lazy_vs_flat"][position]
        table.append(
            (f"req/s {position}: lazy / flat", *(lazy if n == "large" else None for n in names))
        )
    print_table("Ratios", ("", *names), table)


def run(settings: Settings) -> int:
    """Generate the specs, measure every server on each, print and write the results."""
    find_wrk()
    if not GITHUB.is_file():
        raise SetupError(f"{GITHUB} is missing", hint="run `npm ci` in the repository")
    started = datetime.now(UTC).isoformat(timespec="seconds")
    facts = machine_facts({"@stoplight/prism-cli": PEERS_DIR, "mountebank": ROOT / "node_modules"})
    with tempfile.TemporaryDirectory(prefix="bench-stub-scale-") as folder:
        specs = {
            "small": write_json(scale_spec(SMALL), Path(folder) / "small.json"),
            "large": write_json(scale_spec(LARGE), Path(folder) / "large.json"),
            "github": GITHUB,
        }
        results = {
            name: measure_spec(name, path, settings, with_flat=name == "large")
            for name, path in specs.items()
        }
    ratio_table = ratios(results)
    print_tables(results, ratio_table, settings)
    path = write_results(
        "stub_scale-quick" if settings.quick else "stub_scale",
        {
            "benchmark": "stub_scale",
            "started_at": started,
            "settings": asdict(settings),
            "machine": machine_at_end(facts),
            "ratios": ratio_table,
            "specs": results,
        },
    )
    console.print(f"wrote {path.relative_to(ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run; the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 s loads, one round")
    parser.add_argument(
        "--prism-wait",
        type=float,
        default=120.0,
        help="seconds Prism is given to answer its first request (default 120)",
    )
    parser.add_argument(
        "--write-spec",
        type=int,
        metavar="OPERATIONS",
        help="only write the deep and circular spec of this many operations to --out",
    )
    parser.add_argument("--out", type=Path, help="with --write-spec: the JSON file to write")
    args = parser.parse_args(argv)
    if args.write_spec is not None:
        if args.out is None:
            parser.error("--write-spec needs --out")
        print(write_json(scale_spec(args.write_spec), args.out))
        return 0
    settings = (
        Settings.quick_run(args.prism_wait) if args.quick else Settings(prism_wait=args.prism_wait)
    )
    return run_main(lambda: run(settings))


if __name__ == "__main__":
    sys.exit(main())
