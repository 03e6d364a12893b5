"""Stubs on a real Mountebank: generated from specs and pacts, with seeded fault injection.

Generate (pure, no server)::

    from contractgate.stubs import build_imposter, find_scenario
    plan = build_imposter(spec, pacts, find_scenario("flaky"), name="user-service", seed=7)
    plan.imposter        # JSON for POST /imposters or mb --configfile

Run::

    from contractgate.stubs import Mountebank, StubServer
    with Mountebank.start() as mb, StubServer(mb, project) as stubs:
        stub = stubs.start("user-service", "flaky", seed=7)
        stub.url, stub.requests(), stub.set_scenario("happy"), stub.reset()

A large spec's imposter is served lazily on a Mountebank contractgate started: only the
operations a consumer calls become stubs (see :mod:`._layout`); ``StubServer(..., lazy=...)`` forces
either way.

Scenario files (``stubs/<service>.yaml``) and the built-in catalogue: see
:func:`load_scenario_file` and :func:`builtin_scenarios`.
"""

from ._imposter import (
    ImposterPlan,
    LazyPlan,
    StubInfo,
    build_imposter,
    lazy_imposter,
    pact_predicates,
)
from ._layout import LAZY_MIN_STUBS
from ._materializer import Materializer
from ._mountebank import Mountebank, MountebankClient, find_mountebank, started_servers
from ._runtime import (
    RecordedRequest,
    Stub,
    StubFactory,
    StubServer,
    export_config,
    live_stubs,
    plan_service,
    plan_service_lazily,
    recorded_requests,
    service_scenario,
    service_scenarios,
)
from ._scenarios import (
    ConnectionFault,
    DriftFault,
    EdgeDataFault,
    ErrorFault,
    Fault,
    Latency,
    LatencyFault,
    Scenario,
    ScenarioFile,
    SequenceFault,
    TimeoutFault,
    builtin_scenarios,
    check_scenario,
    check_scenario_file,
    find_scenario,
    load_scenario_file,
    scenario_catalogue,
)
from ._schedule import Schedule, Step, plan_schedule

__all__ = [
    "LAZY_MIN_STUBS",
    "ConnectionFault",
    "DriftFault",
    "EdgeDataFault",
    "ErrorFault",
    "Fault",
    "ImposterPlan",
    "Latency",
    "LatencyFault",
    "LazyPlan",
    "Materializer",
    "Mountebank",
    "MountebankClient",
    "RecordedRequest",
    "Scenario",
    "ScenarioFile",
    "Schedule",
    "SequenceFault",
    "Step",
    "Stub",
    "StubFactory",
    "StubInfo",
    "StubServer",
    "TimeoutFault",
    "build_imposter",
    "builtin_scenarios",
    "check_scenario",
    "check_scenario_file",
    "export_config",
    "find_mountebank",
    "find_scenario",
    "lazy_imposter",
    "live_stubs",
    "load_scenario_file",
    "pact_predicates",
    "plan_schedule",
    "plan_service",
    "plan_service_lazily",
    "recorded_requests",
    "scenario_catalogue",
    "service_scenario",
    "service_scenarios",
    "started_servers",
]
