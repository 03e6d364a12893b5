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
from typing import Any, Protocol
from urllib.parse import urlsplit

from .._errors import ServiceError
from .._project import Project, Service
from ._imposter import LOOPBACK, ImposterPlan, build_imposter
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


def plan_service(
    service: Service,
    scenario: str | Scenario = "happy",
    *,
    seed: int = 0,
    states: Sequence[str] | None = None,
    port: int | None = None,
    record_requests: bool = True,
    host: str = LOOPBACK,
    scenarios: ScenarioFile | None = None,
) -> ImposterPlan:
    """The imposter of ``service`` under a scenario: JSON for Mountebank, nothing started.

    ``scenarios`` is the service's scenario file, when already loaded.
    """
    return build_imposter(
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
    plan: ImposterPlan = field(repr=False)
    states: tuple[str, ...] | None = None
    carried: int = 0
    """Requests answered before the journal was last cleared (see ``request_counts``)."""

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

    def requests(self) -> list[RecordedRequest]:
        """The requests recorded since the start, the last reset or journal trim."""
        raw = self.server.mountebank.client.requests(self.port)
        return [RecordedRequest.from_mountebank(r) for r in raw]

    def set_scenario(self, scenario: str | Scenario, *, seed: int | None = None) -> None:
        """Switch to another scenario (and seed) without restarting: new cycles start now."""
        self.plan = self.server.plan(
            self.service, scenario, seed=self.seed if seed is None else seed, states=self.states
        )
        self.server.mountebank.client.replace_stubs(self.port, self.plan.imposter["stubs"])

    def reset(self) -> None:
        """Start the scenario's schedule again and forget the recorded requests."""
        self.server.mountebank.client.replace_stubs(self.port, self.plan.imposter["stubs"])
        self.server.mountebank.client.clear_requests(self.port)
        self.carried = 0

    def stop(self) -> None:
        """Delete the imposter."""
        self.server.remove(self)


class StubFactory(Protocol):
    """The pytest plugin's ``stub`` fixture: a service's stub for the length of one test."""

    def __call__(
        self,
        service: str,
        scenario: str | Scenario = "happy",
        *,
        seed: int = 0,
        states: Sequence[str] | None = None,
        port: int | None = None,
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
    ) -> None:
        self.mountebank = mountebank
        self.project = project
        self.record_requests = record_requests
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
        *,
        seed: int = 0,
        states: Sequence[str] | None = None,
        port: int | None = None,
    ) -> ImposterPlan:
        """The imposter ``start`` would create (the scenario file is read once per service)."""
        svc = self.project.service(service) if isinstance(service, str) else service
        if svc.name not in self._scenarios:
            self._scenarios[svc.name] = service_scenarios(svc)
        return plan_service(
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
        self,
        service: str,
        scenario: str | Scenario = "happy",
        *,
        seed: int = 0,
        states: Sequence[str] | None = None,
        port: int | None = None,
    ) -> Stub:
        """Create the service's imposter and return its handle."""
        svc = self.project.service(service)
        plan = self.plan(svc, scenario, seed=seed, states=states, port=port)
        created = self.mountebank.client.create(plan.imposter)
        stub = Stub(self, svc, created, plan, tuple(states) if states is not None else None)
        self.stubs.append(stub)
        return stub

    def remove(self, stub: Stub) -> None:
        """Delete one stub's imposter."""
        if stub in self.stubs:
            self.stubs.remove(stub)
            self.mountebank.client.delete(stub.port)

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
            counts[stub.port] = stub.carried + current
            if journal_limit is not None and self.record_requests and current > journal_limit:
                self.mountebank.client.clear_requests(stub.port)
                stub.carried += current
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
