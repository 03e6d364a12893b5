"""Running stubs: a project's services as imposters on a Mountebank, switchable at runtime.

:func:`plan_service` is the pure step (service + scenario + seed -> imposter JSON);
:class:`StubServer` puts plans on a Mountebank and hands out :class:`Stub` handles
that read recorded requests, switch scenario without a restart and reset.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, TypedDict, Unpack
from urllib.parse import urlsplit

from .._errors import ServiceError
from .._openapi import Spec
from .._project import Project, Service
from ._imposter import LOOPBACK, ImposterPlan, LazyPlan, lazy_imposter
from ._layout import LAZY_MIN_STUBS, REPLAY_HEADER, layout
from ._materializer import Materializer, new_plan_id
from ._mountebank import Mountebank
from ._scenarios import (
    Scenario,
    ScenarioFile,
    check_scenario,
    check_scenario_file,
    find_scenario,
    load_scenario_file,
)


def service_scenarios(service: Service) -> ScenarioFile | None:
    """The service's scenario file (from the configuration), checked against its spec."""
    path = service.config.scenarios
    if path is None:
        return None
    loaded = load_scenario_file(path)
    check_scenario_file(loaded, service.name, service.spec)
    return loaded


def service_scenario(
    service: Service, scenario: str | Scenario, scenarios: ScenarioFile | None = None
) -> Scenario:
    """A scenario by name (the service's file, then the built-ins), checked against the spec."""
    if isinstance(scenario, str):
        scenario = find_scenario(scenario, scenarios or service_scenarios(service))
    check_scenario(scenario, service.spec)
    return scenario


class StubOptions(TypedDict, total=False):
    """How a service's stub is planned: ``seed``, provider ``states``, ``port`` (defaults:
    :func:`plan_service_lazily`'s)."""

    seed: int
    states: Sequence[str] | None
    port: int | None


class PlanOptions(StubOptions, total=False):
    """:class:`StubOptions`, and where the imposter listens and what it records."""

    record_requests: bool
    host: str
    scenarios: ScenarioFile | None


def plan_service(
    service: Service, scenario: str | Scenario = "happy", **options: Unpack[PlanOptions]
) -> ImposterPlan:
    """The imposter of ``service`` under a scenario: JSON for Mountebank, nothing started.

    ``scenarios`` is the service's scenario file, when already loaded.
    """
    return plan_service_lazily(service, scenario, **options).complete()


def plan_service_lazily(
    service: Service,
    scenario: str | Scenario = "happy",
    *,
    seed: int = 0,
    states: Sequence[str] | None = None,
    port: int | None = None,
    record_requests: bool = True,
    host: str = LOOPBACK,
    scenarios: ScenarioFile | None = None,
) -> LazyPlan:
    """:func:`plan_service`'s plan, each stub's responses generated when first needed."""
    return lazy_imposter(
        service.spec,
        service.pacts,
        service_scenario(service, scenario, scenarios),
        name=service.name,
        seed=seed,
        states=states,
        port=port,
        host=host,
        record_requests=record_requests,
    )


def recorded_requests(raw: Sequence[dict[str, Any]]) -> list[RecordedRequest]:
    """Requests as Mountebank recorded them, without the ones contractgate replayed."""
    out = []
    for data in raw:
        request = RecordedRequest.from_mountebank(data)
        if request.header(REPLAY_HEADER) is None:
            out.append(request)
    return out


def live_stubs(
    plan: ImposterPlan | LazyPlan, spec: Spec, materializer_url: str | None = None
) -> list[dict[str, Any]]:
    """The stubs to put on an imposter serving ``plan``: all of a complete plan, or (a lazy
    plan, served by the materializer at ``materializer_url``) the ones it starts with,
    under a new plan id."""
    if isinstance(plan, ImposterPlan):
        return list(plan.imposter["stubs"])
    if materializer_url is None:
        raise ValueError("a lazy plan is served through a materializer: give its URL")
    return layout(plan, spec).front_stubs(materializer_url, new_plan_id(plan))


def export_config(plans: Sequence[ImposterPlan], *, first_port: int = 4545) -> dict[str, Any]:
    """``mb --configfile`` JSON for the plans; those without a port get ``first_port`` onwards."""
    imposters = []
    taken = {p.imposter["port"] for p in plans if "port" in p.imposter}
    port = first_port
    for plan in plans:
        imposter = dict(plan.imposter)
        if "port" not in imposter:
            while port in taken:
                port += 1
            imposter["port"] = port
            taken.add(port)
        imposters.append(imposter)
    return {"imposters": imposters}


