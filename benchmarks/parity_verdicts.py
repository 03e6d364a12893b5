"""Record what PactFlow's open checkers say about each case of ``tests/parity_corpus``.

Each case is a folder with a spec, pact files and ``verdicts.json``. For every
interaction the file holds contractgate's expected verdict and findings (written by
hand, asserted by ``tests/unit/test_parity_corpus.py``) and, written by this script,
the verdict and finding codes of ``@pactflow/openapi-pact-comparator`` (``comparator``)
and ``@pactflow/swagger-mock-validator`` (``smv``), with their versions; a peer that
cannot read the case at all is recorded as ``crashed``, with its message. The unit
tests never run node: they read the verdicts recorded here.

    npm ci --prefix benchmarks --ignore-scripts --no-audit --no-fund   # once
    .venv/bin/python benchmarks/parity_verdicts.py           # re-record every case
    .venv/bin/python benchmarks/parity_verdicts.py --check   # exit 1 when a record is stale

Recording keeps everything else in ``verdicts.json`` (contractgate's expectations and
the notes on deliberate differences) and fails on a pact whose interactions no longer
match the file's list (by description), so that the file is never silently misaligned.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from _harness import ROOT, console, npm_version, run_main
from _peer_checkers import PACKAGES, run_peer, verdicts
from contractgate._errors import InputError, ServiceError

CORPUS = ROOT / "tests" / "parity_corpus"
TIMEOUT = 120.0


def _spec(folder: Path) -> Path:
    found = sorted(p for p in folder.glob("spec.*") if p.suffix in (".yaml", ".yml", ".json"))
    if len(found) != 1:
        raise InputError(
            "a parity case needs exactly one spec.yaml or spec.json", source=str(folder)
        )
    return found[0]


def record(folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(recorded, fresh)``: the case's ``verdicts.json`` and the same with new peer verdicts."""
    path = folder / "verdicts.json"
    recorded = json.loads(path.read_text(encoding="utf-8"))
    fresh = json.loads(json.dumps(recorded))
    spec = _spec(folder)
    names = sorted(fresh["pacts"])
    for name in names:
        pact = json.loads((folder / name).read_text(encoding="utf-8"))
        described = [i.get("description") for i in pact.get("interactions", [])]
        if described != [e["description"] for e in fresh["pacts"][name]]:
            raise InputError(
                "the interactions of the pact and of verdicts.json differ",
                source=str(path),
                place=f"/pacts/{name}",
                hint="list every interaction of the pact, by description, in order",
            )
    versions = {}
    for tool in PACKAGES:
        versions[tool] = npm_version(PACKAGES[tool])
        try:
            run = run_peer(tool, spec, [folder / name for name in names], timeout=TIMEOUT)
        except ServiceError as exc:  # the peer cannot read this spec or pact at all
            crash = {"verdict": "crashed", "message": str(exc).rsplit(": ", 1)[-1]}
            for name in names:
                for entry in fresh["pacts"][name]:
                    entry[tool] = crash
            continue
        for name, outcome in zip(names, run.pacts, strict=True):
            entries = fresh["pacts"][name]
            if "error" in outcome:  # the peer threw on this pact
                for entry in entries:
                    entry[tool] = {"verdict": "crashed", "message": outcome["error"]}
                continue
            found = verdicts(outcome["results"], len(entries))
            for entry, verdict in zip(entries, found, strict=True):
                entry[tool] = verdict
    fresh["peers"] = versions
    return recorded, fresh


def body(check: bool) -> int:
    stale = []
    for folder in sorted(p for p in CORPUS.iterdir() if (p / "verdicts.json").is_file()):
        recorded, fresh = record(folder)
        if fresh == recorded:
            console.print(f"{folder.name}: unchanged")
            continue
        if check:
            stale.append(folder.name)
            console.print(f"{folder.name}: [red]stale[/red]")
        else:
            text = json.dumps(fresh, indent=2, ensure_ascii=False) + "\n"
            (folder / "verdicts.json").write_text(text, encoding="utf-8")
            console.print(f"{folder.name}: recorded")
    if stale:
        console.print(f"re-record with: .venv/bin/python {Path(__file__).relative_to(ROOT)}")
    return 1 if stale else 0


def main(argv: list[str] | None = None) -> int:
    """Record (or ``--check``) the peers' verdicts of every parity case."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    return run_main(lambda: body(args.check))


if __name__ == "__main__":
    sys.exit(main())
