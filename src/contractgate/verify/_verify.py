"""Provider verification: replay the pacts against a running provider, check its answers.

One run per provider: pact's verifier replays every HTTP interaction of every pact
through a :class:`RecordingProxy` (setting provider states through the provider's
state endpoint, behind the same proxy), then each recorded response is validated
against the spec. The verifier works through the interactions one after another, so
the recorded traffic lines up with its results: per interaction, its state set-up
calls, its request, its tear-down calls.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from urllib.parse import unquote

from .._errors import InputError
from .._openapi import Spec
from .._pact import Interaction, Pact
from .._project import Project, Service
from .._provider import RunningProvider, service_headers, service_provider
from ._proxy import Recorded, RecordingProxy
from ._replay import Outcome, replay
from ._results import (
    InteractionVerification,
    PactVerification,
    ServiceVerification,
    VerifyReport,
)
from ._spec import ResponseChecker

DEFAULT_TIMEOUT = 10.0
"""Seconds each request and each provider-state call may take."""
_VERIFIER_GRACE = 2.0  # the proxy times out first, so the report says why


def verify_project(
    project: Project,
    *,
    base_url: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    startup_timeout: float | None = None,
) -> VerifyReport:
    """Verify every service of ``project`` that has pacts, each against its own provider.

    Each provider is started from the config (or reached at ``base_url``, which needs a
    one-service project) and stopped again before the next one starts.
    """
    services = [s for s in project.services if any(True for p in s.pacts for _ in p.http())]
    if not services:
        names = ", ".join(s.name for s in project.services)
        raise InputError(
            f"no pact with HTTP interactions names {names}: there is nothing to verify",
            source=str(project.config.path) if project.config and project.config.path else None,
            hint="list the pact files under 'pacts' in the config, or pass --pact",
        )
    if base_url is not None and len(services) > 1:
        raise InputError(
            "a provider URL can stand for one service only",
            hint="name the service: contractgate verify SERVICE --base-url URL",
        )
    for service in services:
        service_headers(service, project)  # a missing ${ENV} fails here, before any start
    results = []
    for service in services:
        with service_provider(
            service, project, base_url=base_url, startup_timeout=startup_timeout
        ) as p:
            results.append(verify_service(service, p, headers=headers, timeout=timeout))
    return VerifyReport(results)


def verify_service(
    service: Service,
    provider: RunningProvider,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> ServiceVerification:
    """Verify the pacts of ``service`` against ``provider``; responses checked against its spec.

    ``headers`` go with every request, on top of the service's configured ones.
    """
    return verify_pacts(
        service.pacts,
        provider,
        spec=service.spec,
        headers={**service_headers(service), **(headers or {})},
        timeout=timeout,
        name=service.name,
    )


def verify_pacts(
    pacts: Sequence[Pact],
    provider: RunningProvider,
    *,
    spec: Spec | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    name: str | None = None,
) -> ServiceVerification:
    """Replay ``pacts`` against ``provider``; with ``spec``, check every response against it too."""
    replayed = [p for p in pacts if any(True for _ in p.http())]
    if not replayed:
        raise InputError(
            "none of the pacts has an HTTP interaction to verify",
            source=pacts[0].source if pacts else None,
        )
    providers = sorted({p.provider for p in replayed})
    if name is None and len(providers) > 1:
        raise InputError(
            f"the pacts name different providers ({', '.join(providers)})",
            hint="verify one provider at a time",
        )
    name = name or providers[0]
    checker = ResponseChecker(spec) if spec is not None else None
    started = time.perf_counter()
    proxy = RecordingProxy(provider.base_url, states_url=provider.states_url, timeout=timeout)
    with proxy.running():
        outcomes = replay(
            replayed,
            provider=name,
            url=proxy.url,
            states_url=proxy.states_url,
            headers=headers or {},
            timeout=timeout + _VERIFIER_GRACE,
        )
    problems: list[str] = []
    attached = _line_up(outcomes, proxy.records, replayed, problems)
    pact_results = []
    for pact in pacts:
        pact_results.append(
            PactVerification(
                source=pact.source,
                consumer=pact.consumer,
                provider=pact.provider,
                spec_version=pact.spec_version,
                interactions=[
                    _interaction(i, attached.get((id(pact), i.index)), checker, provider)
                    for i in pact.interactions
                ],
            )
        )
    gone = provider.exit_problem()
    if gone:
        tail = provider.stderr_tail()
        problems.append(
            f"{gone} during verification" + (f"; its stderr ends with:\n{tail}" if tail else "")
        )
    return ServiceVerification(
        service=name,
        provider_url=provider.base_url,
        pacts=pact_results,
        spec=spec.source if spec else None,
        duration=time.perf_counter() - started,
        problems=problems,
    )


_Attached = tuple[Outcome, Recorded | None, list[Recorded]]


def _line_up(
    outcomes: list[Outcome], records: list[Recorded], pacts: Sequence[Pact], problems: list[str]
) -> dict[tuple[int, int], _Attached]:
    """Match the verifier's outcomes to interactions, and the recorded traffic to both.

    Outcomes name their interaction (consumer, description, states). Traffic is
    matched by order: the set-up calls for the interaction's states (with the
    verifier's retries of a call answered with a 5xx), then its request (unless a
    set-up call failed, in which case the verifier sends none), then the tear-down
    calls for its states. A request whose method or path does not fit stops
    the matching (reported as a problem) rather than pinning a response on the wrong
    interaction.
    """
    pending: dict[tuple[str, str, tuple[str, ...]], list[tuple[Pact, Interaction]]] = {}
    for pact in pacts:
        for interaction in pact.http():
            key = (pact.consumer, interaction.description, _states(interaction))
            pending.setdefault(key, []).append((pact, interaction))
    out: dict[tuple[int, int], _Attached] = {}
    position, in_step = 0, True
    for outcome in outcomes:
        candidates = pending.get((outcome.consumer, outcome.description, outcome.states))
        if not candidates:
            problems.append(f"the verifier reported an unknown interaction {outcome.description!r}")
            continue
        pact, interaction = candidates.pop(0)
        setup: list[Recorded] = []
        request = None
        if in_step:
            expected = list(outcome.states) or [""]
            while position < len(records) and _is_state(records[position], "setup", expected):
                record = records[position]
                if not _retried(record):
                    expected.remove(record.state_call()[0])
                setup.append(record)
                position += 1
            sent = not any(_failed(r) for r in _finals(setup))
            if sent and position < len(records) and records[position].kind == "request":
                request = records[position]
                position += 1
            if request is not None and not _fits(request, pact, interaction):
                problems.append(
                    f"recorded traffic does not line up with the verifier's results from "
                    f"{interaction.description!r} on ({request.method} {request.target}); "
                    "responses from there on were not checked against the spec"
                )
                request, in_step = None, False
            expected = list(outcome.states) or [""]
            while position < len(records) and _is_state(records[position], "teardown", expected):
                if not _retried(records[position]):
                    expected.remove(records[position].state_call()[0])
                position += 1
        out[(id(pact), interaction.index)] = (outcome, request, setup)
    return out


def _states(interaction: Interaction) -> tuple[str, ...]:
    return tuple(s.name for s in interaction.provider_states)


def _is_state(record: Recorded, action: str, states: list[str]) -> bool:
    """Whether ``record`` is a provider-state call with ``action`` for one of ``states``."""
    if record.kind != "state":
        return False
    state, called = record.state_call()
    return called == action and state in states


def _retried(record: Recorded) -> bool:
    """Whether the verifier calls again after this state call (a 5xx it was given)."""
    return record.passed_on and record.status is not None and record.status >= 500


def _failed(record: Recorded) -> bool:
    return record.status is None or not 200 <= record.status < 300


def _finals(setup: list[Recorded]) -> list[Recorded]:
    """The last call for each state: a retry that succeeded makes up for the failure before."""
    return list({record.state_call()[0]: record for record in setup}.values())


def _fits(record: Recorded, pact: Pact, interaction: Interaction) -> bool:
    """Whether a recorded request is the interaction's (its path, unless a generator makes it)."""
    request = interaction.request
    assert request is not None
    if record.method.upper() != request.method:
        return False
    raw = pact.document.data["interactions"][interaction.index].get("request") or {}
    generated = "path" in (raw.get("generators") or {})
    return generated or unquote(record.target.split("?", 1)[0]).endswith(request.path)