@dataclass(frozen=True)
class RecordedRequest:
    """A request a stub received, as Mountebank recorded it."""

    method: str
    path: str
    query: dict[str, Any]
    headers: dict[str, Any]
    body: str
    timestamp: str

    @classmethod
    def from_mountebank(cls, data: dict[str, Any]) -> RecordedRequest:
        return cls(
            method=str(data.get("method", "")),
            path=str(data.get("path", "")),
            query=dict(data.get("query") or {}),
            headers=dict(data.get("headers") or {}),
            body=str(data.get("body") or ""),
            timestamp=str(data.get("timestamp", "")),
        )

    def header(self, name: str) -> str | None:
        """A header's value, by case-insensitive name."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return str(value)
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
            "timestamp": self.timestamp,
        }


@dataclass(eq=False)
class Stub:
    """One service's imposter on a Mountebank."""

    server: StubServer = field(repr=False)
    service: Service = field(repr=False)
    port: int
    plan: ImposterPlan | LazyPlan = field(repr=False)
    """Complete when the stub is served flat; lazy (stubs made at first use) otherwise."""
    states: tuple[str, ...] | None = None
    carried: int = 0
    """Requests answered before the journal was last cleared (see ``request_counts``)."""
    materializer: Materializer | None = field(default=None, repr=False)
    """What puts the stubs on Mountebank as requests need them, when served lazily."""

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the service's root (clients add the spec's base path)."""
        return f"http://{self.server.host}:{self.port}"

    @property
    def scenario(self) -> str:
        return self.plan.scenario

    @property
    def seed(self) -> int:
        return self.plan.seed

    @property
    def lazy(self) -> bool:
        """Whether operations' stubs go on Mountebank at their first request."""
        return self.materializer is not None

    def requests(self) -> list[RecordedRequest]:
        """The requests recorded since the start, the last reset or journal trim."""
        return recorded_requests(self.server.mountebank.client.requests(self.port))

    def set_scenario(self, scenario: str | Scenario, *, seed: int | None = None) -> None:
        """Switch to another scenario (and seed) without restarting: new cycles start now."""
        plan = self.server.lazy_plan(
            self.service, scenario, seed=self.seed if seed is None else seed, states=self.states
        )
        self.plan = plan if self.materializer is not None else plan.complete()
        self._put()

    def reset(self) -> None:
        """Start the scenario's schedule again and forget the recorded requests."""
        self._put()
        self.server.mountebank.client.clear_requests(self.port)
        self.carried = 0
        if self.materializer is not None:
            self.materializer.take_replays()

    def count_offset(self) -> int:
        """What to add to Mountebank's request count: requests before the journal was
        last cleared, less the requests contractgate replayed (counted twice there)."""
        replays = self.materializer.replays() if self.materializer is not None else 0
        return self.carried - replays

    def _put(self) -> None:
        if self.materializer is not None:
            assert isinstance(self.plan, LazyPlan)
            self.materializer.switch(self.plan)
        else:
            stubs = live_stubs(self.plan, self.service.spec)
            self.server.mountebank.client.replace_stubs(self.port, stubs)

    def stop(self) -> None:
        """Delete the imposter."""
        self.server.remove(self)


class StubFactory(Protocol):
    """The pytest plugin's ``stub`` fixture: a service's stub for the length of one test."""

    def __call__(
        self, service: str, scenario: str | Scenario = "happy", **options: Unpack[StubOptions]
    ) -> Stub: ...


