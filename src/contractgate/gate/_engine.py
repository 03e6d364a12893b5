"""The gate: every stage for every service, in order, each result a :class:`StageResult`.

Per service: lint its files, load them, then diff (given a base), check, verify and
fuzz (one provider process serves both); then the consumer's resilience tests once
for all. A stage whose prerequisite did not pass is skipped with the reason, and every
other stage still runs. The engine only emits events; front ends render them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .._config import Config, ServiceConfig
from .._errors import ContractgateError, InputError
from .._project import Project, Service, load_project
from .._provider import service_provider
from ..check import check_service
from ..diff import diff_service
from ..fuzz import fuzz_service
from ..lint import lint_paths
from ..verify import verify_service
from ._model import STAGES, Case, GateResult, StageResult, Status, rollup
from ._resilience import run_resilience
from ._stages import (
    RESPONSE_TIMES,
    check_cases,
    diff_cases,
    fuzz_cases,
    lint_cases,
    verify_cases,
    verify_response_ms,
)

DEFAULT_STAGES = ("lint", "check", "verify", "fuzz", "resilience")


@dataclass(frozen=True)
class GateOptions:
    """What to run: stages, services (all when empty), a git base for ``diff``, fuzz budget."""

    stages: tuple[str, ...] = DEFAULT_STAGES
    services: tuple[str, ...] = ()
    base: str | None = None
    strict: bool = False
    max_examples: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class StageStarted:
    """A stage began for a service."""

    service: str
    stage: str


@dataclass(frozen=True)
class StageFinished:
    """A stage ended (or was skipped) for a service."""

    result: StageResult


GateEvent = StageStarted | StageFinished


@dataclass
class _Run:
    """The state of one gate run: options, results so far, the event sink."""

    config: Config
    options: GateOptions
    emit: Callable[[GateEvent], None]
    results: list[StageResult] = field(default_factory=list)

    def wants(self, stage: str) -> bool:
        return stage in self.options.stages and (stage != "diff" or self.options.base is not None)

    def record(self, result: StageResult) -> StageResult:
        self.results.append(result)
        self.emit(StageFinished(result))
        return result

    def skip(self, service: str, stage: str, reason: str) -> StageResult:
        return self.record(StageResult(stage, service, Status.SKIPPED, reason=reason))

    @contextmanager
    def stage(
        self, service: str, stage: str, samples: dict[str, list[float]] | None = None
    ) -> Iterator[list[Case]]:
        """Time a stage; its cases go into the yielded list (and what the block puts in
        ``samples`` into the result); a contractgate error is its error."""
        self.emit(StageStarted(service, stage))
        started = time.monotonic()
        cases: list[Case] = []
        try:
            yield cases
        except ContractgateError as exc:
            elapsed = time.monotonic() - started
            self.record(StageResult(stage, service, Status.ERROR, elapsed, cases, str(exc)))
        else:
            status = rollup(cases) if cases else Status.PASSED
            elapsed = time.monotonic() - started
            self.record(
                StageResult(stage, service, status, elapsed, cases, samples=dict(samples or {}))
            )


def run_gate(
    config: Config,
    options: GateOptions | None = None,
    on_event: Callable[[GateEvent], None] | None = None,
) -> GateResult:
    """Run the gate over the configured services; returns every stage's result."""
    options = options or GateOptions()
    unknown = sorted(set(options.stages) - set(STAGES))
    if unknown:
        raise InputError(f"unknown stage {unknown[0]!r}", hint="stages: " + ", ".join(STAGES))
    names = list(options.services) or list(config.services)
    chosen = [config.service(n) for n in names]
    run = _Run(config, options, on_event or (lambda _event: None))
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    blocked: dict[str, str | None] = {}
    for sc in chosen:
        blocked[sc.name] = _service(run, sc)
    if run.wants("resilience"):
        _resilience(run, blocked)
    return GateResult(
        stages=run.results,
        started_at=started_at,
        duration=time.monotonic() - started,
        config=str(config.path) if config.path else None,
        base=options.base,
    )


