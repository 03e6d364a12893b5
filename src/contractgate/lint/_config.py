"""Linting a ``contractgate.toml`` beyond what loading it checks.

:func:`contractgate._config.load_config` validates keys and types. A loaded
configuration can still name files that are not there, pact patterns that match
nothing (a warning: the consumer tests may not have written them yet) and headers
that need environment variables nobody set.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .._config import Config, _glob, expand_env
from .._documents import read_text
from .._errors import InputError
from ._report import Problem, display_path


def config_problems(config: Config) -> list[Problem]:
    """The problems of the configuration itself (not of the files it names)."""
    source = display_path(config.path) if config.path else "configuration"
    raw = _raw(config)
    problems = []
    for name, service in config.services.items():
        key = f"services.{name}"
        problems += _missing(source, f"{key}.spec", "spec", service.spec)
        if service.scenarios is not None:
            problems += _missing(source, f"{key}.scenarios", "scenarios", service.scenarios)
        for header, value in service.headers.items():
            try:
                expand_env(value, source=source, place=f"{key}.headers.{header}")
            except InputError as exc:
                problems.append(Problem.from_error(exc))
    service_tables = raw.get("services")
    for name in config.services:
        table = service_tables.get(name) if isinstance(service_tables, dict) else None
        if isinstance(table, dict):
            problems += _pact_patterns(source, config.root, f"services.{name}.pacts", table)
    problems += _pact_patterns(source, config.root, "pacts", raw)
    return problems


def _raw(config: Config) -> dict[str, Any]:
    """The TOML as written: the pact patterns, which the loaded config has expanded."""
    if config.path is None:
        return {}
    return tomllib.loads(read_text(config.path)[1])


def _missing(source: str, key: str, what: str, path: Path) -> list[Problem]:
    if path.is_file():
        return []
    state = "is a directory" if path.is_dir() else "does not exist"
    return [
        Problem(
            source,
            f"{what} file {display_path(path)} {state}",
            place=key,
            hint="paths are relative to the folder of the configuration file",
        )
    ]


def _pact_patterns(source: str, root: Path, key: str, table: dict[str, Any]) -> list[Problem]:
    patterns = table.get("pacts", [])
    problems = []
    for pattern in [patterns] if isinstance(patterns, str) else patterns:
        matches = _glob(root, pattern)
        if not matches:
            problems.append(
                Problem(
                    source,
                    f"pact pattern {pattern!r} matches no file",
                    place=key,
                    hint="run the consumer tests to write the pacts, or fix the pattern",
                    severity="warning",
                )
            )
        problems += [p for path in matches for p in _missing(source, key, "pact", path)]
    return problems
