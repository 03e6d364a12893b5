"""benchmarks/bench_stub_scale.py's pure parts: the deep and circular spec, targets, ratios."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openapi_spec_validator import validate

from contractgate._openapi import load_spec

ROOT = Path(__file__).resolve().parents[2]


def _load_bench() -> ModuleType:
    # Benchmarks are scripts, not a package: load the module from its file.
    folder = ROOT / "benchmarks"
    sys.path.insert(0, str(folder))
    try:
        path = folder / "bench_stub_scale.py"
        spec = importlib.util.spec_from_file_location("bench_stub_scale", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_stub_scale"] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(folder))


bench = _load_bench()


def operations(spec: dict[str, Any]) -> list[str]:
    return [
        f"{m.upper()} {p}" for p, item in spec["paths"].items() for m in item if m != "parameters"
    ]


@pytest.mark.parametrize("count", [1, 5, 8, 500])
def test_scale_spec_has_exactly_the_operations_asked_for(count: int) -> None:
    spec = bench.scale_spec(count)
    assert len(operations(spec)) == count
    assert operations(spec)[0] == "GET /resources0/{id}"  # reads first
    validate(spec)  # a valid OpenAPI 3.1 document


def test_scale_spec_is_deep_and_circular() -> None:
    schemas = bench.scale_spec(8)["components"]["schemas"]
    resource = schemas["Resource1"]
    assert "details" in resource["required"]
    level = schemas["Level1"]
    for depth in range(2, bench.DEPTH + 1):
        assert level["properties"]["next"]["$ref"].endswith(f"Level{depth}")
        level = schemas[f"Level{depth}"]
    assert schemas["Category"]["properties"]["children"]["items"]["$ref"].endswith("Category")
    assert schemas["Owner"]["properties"]["manager"]["$ref"].endswith("Owner")
    assert schemas["LinkAttachment"]["properties"]["preview"]["$ref"].endswith("Attachment")
    assert schemas["Attachment"]["discriminator"]["mapping"]["file"].endswith("FileAttachment")
    assert resource["properties"]["token"]["writeOnly"] is True


def test_targets_are_reads_of_the_first_middle_and_last_resource(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(bench.scale_spec(500)), encoding="utf-8")
    targets = bench.targets_for(load_spec(path))
    assert [t.operation for t in targets] == [
        "GET /resources0/{id}",
        "GET /resources62/{id}",
        "GET /resources124/{id}",
    ]
    assert targets[0].path == "/api/resources0/r-0"
    assert targets[0].bare_path == "/resources0/r-0"


def row(server: str, startup: float | None, rps: list[float]) -> dict[str, Any]:
    loads = {p: {"requests_per_second": r} for p, r in zip(bench.POSITIONS, rps, strict=True)}
    return {"server": server, "startup_s": startup, "load": loads}


def test_ratios() -> None:
    results = {
        "small": {"servers": [row("contractgate", 1.0, [1000, 800, 600])]},
        "large": {
            "servers": [
                row("contractgate", 2.0, [900, 900, 900]),
                row("prism", 8.0, [300, 300, 300]),
                row("contractgate (flat)", None, [450, 90, 45]),
            ]
        },
    }
    table = bench.ratios(results)
    assert table["startup_vs_prism"] == {"small": None, "large": 0.25}
    assert table["rps_vs_small"]["large"] == {"first": 0.9, "middle": 1.125, "last": 1.5}
    assert table["rps_vs_prism"]["large"] == {"first": 3.0, "middle": 3.0, "last": 3.0}
    assert table["lazy_vs_flat"] == {"first": 2.0, "middle": 10.0, "last": 20.0}


def test_rss_counts_the_process_tree() -> None:
    own = bench._rss_mb([os.getpid()])
    assert own is not None
    assert own > 10
    assert bench._rss_mb([]) is None
