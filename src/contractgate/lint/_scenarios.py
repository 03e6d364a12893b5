"""Linting a scenario file with the stubs engine's own loader.

The scenario format belongs to :mod:`contractgate.stubs`: lint asks its loader, which
stops at the first problem, and, for a file a configuration assigns to a service,
its check that the file is for that service and names only the spec's operations.
"""

from __future__ import annotations

from pathlib import Path

from .._errors import InputError
from .._openapi import Spec
from ..stubs import ScenarioFile, check_scenario_file, load_scenario_file
from ._report import Problem


def check_scenarios(path: str | Path) -> tuple[list[Problem], ScenarioFile | None]:
    """The problem the stubs engine finds in the scenario file, or the loaded file."""
    try:
        return [], load_scenario_file(path)
    except InputError as exc:
        return [Problem.from_error(exc)], None


def service_problems(scenarios: ScenarioFile, service: str, spec: Spec | None) -> list[Problem]:
    """The problem with using ``scenarios`` for ``service`` (whose spec is ``spec``), if any."""
    try:
        check_scenario_file(scenarios, service, spec)
    except InputError as exc:
        return [Problem.from_error(exc)]
    return []
