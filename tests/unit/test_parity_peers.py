"""How the peers' findings become verdicts (``benchmarks/_peer_checkers.py``), on their output.

The benchmark and ``parity_verdicts.py`` compare contractgate with PactFlow's checkers
interaction by interaction; the peers report findings with a location such as
``[root].interactions[3].response.body.id`` and a type, ``error`` or ``warning``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from contractgate._errors import ServiceError

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    # Benchmarks are scripts, not a package: load the modules from their files.
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))  # _peer_checkers imports _harness by name
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


peers = _load("_peer_checkers")

# Findings as openapi-pact-comparator 2.3.1 reported them on tests/parity_corpus/query.
INCOMPATIBLE = "Value is incompatible with the parameter defined in the spec file: "
FOUND = [
    {"code": "request.query.incompatible", "type": "error",
     "location": "[root].interactions[1].request.query.limit",
     "message": INCOMPATIBLE + "must be integer"},
    {"code": "request.query.unknown", "type": "warning",
     "location": "[root].interactions[2].request.query.page",
     "message": "Query parameter is not defined in the spec file: page"},
    {"code": "request.query.incompatible", "type": "error",
     "location": "[root].interactions[1].request.query.limit",
     "message": INCOMPATIBLE + "must be >= 1"},
]  # fmt: skip


def test_an_interaction_fails_on_an_error_and_passes_on_warnings_alone() -> None:
    assert peers.verdicts(FOUND, 3) == [
        {"verdict": "passed", "errors": [], "warnings": []},
        {"verdict": "failed", "errors": ["request.query.incompatible"], "warnings": []},
        {"verdict": "passed", "errors": [], "warnings": ["request.query.unknown"]},
    ]


def test_a_finding_that_names_no_interaction_is_refused() -> None:
    stray = {**FOUND[0], "location": "[root].paths"}
    with pytest.raises(ServiceError, match="names no interaction"):
        peers.verdicts([stray], 3)
    with pytest.raises(ServiceError, match="names no interaction"):
        peers.verdicts([FOUND[0]], 1)  # interaction 1 of a pact of one


def test_each_peer_is_a_pinned_package_of_the_benchmarks() -> None:
    assert peers.PACKAGES == {
        "comparator": "@pactflow/openapi-pact-comparator",
        "smv": "@pactflow/swagger-mock-validator",
    }
    assert peers.DRIVER.is_file()
