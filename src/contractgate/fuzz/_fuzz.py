"""Schema-driven fuzzing of a running provider, per service."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence

from .._errors import InputError
from .._openapi import Spec
from .._project import Project, Service
from .._provider import RunningProvider, service_headers, service_provider
from ._engine import DEFAULT_CHECKS, run_engine
from ._results import FuzzReport, ServiceFuzz

DEFAULT_MAX_EXAMPLES = 25
"""Cases per operation and phase when neither the caller nor the config says."""
DEFAULT_TIMEOUT = 10.0
"""Seconds each request may take."""


def fuzz_project(
    project: Project,
    *,
    base_url: str | None = None,
    headers: Mapping[str, str] | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    checks: Sequence[str] = DEFAULT_CHECKS,
    timeout: float = DEFAULT_TIMEOUT,
    startup_timeout: float | None = None,
) -> FuzzReport:
    """Fuzz every service of ``project`` against its own provider, one after another.

    ``max_examples`` and ``seed`` default to the config's ``[fuzz]`` table; without a
    seed anywhere, one is drawn and reported, so the run can be repeated.
    """
    if base_url is not None and len(project.services) > 1:
        raise InputError(
            "a provider URL can stand for one service only",
            hint="name the service: contractgate fuzz SERVICE --base-url URL",
        )
    settings = project.config.fuzz if project.config else None
    if max_examples is None:
        max_examples = settings.max_examples if settings else DEFAULT_MAX_EXAMPLES
    if seed is None and settings is not None:
        seed = settings.seed
    for service in project.services:
        service_headers(service, project)  # a missing ${ENV} fails here, before any start
    results = []
    for service in project.services:
        with service_provider(
            service, project, base_url=base_url, startup_timeout=startup_timeout
        ) as provider:
            results.append(
                fuzz_service(
                    service,
                    provider,
                    headers=headers,
                    max_examples=max_examples,
                    seed=seed,
                    checks=checks,
                    timeout=timeout,
                )
            )
    return FuzzReport(results)


def fuzz_service(
    service: Service,
    provider: RunningProvider,
    *,
    headers: Mapping[str, str] | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
    checks: Sequence[str] = DEFAULT_CHECKS,
    timeout: float = DEFAULT_TIMEOUT,
) -> ServiceFuzz:
    """Fuzz ``provider`` from the service's spec, with its configured headers plus ``headers``."""
    return fuzz_spec(
        service.spec,
        provider.base_url,
        headers={**service_headers(service), **(headers or {})},
        templates=service.config.headers,
        max_examples=max_examples,
        seed=seed,
        checks=checks,
        timeout=timeout,
        name=service.name,
    )


def fuzz_spec(
    spec: Spec,
    base_url: str,
    *,
    headers: Mapping[str, str] | None = None,
    templates: Mapping[str, str] | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
    checks: Sequence[str] = DEFAULT_CHECKS,
    timeout: float = DEFAULT_TIMEOUT,
    name: str | None = None,
) -> ServiceFuzz:
    """Fuzz the API at ``base_url`` (the provider's root; the spec's base path is added).

    ``templates`` are the configured, unexpanded values of credential headers, shown
    in reproduction commands instead of the secrets themselves.
    """
    if max_examples < 1:
        raise InputError(f"max examples must be 1 or more, not {max_examples}")
    if not checks:
        raise InputError("no checks to run", hint=f"e.g. {', '.join(DEFAULT_CHECKS[:2])}")
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    started = time.perf_counter()
    run = run_engine(
        spec,
        base_url=base_url,
        headers=headers or {},
        templates=templates or {},
        max_examples=max_examples,
        seed=seed,
        checks=checks,
        timeout=timeout,
    )
    return ServiceFuzz(
        service=name or spec.title,
        base_url=base_url,
        spec=spec.source,
        seed=seed,
        max_examples=max_examples,
        checks=tuple(checks),
        operations=list(run.operations.values()),
        errors=run.errors,
        duration=time.perf_counter() - started,
        fingerprint=run.fingerprint,
        response_ms=run.response_ms,
    )
