"""Lazily served imposters answer as the flat plan does, over real HTTP on a real Mountebank."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from contractgate._config import load_config
from contractgate._project import Project, adhoc_project, load_project
from contractgate.stubs import (
    Mountebank,
    Stub,
    StubServer,
    live_stubs,
    plan_schedule,
    plan_service_lazily,
    service_scenario,
    started_servers,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": "Bearer test-token"}
RID = {"X-Request-ID": "3f2c9a1e-7d4b-4f7e-9a52-1c2b3d4e5f60"}
# (method, path, headers, JSON body): pacts, answers, 400, 401 and 404 of the user service
REQUESTS: list[tuple[str, str, dict[str, str], Any]] = [
    ("GET", "/v1/users/u-1003", {**AUTH, **RID}, None),  # a pact: 403
    ("GET", "/v1/users/u-1001/preferences", {**AUTH, **RID}, None),  # a pact: 200
    ("GET", "/v1/users/u-42", {**AUTH, "X-Request-ID": "req-7"}, None),
    ("GET", "/v1/users/u-42/preferences", AUTH, None),
    ("PUT", "/v1/users/u-42/preferences", AUTH, {"email": True, "push": False}),
    ("PUT", "/v1/users/u-42/preferences", AUTH, None),  # required body missing: 400
    ("GET", "/v1/users/not%20an%20id", AUTH, None),  # 400
    ("GET", "/v1/users/u-1", {**AUTH, "X-Request-ID": "has spaces"}, None),  # 400
    ("GET", "/v1/users/u-1", {}, None),  # 401
    ("GET", "/v1/health", {}, None),
    ("DELETE", "/v1/users/u-1", AUTH, None),  # 404: no such operation
    ("GET", "/v2/users/u-1", AUTH, None),  # 404: no such path
    ("GET", "/v1/users/u-1/preferences/x", AUTH, None),  # 404
]


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(load_config(ROOT / "contractgate.toml"))


@pytest.fixture(scope="module")
def mountebank() -> Iterator[Mountebank]:
    before = set(started_servers(os.getpid()))
    with Mountebank.start() as mb:
        yield mb
    assert not set(started_servers(os.getpid())) - before


@pytest.fixture
def flat(mountebank: Mountebank, project: Project) -> Iterator[StubServer]:
    with StubServer(mountebank, project, lazy=False) as server:
        yield server


@pytest.fixture
def lazy(mountebank: Mountebank, project: Project) -> Iterator[StubServer]:
    with StubServer(mountebank, project, lazy=True) as server:
        yield server
    deadline = time.monotonic() + 5
    while _materializer_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _materializer_threads()


def _materializer_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if "materializer" in t.name]


def seen(stub: Stub, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
    """What a client can tell about an answer (the JSON value, not its layout)."""
    response = requests.request(method, stub.url + path, headers=headers, json=body, timeout=10)
    media = response.headers.get("Content-Type", "")
    echoed = response.headers.get("X-Request-ID")
    return (
        response.status_code,
        media,
        response.json() if "json" in media else response.text,
        response.headers.get("Retry-After"),
        "port" if echoed is not None and echoed.isdigit() else echoed,
        response.headers.get("Connection"),
    )


def test_lazy_answers_as_the_flat_plan(flat: StubServer, lazy: StubServer) -> None:
    flat_stub, lazy_stub = flat.start("user-service"), lazy.start("user-service")
    assert lazy_stub.lazy
    assert not flat_stub.lazy
    for request in REQUESTS:
        expected = seen(flat_stub, *request)
        assert seen(lazy_stub, *request) == expected, request  # through contractgate
        assert seen(lazy_stub, *request) == expected, request  # from Mountebank alone
    statuses = {seen(flat_stub, *r)[0] for r in REQUESTS}
    assert statuses == {200, 400, 401, 403, 404}


@pytest.mark.parametrize(
    ("scenario", "seed", "path"),
    [
        ("flaky", 7, "/v1/users/u-1"),
        ("outage-then-recovery", 0, "/v1/users/u-1"),
        ("flaky-preferences", 3, "/v1/users/u-9/preferences"),
    ],
)
def test_seeded_schedules_are_the_flat_ones(
    flat: StubServer, lazy: StubServer, scenario: str, seed: int, path: str
) -> None:
    def codes(stub: Stub) -> list[int]:
        with requests.Session() as session:
            session.headers.update(AUTH)
            return [session.get(stub.url + path, timeout=10).status_code for _ in range(40)]

    expected = codes(flat.start("user-service", scenario, seed=seed))
    assert codes(lazy.start("user-service", scenario, seed=seed)) == expected
    assert len(set(expected)) > 1


def test_concurrent_first_requests_play_the_schedule_exactly(lazy: StubServer) -> None:
    stub = lazy.start("user-service", "flaky", seed=11)
    url = f"{stub.url}/v1/users/u-1"

    def get(_: int) -> int:
        return requests.get(url, headers=AUTH, timeout=10).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(get, range(100)))
    assert codes.count(503) == 20  # one full cycle: exactly its rate, none played twice
    assert lazy.request_counts()[stub.port] == 100
    assert len(stub.requests()) == 100


def test_journal_and_counts_leave_replays_out(lazy: StubServer) -> None:
    stub = lazy.start("user-service")
    sent = ["/v1/users/u-1", "/v1/users/u-1/preferences", "/v1/users/u-2", "/v1/nope"]
    for path in sent:
        requests.get(stub.url + path, headers={**AUTH, "X-Request-ID": path}, timeout=10)
    recorded = stub.requests()
    assert [r.path for r in recorded] == sent
    assert [r.header("x-request-id") for r in recorded] == sent
    assert lazy.request_counts(journal_limit=3)[stub.port] == 4
    assert stub.requests() == []  # over the limit: cleared, the count carried over
    requests.get(f"{stub.url}/v1/users/u-3/preferences", headers=AUTH, timeout=10)
    assert lazy.request_counts(journal_limit=3)[stub.port] == 5


def test_switching_and_reset_start_everything_again(lazy: StubServer) -> None:
    stub = lazy.start("user-service", "outage-then-recovery")
    get = lambda path: requests.get(stub.url + path, headers=AUTH, timeout=10).status_code  # noqa: E731
    assert [get("/v1/users/u-1") for _ in range(3)] == [503, 503, 200]
    stub.set_scenario("server-error")
    assert get("/v1/users/u-1") == 500  # a group that was on Mountebank gets the new plan
    assert get("/v1/users/u-1/preferences") == 500
    stub.set_scenario("outage-then-recovery")
    assert [get("/v1/users/u-1") for _ in range(3)] == [503, 503, 200]
    stub.reset()
    assert stub.requests() == []
    assert [get("/v1/users/u-1") for _ in range(3)] == [503, 503, 200]
    assert lazy.request_counts()[stub.port] == 3


def test_broken_connections_are_never_relayed(lazy: StubServer) -> None:
    stub = lazy.start("user-service", "connection-reset")
    assert not stub.lazy  # every group breaks connections: served flat
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{stub.url}/v1/users/u-1", headers=AUTH, timeout=5)
    half = lazy.start("user-service", "garbage-body")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{half.url}/v1/health", timeout=5)


def test_a_scenario_switched_by_another_process_is_followed(lazy: StubServer) -> None:
    stub = lazy.start("user-service", "happy", seed=2)
    assert stub.materializer is not None
    client = lazy.mountebank.client
    assert requests.get(f"{stub.url}/v1/users/u-1", headers=AUTH, timeout=10).status_code == 200
    # what `contractgate stub scenario` does from another shell: a new plan, by name
    other = plan_service_lazily(stub.service, "flaky", seed=5)
    client.replace_stubs(stub.port, live_stubs(other, stub.service.spec, stub.materializer.url))
    codes = [
        requests.get(f"{stub.url}/v1/users/u-1", headers=AUTH, timeout=10).status_code
        for _ in range(30)
    ]
    scenario = service_scenario(stub.service, "flaky")
    schedule = plan_schedule(scenario.faults, 5, "GET /users/{userId}")
    assert codes == [200 if s.outcome == "ok" else s.outcome for s in schedule.take(30)]
    assert stub.materializer.plan_id.endswith("/flaky")


def test_a_plan_that_cannot_be_rebuilt_is_a_502_and_a_note(lazy: StubServer) -> None:
    stub = lazy.start("user-service")
    assert stub.materializer is not None
    front = stub.materializer.layout.front_stubs(stub.materializer.url, "0/x/no-such-scenario")
    lazy.mountebank.client.replace_stubs(stub.port, front)
    response = requests.get(f"{stub.url}/v1/users/u-1", headers=AUTH, timeout=10)
    assert response.status_code == 502
    body = json.loads(response.text)
    assert "no scenario named 'no-such-scenario'" in body["detail"]
    (note,) = stub.materializer.take_notes()
    assert note.startswith("GET /v1/users/u-1: ")
    assert stub.materializer.take_notes() == []


def test_an_operation_no_value_fits_answers_502_naming_the_schema(
    mountebank: Mountebank, tmp_path: Path
) -> None:
    spec = tmp_path / "mixed.yaml"
    spec.write_text(
        "openapi: 3.1.0\n"
        "info: {title: Mixed, version: '1'}\n"
        "paths:\n"
        "  /fine:\n"
        "    get:\n"
        "      responses:\n"
        "        '200': {description: ok, content: {application/json: {schema: {type: object}}}}\n"
        "  /broken:\n"
        "    get:\n"
        "      responses:\n"
        "        '200':\n"
        "          description: never\n"
        "          content:\n"
        "            application/json:\n"
        "              schema:\n"
        "                type: object\n"
        "                required: [a]\n"
        "                properties: {a: {type: string, pattern: '^x{5}$', maxLength: 2}}\n",
        encoding="utf-8",
    )
    project = adhoc_project(spec)
    with StubServer(mountebank, project, lazy=True) as server:
        stub = server.start("mixed")  # the broken operation is not generated yet
        assert stub.materializer is not None
        assert requests.get(f"{stub.url}/fine", timeout=10).json() == {}
        for _ in range(2):  # the failure is remembered, not generated again
            broken = requests.get(f"{stub.url}/broken", timeout=10)
            assert broken.status_code == 502
            assert f"{spec}:16:17" in broken.json()["detail"]
        notes = stub.materializer.take_notes()
        assert len(notes) == 2
        assert "cannot generate a value for this schema" in notes[0]


def test_an_adopted_mountebank_is_served_flat_unless_asked(
    mountebank: Mountebank, tmp_path: Path
) -> None:
    paths = {f"/r{n}": {"get": {"responses": {"200": {"description": "ok"}}}} for n in range(40)}
    spec = tmp_path / "forty.json"
    info = {"title": "Forty", "version": "1"}
    spec.write_text(json.dumps({"openapi": "3.1.0", "info": info, "paths": paths}), "utf-8")
    project = adhoc_project(spec)
    with StubServer(mountebank, project) as owned:
        assert owned.start("forty").lazy  # 41 stubs: more than LAZY_MIN_STUBS
    adopted = Mountebank.adopt(mountebank.url)
    with StubServer(adopted, project) as shared:
        stub = shared.start("forty")
        assert not stub.lazy  # it may not reach this process's loopback
        assert requests.get(f"{stub.url}/r39", timeout=10).status_code == 200


def test_notes_of_stubs_made_later_are_passed_on(lazy: StubServer) -> None:
    stub = lazy.start("user-service", "drift")
    assert stub.materializer is not None
    assert stub.materializer.take_notes() == []
    body = requests.get(f"{stub.url}/v1/users/u-1", headers=AUTH, timeout=10).json()
    assert "Id" in body
    assert stub.materializer.take_notes() == ["GET /users/{userId}: drift: id -> Id"]
