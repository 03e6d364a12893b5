"""What lint does with each path: read it, tell its kind, run that kind's checks.

A file's kind comes from its content (``*.toml`` is a configuration): an ``openapi``
or ``swagger`` field makes a spec, ``consumer``/``provider`` with ``interactions`` a
pact, a top-level ``scenarios`` mapping a scenario file. Files a configuration names
are linted as what the configuration says they are, and checked against it: a pact
must be for a configured provider, a scenario file for its service and its spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .._config import Config, ServiceConfig, load_config
from .._documents import Document, load_document
from .._errors import InputError
from .._openapi import Spec
from .._pact import Pact
from ._config import config_problems
from ._openapi import check_spec
from ._pact import check_pact
from ._report import FileReport, Kind, LintReport, Problem, display_path
from ._scenarios import check_scenarios, service_problems

_KINDS_TOLD = (
    "an OpenAPI spec (an 'openapi' or 'swagger' field), a Pact file ('consumer', "
    "'provider' and 'interactions'), a scenario file (a 'scenarios' mapping) "
    "or a contractgate.toml"
)
_PLACE = re.compile(r"(\d+):(\d+)")


def lint_paths(paths: Iterable[str | Path]) -> LintReport:
    """Lint each file; a configuration brings the files it names along."""
    report = LintReport()
    for path in paths:
        if Path(path).suffix.lower() == ".toml":
            report.extend(_lint_config_file(path))
        else:
            report.extend(LintReport([_lint_file(path, None)[0]]))
    return report


def lint_config(config: Config) -> LintReport:
    """Lint a loaded configuration and every spec, pact and scenario file it names."""
    source = display_path(config.path) if config.path else "configuration"
    report = LintReport([FileReport(source, "config", _ordered(config_problems(config)))])
    specs: dict[str, Spec | None] = {}
    for name, service in config.services.items():
        if service.spec.is_file():
            file, specs[name] = _lint_file(service.spec, "openapi")
            report.extend(LintReport([file]))
    for path in config.pacts:
        report.extend(_lint_pact(path, config, None))
    for service in config.services.values():
        for path in service.pacts:
            report.extend(_lint_pact(path, config, service))
        if service.scenarios is not None and service.scenarios.is_file():
            file, scenarios = _lint_file(service.scenarios, "scenarios")
            if scenarios is not None:
                file.problems += service_problems(scenarios, service.name, specs.get(service.name))
            report.extend(LintReport([file]))
    return report


def _lint_config_file(path: str | Path) -> LintReport:
    try:
        config = load_config(path)
    except InputError as exc:
        return LintReport([FileReport(display_path(path), "config", [Problem.from_error(exc)])])
    return lint_config(config)


def _lint_pact(path: Path, config: Config, service: ServiceConfig | None) -> LintReport:
    """A pact the configuration names; it must be for the service it serves."""
    if not path.is_file():  # reported with the configuration
        return LintReport()
    file, pact = _lint_file(path, "pact")
    if isinstance(pact, Pact):
        expected = [service.name] if service else sorted(config.services)
        if pact.provider not in expected:
            listed = f"listed for service {service.name!r}" if service else "a shared pact"
            file.problems.append(
                Problem.at(
                    pact.document,
                    f"pact is for provider {pact.provider!r} but is {listed}; no stage will use it",
                    "/provider/name",
                    "configured services: " + ", ".join(sorted(config.services)),
                    severity="warning",
                )
            )
    return LintReport([file])


def _lint_file(path: str | Path, kind: Kind | None) -> tuple[FileReport, Any]:
    """The file's report and, when it has no error, its model (spec, pact, scenarios)."""
    source = display_path(path)
    try:
        document = load_document(source)
        kind = kind or detect(document.data)
        check = _CHECKS.get(kind)
        if check is None:
            problem = Problem(
                source,
                "cannot tell what this file is",
                place="1:1",
                pointer="",
                hint=f"expected {_KINDS_TOLD}",
            )
            return FileReport(source, kind, [problem]), None
        problems, model = check(document)
    except InputError as exc:
        return FileReport(source, kind or "unknown", [Problem.from_error(exc)]), None
    except Exception as exc:  # whatever the input, the report names the file, not a traceback
        problem = Problem(
            source,
            f"lint failed on this file: {type(exc).__name__}: {exc}",
            hint="this is a bug in contractgate; please report it with the file",
        )
        return FileReport(source, kind or "unknown", [problem]), None
    return FileReport(source, kind, _ordered(problems)), model


def detect(data: dict[str, Any]) -> Kind:
    """What a parsed file is, from its top-level fields."""
    if "openapi" in data or "swagger" in data or "swaggerVersion" in data:
        return "openapi"
    if ("consumer" in data or "provider" in data) and (
        "interactions" in data or "messages" in data
    ):
        return "pact"
    if isinstance(data.get("scenarios"), dict):
        return "scenarios"
    return "unknown"


_CHECKS: dict[Kind, Callable[[Document], tuple[list[Problem], Any]]] = {
    "openapi": check_spec,
    "pact": check_pact,
    "scenarios": lambda document: check_scenarios(document.source),
}


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Problems by file and position, each once."""
    unique = list(dict.fromkeys(problems))

    def position(problem: Problem) -> tuple[str, int, int]:
        m = _PLACE.fullmatch(problem.place or "")
        return (problem.source, int(m.group(1)), int(m.group(2))) if m else (problem.source, 0, 0)

    return sorted(unique, key=position)