class StubServer:
    """Imposters for a project's services on one Mountebank (started or adopted)."""

    def __init__(
        self,
        mountebank: Mountebank,
        project: Project,
        *,
        record_requests: bool = True,
        host: str | None = None,
        lazy: bool | None = None,
    ) -> None:
        self.mountebank = mountebank
        self.project = project
        self.record_requests = record_requests
        self.lazy = lazy
        """Serve plans lazily (True), flat (False), or by size on a Mountebank this process
        started (None). Lazily needs Mountebank to reach this process's loopback."""
        adopted_host = None if mountebank.owned else urlsplit(mountebank.url).hostname
        self.host = host or adopted_host or LOOPBACK
        """Where the imposters listen, and the host of their URLs: 127.0.0.1 on a
        Mountebank contractgate started, the server's own host on an adopted one."""
        self.stubs: list[Stub] = []
        self._scenarios: dict[str, ScenarioFile | None] = {}

    def plan(
        self,
        service: str | Service,
        scenario: str | Scenario = "happy",
        **options: Unpack[StubOptions],
    ) -> ImposterPlan:
        """The imposter ``start`` would create (the scenario file is read once per service)."""
        return self.lazy_plan(service, scenario, **options).complete()

    def lazy_plan(
        self,
        service: str | Service,
        scenario: str | Scenario = "happy",
        *,
        seed: int = 0,
        states: Sequence[str] | None = None,
        port: int | None = None,
    ) -> LazyPlan:
        """:meth:`plan`, each stub's responses generated when first needed."""
        svc = self.project.service(service) if isinstance(service, str) else service
        if svc.name not in self._scenarios:
            self._scenarios[svc.name] = service_scenarios(svc)
        return plan_service_lazily(
            svc,
            scenario,
            seed=seed,
            states=states,
            port=port,
            record_requests=self.record_requests,
            host=self.host,
            scenarios=self._scenarios[svc.name],
        )

    def start(
        self, service: str, scenario: str | Scenario = "happy", **options: Unpack[StubOptions]
    ) -> Stub:
        """Create the service's imposter and return its handle."""
        svc = self.project.service(service)
        states = options.get("states")
        lazy = self.lazy_plan(svc, scenario, **options)
        materializer = self._materializer(svc, lazy, states) if self._serves_lazily(lazy) else None
        plan: ImposterPlan | LazyPlan = lazy
        if materializer is not None:
            imposter = {**lazy.header, "stubs": materializer.front_stubs()}
        else:
            plan = lazy.complete()
            imposter = plan.imposter
        try:
            self.mountebank.ready()  # it may still be starting: planning came first
            created = self.mountebank.client.create(imposter)
        except BaseException:
            if materializer is not None:
                materializer.close()
            raise
        if materializer is not None:
            materializer.attach(created)
        chosen = tuple(states) if states is not None else None
        stub = Stub(self, svc, created, plan, chosen, materializer=materializer)
        self.stubs.append(stub)
        return stub

    def _serves_lazily(self, plan: LazyPlan) -> bool:
        if self.lazy is not None:
            return self.lazy
        # An adopted Mountebank (in a container, on another host) may not reach this
        # process's loopback, where the materializer listens.
        return self.mountebank.owned and len(plan) > LAZY_MIN_STUBS

    def _materializer(
        self, service: Service, plan: LazyPlan, states: Sequence[str] | None
    ) -> Materializer | None:
        """A materializer for ``plan``, or None when every stub of it must be there at once."""

        def replan(scenario: str, seed: int) -> LazyPlan:
            # Another process switched the scenario: read its scenario file afresh too.
            return plan_service_lazily(
                service,
                scenario,
                seed=seed,
                states=states,
                record_requests=self.record_requests,
                host=self.host,
            )

        materializer = Materializer(self.mountebank.client, service.spec, plan, replan)
        if not materializer.layout.lazy:
            materializer.close()
            return None
        return materializer

    def remove(self, stub: Stub) -> None:
        """Delete one stub's imposter."""
        if stub in self.stubs:
            self.stubs.remove(stub)
            try:
                self.mountebank.client.delete(stub.port)
            finally:
                if stub.materializer is not None:
                    stub.materializer.close()

    def request_counts(self, *, journal_limit: int | None = None) -> dict[int, int]:
        """Requests each stub has answered, by port; trims journals over ``journal_limit``.

        Mountebank keeps every recorded request in memory (and slows down as it does):
        a journal longer than the limit is cleared, its count carried over.
        """
        live = {
            int(i["port"]): int(i.get("numberOfRequests", 0))
            for i in self.mountebank.client.imposters()
        }
        counts = {}
        for stub in self.stubs:
            current = live.get(stub.port, 0)
            counts[stub.port] = stub.count_offset() + current
            if journal_limit is not None and self.record_requests and current > journal_limit:
                self.mountebank.client.clear_requests(stub.port)
                replays = stub.materializer.take_replays() if stub.materializer else 0
                stub.carried += current - replays
        return counts

    def close(self) -> None:
        """Delete every imposter this server created (Mountebank itself is left alone)."""
        for stub in list(self.stubs):
            with contextlib.suppress(ServiceError):
                self.remove(stub)
        self.stubs.clear()

    def __enter__(self) -> StubServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