def _interaction(
    interaction: Interaction,
    attached: _Attached | None,
    checker: ResponseChecker | None,
    provider: RunningProvider,
) -> InteractionVerification:
    request = interaction.request
    result = InteractionVerification(
        index=interaction.index,
        description=interaction.description,
        pointer=interaction.pointer,
        provider_states=_states(interaction),
        request=f"{request.method} {request.path}" if request else None,
        expected_status=interaction.response.status if interaction.response else None,
        not_applicable=interaction.not_applicable,
    )
    if interaction.not_applicable is not None:
        return result
    if attached is None:
        result.error = "the verifier did not report on this interaction"
        return result
    outcome, record, setup = attached
    result.pending = outcome.pending
    result.duration = outcome.duration
    result.mismatches = list(outcome.mismatches)
    result.error = None if outcome.ok else (_state_problem(setup) or outcome.error)
    if record is not None:
        result.exchange = record.exchange()
        if record.error:
            result.error = record.error
        elif checker is not None:
            result.spec_violations = checker.check(record, provider.base_url)
    if not outcome.ok and not result.broken:
        result.error = "the verifier failed the interaction without saying why"
    return result


def _state_problem(setup: list[Recorded]) -> str | None:
    """What went wrong setting a provider state, from the recorded state call."""
    for record in _finals(setup):
        state = record.state_call()[0]
        if record.status is None:
            return f"provider state {state!r} could not be set: {record.error}"
        if not 200 <= record.status < 300:
            shown = record.exchange().body
            detail = shown.get("detail") if isinstance(shown, dict) else shown
            answer = f"{record.status}: {detail}" if detail else str(record.status)
            return (
                f"provider state {state!r} could not be set: the state endpoint answered {answer}"
            )
    return None
