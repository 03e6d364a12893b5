"""Every fault kind observed over real HTTP against a real Mountebank, as configured."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from contractgate._config import load_config
from contractgate._project import Project, Service, load_project
from contractgate.stubs import (
    Mountebank,
    Schedule,
    Stub,
    StubServer,
    plan_schedule,
    service_scenario,
    started_servers,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": "Bearer test-token"}
SCENARIOS = """
scenarios:
  fixed-latency:
    faults: [{latency: 300ms}]
  drawn-latency:
    faults: [{latency: {distribution: uniform, min: 50ms, max: 400ms}}]
  short-hang:
    faults: [{timeout: 1500ms}]
  half-reset:
    faults: [{connection: reset, rate: 0.5}]
  prefs-only:
    faults: [{operation: getPreferences, error: 500}]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    loaded = load_project(load_config(ROOT / "contractgate.toml"))
    scenarios = tmp_path_factory.mktemp("scenarios") / "user-service.yaml"
    scenarios.write_text(SCENARIOS, encoding="utf-8")
    users = loaded.service("user-service")
    # A user service whose scenario file holds this module's scenarios (and no pacts).
    custom = Service(
        dataclasses.replace(users.config, name="users", scenarios=scenarios, pacts=()), users.spec
    )
    loaded.services.append(custom)
    return loaded


@pytest.fixture(scope="module")
def server(project: Project) -> Iterator[StubServer]:
    before = set(started_servers(os.getpid()))
    with Mountebank.start() as mb, StubServer(mb, project) as stubs:
        yield stubs
    deadline = time.monotonic() + 10
    while set(started_servers(os.getpid())) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not set(started_servers(os.getpid())) - before


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers.update(AUTH)
        yield session


@pytest.fixture
def start(server: StubServer) -> Iterator[Any]:
    made: list[Stub] = []

    def make(service: str, scenario: str = "happy", **kw: Any) -> Stub:
        stub = server.start(service, scenario, **kw)
        made.append(stub)
        return stub

    yield make
    for stub in made:
        stub.stop()


def schedule_of(stub: Stub, operation: str) -> Schedule:
    """The schedule the stub's operation plays: what the requests must observe."""
    scenario = service_scenario(stub.service, stub.scenario)
    return plan_schedule(scenario.faults, stub.seed, operation)


def validate(project: Project, response: requests.Response, method: str) -> None:
    """Assert the response is what the user service's spec documents for the operation."""
    spec = project.service("user-service").spec
    route = spec.route(response.request.path_url)
    assert route is not None
    op = route.operations[method]
    documented = op.response_for(response.status_code)
    assert documented is not None, response.status_code
    media = response.headers["Content-Type"]
    schema = documented.content[media].schema
    assert schema is not None
    assert spec.validator(schema).is_valid(response.json()), response.text


