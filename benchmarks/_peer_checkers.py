"""PactFlow's open pact <-> OpenAPI checkers, run from Python: what they find, per interaction.

The peers are ``@pactflow/openapi-pact-comparator`` (``comparator``, the engine behind
PactFlow's bi-directional contract testing today) and its predecessor
``@pactflow/swagger-mock-validator`` (``smv``), installed by ``npm ci --prefix
benchmarks``. :func:`run_peer` runs ``_check_peers.mjs`` in a new node process and
returns its findings with the process's wall time; :func:`verdicts` turns findings into
one verdict per interaction (``failed`` when any finding of the interaction is an
error), the unit ``bench_check_peers.py`` and ``parity_verdicts.py`` compare.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _harness import BENCH_DIR, PEERS_DIR, PEERS_INSTALL
from contractgate._errors import ServiceError, SetupError

DRIVER = BENCH_DIR / "_check_peers.mjs"
PACKAGES = {
    "comparator": "@pactflow/openapi-pact-comparator",
    "smv": "@pactflow/swagger-mock-validator",
}
_INTERACTION = re.compile(r"^\[root\]\.interactions\[(\d+)\]")


@dataclass
class PeerRun:
    """One run of a peer: its findings per pact, in-process milliseconds, process wall time."""

    tool: str
    version: str
    load_ms: float
    pacts: list[dict[str, Any]]
    wall_s: float

    def in_process_s(self) -> float:
        """Loading the spec plus checking every pact, inside node (no node start-up)."""
        return (self.load_ms + sum(p["ms"] for p in self.pacts)) / 1000


def require_peer(tool: str) -> Path:
    """The installed package of ``tool``, or a :class:`SetupError` with the install command."""
    folder = PEERS_DIR / PACKAGES[tool]
    if not folder.is_dir():
        raise SetupError(f"{PACKAGES[tool]} is not installed", hint=f"run: {PEERS_INSTALL}")
    if shutil.which("node") is None:
        raise SetupError("node is not installed or not on PATH", hint="install Node.js 20 or newer")
    return folder


def run_peer(tool: str, spec: Path, pacts: Sequence[Path], *, timeout: float) -> PeerRun:
    """Run ``tool`` on ``spec`` and ``pacts`` in a new node process (bounded by ``timeout``)."""
    require_peer(tool)
    argv = ["node", str(DRIVER), tool, str(spec), *map(str, pacts)]
    start = time.perf_counter()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ServiceError(f"{tool} did not finish within {timeout:.0f} s on {spec}") from None
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise ServiceError(f"{tool} failed on {spec}: {done.stderr.strip()[-800:]}")
    data = json.loads(done.stdout)
    return PeerRun(data["tool"], data["version"], data["load_ms"], data["pacts"], wall)


def verdicts(results: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Per interaction (``count`` of them): its verdict and the codes of its errors and warnings."""
    out: list[dict[str, Any]] = [{"errors": set(), "warnings": set()} for _ in range(count)]
    for result in results:
        found = _INTERACTION.match(result.get("location") or "")
        if found is None or int(found.group(1)) >= count:
            raise ServiceError(f"a peer's finding names no interaction: {result}")
        kind = "errors" if result["type"] == "error" else "warnings"
        out[int(found.group(1))][kind].add(result["code"])
    return [
        {
            "verdict": "failed" if entry["errors"] else "passed",
            "errors": sorted(entry["errors"]),
            "warnings": sorted(entry["warnings"]),
        }
        for entry in out
    ]