def _service(run: _Run, sc: ServiceConfig) -> str | None:
    """Run one service's stages; why its stubs cannot be trusted for resilience, if so."""
    name = sc.name
    blocked = None
    if run.wants("lint"):
        with run.stage(name, "lint") as cases:
            cases += lint_cases(lint_paths([str(p) for p in _files(run.config, sc)]))
        if run.results[-1].status is not Status.PASSED:
            blocked = "lint found problems in this service's files"
    service = None
    if blocked is None:
        try:
            service = load_project(run.config, [name]).service(name)
        except InputError as exc:
            blocked = f"this service's files are invalid: {exc}"
    later = [s for s in ("diff", "check", "verify", "fuzz") if run.wants(s)]
    if service is None:
        blocked = blocked or "not loaded"
        for stage in later:
            run.skip(name, stage, blocked)
        return blocked
    project = Project([service], run.config)
    if run.wants("diff"):
        assert run.options.base is not None
        with run.stage(name, "diff") as cases:
            cases += diff_cases(diff_service(service, run.options.base, strict=run.options.strict))
    if run.wants("check"):
        with run.stage(name, "check") as cases:
            cases += check_cases(check_service(service))
        if run.results[-1].status is not Status.PASSED:
            blocked = "the pacts do not pass the check, so stubs would not keep them"
    _against_provider(run, service, project)
    return blocked


def _against_provider(run: _Run, service: Service, project: Project) -> None:
    """verify and fuzz, against one provider process started (or reached) for both."""
    stages = [s for s in ("verify", "fuzz") if run.wants(s)]
    if not stages:
        return
    if service.config.provider is None:
        for stage in stages:
            run.skip(
                service.name, stage, f"no provider configured ([services.{service.name}.provider])"
            )
        return
    if "verify" in stages and not any(True for p in service.pacts for _ in p.http()):
        run.skip(service.name, "verify", "no pact names this provider")
        stages.remove("verify")
    try:
        with service_provider(service, project) as provider:
            if "verify" in stages:
                samples: dict[str, list[float]] = {}
                with run.stage(service.name, "verify", samples) as cases:
                    result = verify_service(service, provider)
                    cases += verify_cases(result)
                    samples[RESPONSE_TIMES] = verify_response_ms(result)
            if "fuzz" in stages:
                fuzz = run.config.fuzz
                samples = {}
                with run.stage(service.name, "fuzz", samples) as cases:
                    fuzzed = fuzz_service(
                        service,
                        provider,
                        max_examples=run.options.max_examples or fuzz.max_examples,
                        seed=run.options.seed if run.options.seed is not None else fuzz.seed,
                    )
                    cases += fuzz_cases(fuzzed)
                    samples[RESPONSE_TIMES] = fuzzed.response_ms
    except ContractgateError as exc:  # the provider did not start or answer
        done = {(r.service, r.stage) for r in run.results}
        for stage in stages:
            if (service.name, stage) not in done:
                run.record(StageResult(stage, service.name, Status.ERROR, reason=str(exc)))


def _resilience(run: _Run, blocked: dict[str, str | None]) -> None:
    settings = run.config.resilience
    if settings is None:
        for name in blocked:
            run.skip(name, "resilience", "no [resilience] tests configured")
        return
    for name, reason in blocked.items():
        if reason is not None:
            run.skip(name, "resilience", reason)
    ready = [name for name, reason in blocked.items() if reason is None]
    if not ready:
        return
    for name in ready:
        run.emit(StageStarted(name, "resilience"))
    started = time.monotonic()
    try:
        by_service = run_resilience(run.config, settings, ready)
    except ContractgateError as exc:
        for name in ready:
            run.record(
                StageResult(
                    "resilience", name, Status.ERROR, time.monotonic() - started, reason=str(exc)
                )
            )
        return
    elapsed = time.monotonic() - started
    for name in ready:
        cases = by_service[name]
        status = rollup(cases) if cases else Status.SKIPPED
        reason = "" if cases else "no resilience test exercises this provider"
        run.record(StageResult("resilience", name, status, elapsed, cases, reason))


def _files(config: Config, sc: ServiceConfig) -> list[Path]:
    """A service's own files: its spec, scenarios and the pact files that name it."""
    files = [sc.spec, *([sc.scenarios] if sc.scenarios else [])]
    for path in config.pacts_for(sc):
        if sc.pacts or _provider_of(path) in (sc.name, None):
            files.append(path)
    return files


def _provider_of(path: Path) -> str | None:
    """The provider a pact file names, or None when it cannot be read (lint will say why)."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return str(data["provider"]["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