def test_happy_answers_as_documented(start: Any, http: requests.Session, project: Project) -> None:
    stub = start("users")
    prefs = http.get(f"{stub.url}/v1/users/u-42/preferences")
    assert prefs.status_code == 200
    validate(project, prefs, "GET")
    assert prefs.headers["Connection"] == "keep-alive"
    echoed = http.get(f"{stub.url}/v1/users/u-42", headers={"X-Request-ID": "req-7"})
    assert echoed.headers["X-Request-ID"] == "req-7"
    assert prefs.headers["X-Request-ID"].isdigit()  # none sent: the client's port
    put = http.put(f"{stub.url}/v1/users/u-42/preferences", json={"email": True, "push": True})
    assert put.status_code == 200
    validate(project, put, "PUT")


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", "/v1/users/not%20an%20id", AUTH, 400),
        ("GET", "/v1/users/u-1", {"X-Request-ID": "has spaces"}, 400),
        ("PUT", "/v1/users/u-1/preferences", {}, 400),  # required body missing
        ("GET", "/v1/users/u-1", {"Authorization": ""}, 401),
        ("DELETE", "/v1/users/u-1", AUTH, 404),
        ("GET", "/v2/users/u-1", AUTH, 404),
    ],
)
def test_requests_outside_the_contract(
    start: Any, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    stub = start("users")
    merged = {**AUTH, **headers}
    response = requests.request(method, stub.url + path, headers=merged, timeout=5)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status


@pytest.mark.parametrize(
    ("scenario", "status"),
    [
        ("not-found", 404),
        ("unauthorized", 401),
        ("forbidden", 403),
        ("rate-limited", 429),
        ("server-error", 500),
        ("unavailable", 503),
    ],
)
def test_error_scenarios_answer_documented_problems(
    start: Any, http: requests.Session, project: Project, scenario: str, status: int
) -> None:
    stub = start("users", scenario)
    response = http.get(f"{stub.url}/v1/users/u-1/preferences")
    assert response.status_code == status
    validate(project, response, "GET")
    assert ("Retry-After" in response.headers) == (status in (429, 503))
    if status in (429, 503):
        assert response.headers["Retry-After"] == "1"


def test_latency_is_the_scheduled_delay(start: Any, http: requests.Session) -> None:
    fixed = start("users", "fixed-latency")
    started = time.monotonic()
    assert http.get(f"{fixed.url}/v1/health").status_code == 200
    assert 0.3 <= time.monotonic() - started < 1.0
    drawn = start("users", "drawn-latency", seed=5)
    expected = [s.delay_ms for s in schedule_of(drawn, "GET /health").take(4)]
    assert len(set(expected)) == 4
    for delay in expected:
        started = time.monotonic()
        http.get(f"{drawn.url}/v1/health")
        elapsed_ms = (time.monotonic() - started) * 1000
        assert delay <= elapsed_ms < delay + 500, (delay, elapsed_ms)


def test_timeout_hangs_past_the_clients_timeout(start: Any, http: requests.Session) -> None:
    stub = start("users", "short-hang")
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        http.get(f"{stub.url}/v1/health", timeout=0.5)
    assert time.monotonic() - started < 1.4
    assert http.get(f"{stub.url}/v1/health", timeout=5).status_code == 200


def test_connection_faults(start: Any) -> None:
    reset = start("users", "connection-reset")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{reset.url}/v1/health", timeout=5)
    garbage = start("users", "garbage-body")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{garbage.url}/v1/health", timeout=5)
    half = start("users", "half-reset", seed=1)
    outcomes: list[int | str] = []
    for _ in range(20):
        try:
            outcomes.append(requests.get(f"{half.url}/v1/health", timeout=5).status_code)
        except requests.ConnectionError:
            outcomes.append("reset")
    expected = [
        200 if s.outcome == "ok" else s.outcome for s in schedule_of(half, "GET /health").take(20)
    ]
    assert outcomes == expected
    assert 0 < outcomes.count("reset") < 20


def test_flaky_rate_over_a_thousand_requests(start: Any, http: requests.Session) -> None:
    stub = start("users", "flaky", seed=11)
    url = f"{stub.url}/v1/users/u-1/preferences"
    codes = [http.get(url).status_code for _ in range(1000)]
    assert set(codes) == {200, 503}
    assert abs(codes.count(503) / 1000 - 0.2) <= 0.01


def test_same_seed_same_sequence(start: Any, http: requests.Session) -> None:
    def sequence(stub: Stub) -> list[int]:
        return [http.get(f"{stub.url}/v1/users/u-1").status_code for _ in range(60)]

    first = sequence(start("users", "flaky", seed=7))
    assert first == sequence(start("users", "flaky", seed=7))
    assert first != sequence(start("users", "flaky", seed=8))


def test_outage_then_recovery(start: Any, http: requests.Session) -> None:
    stub = start("users", "outage-then-recovery")
    codes = [http.get(f"{stub.url}/v1/users/u-1").status_code for _ in range(6)]
    assert codes == [503, 503, 200, 200, 200, 200]


def test_drift_breaks_the_contract(start: Any, http: requests.Session, project: Project) -> None:
    stub = start("users", "drift")
    body = http.get(f"{stub.url}/v1/users/u-1/preferences").json()
    assert "userId" in body
    assert "user_id" not in body
    with pytest.raises(AssertionError):
        validate(project, http.get(f"{stub.url}/v1/users/u-1/preferences"), "GET")


def test_edge_data_is_valid_and_awkward(
    start: Any, http: requests.Session, project: Project
) -> None:
    stub = start("users", "edge-data")
    first = http.get(f"{stub.url}/v1/users/u-1")
    second = http.get(f"{stub.url}/v1/users/u-1")
    for response in (first, second):
        validate(project, response, "GET")
    assert len(first.json()["display_name"]) == 256
    assert any(ord(ch) > 0xFFFF for ch in first.json()["username"])
    assert "display_name" not in second.json()


def test_switching_scenario_keeps_the_port(start: Any, http: requests.Session) -> None:
    stub = start("users", "outage-then-recovery")
    port = stub.port
    assert http.get(f"{stub.url}/v1/health").status_code == 503
    stub.set_scenario("server-error")
    assert stub.port == port
    assert http.get(f"{stub.url}/v1/health").status_code == 500
    stub.set_scenario("outage-then-recovery")
    assert [http.get(f"{stub.url}/v1/health").status_code for _ in range(3)] == [503, 503, 200]
    assert len(stub.requests()) == 5
    stub.reset()
    assert stub.requests() == []
    assert http.get(f"{stub.url}/v1/health").status_code == 503  # the sequence starts again


def test_scenario_file_faults_hit_only_their_operation(start: Any, http: requests.Session) -> None:
    stub = start("users", "prefs-only")
    assert http.get(f"{stub.url}/v1/users/u-1/preferences").status_code == 500
    assert http.get(f"{stub.url}/v1/users/u-1").status_code == 200


def test_recorded_requests_and_bounded_journal(
    start: Any, server: StubServer, http: requests.Session
) -> None:
    stub = start("users")
    for index in range(12):
        http.get(f"{stub.url}/v1/users/u-{index}", headers={"X-Request-ID": f"r{index}"})
    recorded = stub.requests()
    assert [r.path for r in recorded][:2] == ["/v1/users/u-0", "/v1/users/u-1"]
    assert recorded[3].header("x-request-id") == "r3"
    assert recorded[0].method == "GET"
    assert server.request_counts(journal_limit=5)[stub.port] == 12
    assert stub.requests() == []  # over the limit: cleared, the count carried over
    http.get(f"{stub.url}/v1/health")
    assert server.request_counts(journal_limit=5)[stub.port] == 13


def test_pact_interactions_answer_first(start: Any, http: requests.Session) -> None:
    stub = start("user-service")
    headers = {"X-Request-ID": "3f2c9a1e-7d4b-4f7e-9a52-1c2b3d4e5f60"}
    restricted = http.get(f"{stub.url}/v1/users/u-1003", headers=headers)
    assert restricted.status_code == 403
    assert restricted.json() == {"status": 403, "title": "Forbidden", "type": "about:blank"}
    assert http.get(f"{stub.url}/v1/users/u-1001/preferences", headers=headers).status_code == 200
    down = start("user-service", states=["the user service is unavailable"])
    assert http.get(f"{down.url}/v1/users/u-1001/preferences", headers=headers).status_code == 503
    # a request no interaction describes still gets the spec's answer
    other = http.get(f"{stub.url}/v1/users/u-2000/preferences")
    assert other.status_code == 200
    assert json.loads(other.text)["user_id"] == "u-1001"


def test_explicit_port(start: Any) -> None:
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stub = start("users", port=port)
    assert stub.url == f"http://127.0.0.1:{port}"
    assert requests.get(f"{stub.url}/v1/health", timeout=5).status_code == 200
