"""Imposter generation: a pure function of (spec, pacts, scenario, seed); no Mountebank here."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from contractgate import InputError
from contractgate._config import load_config
from contractgate._openapi import load_spec
from contractgate._pact import load_pact
from contractgate._project import Project, Service, load_project
from contractgate.stubs import (
    ImposterPlan,
    build_imposter,
    export_config,
    find_scenario,
    load_scenario_file,
    plan_service,
)

ROOT = Path(__file__).resolve().parents[2]
USER_SPEC = ROOT / "openapi" / "user-service.yaml"
TEMPLATE_SPEC = ROOT / "openapi" / "template-service.yaml"


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(load_config(ROOT / "contractgate.toml"))


def plan_of(spec: Path, scenario: str = "happy", seed: int = 0, **kw: Any) -> ImposterPlan:
    return build_imposter(load_spec(spec), [], find_scenario(scenario), name="svc", seed=seed, **kw)


def stubs_of(plan: ImposterPlan, kind: str) -> list[dict[str, Any]]:
    return [
        s for s, info in zip(plan.imposter["stubs"], plan.stubs, strict=True) if info.kind == kind
    ]


def operation_stub(plan: ImposterPlan, key: str) -> dict[str, Any]:
    for stub, info in zip(plan.imposter["stubs"], plan.stubs, strict=True):
        if info.kind == "operation" and info.operation == key:
            return stub
    raise AssertionError(key)


def answers(stub: dict[str, Any]) -> list[dict[str, Any]]:
    """The stub's responses as Mountebank plays them (repeats expanded)."""
    out = []
    for response in stub["responses"]:
        out.extend([response] * response.get("repeat", 1))
    return out


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["is"]["body"])


def path_regex(stub: dict[str, Any]) -> re.Pattern[str]:
    for pred in stub["predicates"]:
        if "matches" in pred and "path" in pred["matches"]:
            return re.compile(pred["matches"]["path"])
    raise AssertionError("no path regex")


def test_stub_order(project: Project) -> None:
    plan = plan_service(project.service("user-service"))
    kinds = [s.kind for s in plan.stubs]
    assert kinds == ["pact"] * 5 + ["operation"] * 4 + ["unauthorized"] * 3 + [
        "bad-request"
    ] * 3 + ["not-found"]
    operations = [s.operation for s in plan.stubs if s.kind == "operation"]
    assert operations[0] == "GET /health"  # literal paths before templated ones
    assert plan.stubs[-1].label == "any other request"


def test_predicates_are_cheap_first_and_never_injected() -> None:
    plan = plan_of(USER_SPEC)
    text = json.dumps(plan.imposter)
    assert '"inject"' not in text
    for stub, info in zip(plan.imposter["stubs"], plan.stubs, strict=True):
        if info.kind == "not-found":
            assert stub["predicates"] == []
            continue
        first = stub["predicates"][0]
        assert next(iter(first)) == "equals"
        assert "method" in first["equals"]
        assert first["caseSensitive"] is True
    health = operation_stub(plan, "GET /health")
    assert health["predicates"][0]["equals"] == {"method": "GET", "path": "/v1/health"}


def test_path_regexes_enforce_parameter_rules() -> None:
    plan = plan_of(USER_SPEC)
    strict = path_regex(operation_stub(plan, "GET /users/{userId}"))
    assert strict.search("/v1/users/u-1001")
    for bad in ("/v1/users/BAD!", "/v1/users/u-1001/preferences", "/users/u-1001", "/v1/users/"):
        assert not strict.search(bad), bad
    loose = path_regex(stubs_of(plan, "bad-request")[0])
    assert loose.search("/v1/users/BAD!")
    assert not loose.search("/v1/users/a/b")


def test_parameter_and_body_rules() -> None:
    plan = plan_of(TEMPLATE_SPEC)
    listing = operation_stub(plan, "GET /templates")
    rules = json.dumps(listing["predicates"])
    assert '"page": false' in rules  # optional: absent, or matching its schema
    render = operation_stub(plan, "POST /templates/{code}/render")
    assert {"matches": {"body": "\\S"}, "caseSensitive": True, "keyCaseSensitive": False} in (
        render["predicates"]
    )
    auth = render["predicates"][-1]
    assert auth["matches"]["headers"]["Authorization"].startswith("^Bearer")
    health = operation_stub(plan, "GET /health")
    assert "Authorization" not in json.dumps(health)  # security: [] needs no token


def test_every_response_keeps_the_connection_and_listens_on_loopback() -> None:
    plan = plan_of(USER_SPEC, "flaky", record_requests=False, port=4545)
    imposter = plan.imposter
    assert imposter["host"] == "127.0.0.1"
    assert imposter["port"] == 4545
    assert imposter["recordRequests"] is False
    assert imposter["defaultResponse"]["headers"]["Connection"] == "keep-alive"
    for stub in imposter["stubs"]:
        for response in stub["responses"]:
            assert response["is"]["headers"]["Connection"] == "keep-alive"


def test_error_answers_are_the_specs_problem_documents() -> None:
    spec = load_spec(USER_SPEC)
    plan = build_imposter(spec, [], find_scenario("rate-limited"), name="svc")
    stub = operation_stub(plan, "GET /users/{userId}/preferences")
    (response,) = stub["responses"]
    assert response["is"]["statusCode"] == 429
    assert response["is"]["headers"]["Retry-After"] == "1"
    assert response["is"]["headers"]["Content-Type"] == "application/problem+json"
    op = spec.operation("GET", "/users/{userId}/preferences")
    assert op is not None
    schema = op.responses["429"].content["application/problem+json"].schema
    assert schema is not None
    assert spec.validator(schema).is_valid(body(response))
    assert body(response)["status"] == 429
    # /health documents no 429: a rate limit meant for every operation leaves it alone
    (health,) = operation_stub(plan, "GET /health")["responses"]
    assert health["is"]["statusCode"] == 200


def test_undocumented_statuses_are_skipped_unless_named() -> None:
    plan = plan_of(TEMPLATE_SPEC, "not-found")
    assert answers(operation_stub(plan, "GET /templates"))[0]["is"]["statusCode"] == 200
    assert answers(operation_stub(plan, "GET /templates/{code}"))[0]["is"]["statusCode"] == 404
    plan = plan_of(TEMPLATE_SPEC, "server-error")  # 5xx can come from anywhere
    assert answers(operation_stub(plan, "GET /health"))[0]["is"]["statusCode"] == 500


def test_same_seed_same_imposter() -> None:
    first = json.dumps(plan_of(USER_SPEC, "flaky", seed=7).imposter)
    assert first == json.dumps(plan_of(USER_SPEC, "flaky", seed=7).imposter)
    assert first != json.dumps(plan_of(USER_SPEC, "flaky", seed=8).imposter)


def test_flaky_cycle_has_the_exact_rate() -> None:
    plan = plan_of(USER_SPEC, "flaky", seed=3)
    played = answers(operation_stub(plan, "GET /users/{userId}"))
    assert len(played) == 100
    assert sum(r["is"]["statusCode"] == 503 for r in played) == 20
    assert {r["is"]["statusCode"] for r in played} == {200, 503}


def test_outage_then_recovery_plays_once() -> None:
    stub = operation_stub(plan_of(USER_SPEC, "outage-then-recovery"), "GET /users/{userId}")
    codes = [r["is"]["statusCode"] for r in stub["responses"]]
    assert codes == [503, 200]
    assert stub["responses"][0]["repeat"] == 2
    assert stub["responses"][1]["repeat"] == 10_000


def test_connection_timeout_and_latency_faults() -> None:
    reset = operation_stub(plan_of(USER_SPEC, "connection-reset"), "GET /health")
    assert reset["responses"] == [{"fault": "CONNECTION_RESET_BY_PEER"}]
    garbage = operation_stub(plan_of(USER_SPEC, "garbage-body"), "GET /health")
    assert garbage["responses"] == [{"fault": "RANDOM_DATA_THEN_CLOSE"}]
    hang = operation_stub(plan_of(USER_SPEC, "timeout"), "GET /health")
    assert hang["responses"][0]["behaviors"] == [{"wait": 10_000}]
    slow = answers(operation_stub(plan_of(USER_SPEC, "slow"), "GET /health"))
    waits = sorted(r["behaviors"][-1]["wait"] for r in slow)
    assert len(waits) == 100
    assert 150 <= waits[50] <= 250  # median about 200 ms


def test_drift_breaks_the_success_body_only(tmp_path: Path) -> None:
    plan = plan_of(USER_SPEC, "drift")
    (user,) = operation_stub(plan, "GET /users/{userId}")["responses"]
    assert set(body(user)) == {"Id", "username", "display_name", "email_address", "created_at"}
    assert any("id -> Id" in note for note in plan.notes)
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(
        "scenarios:\n  x:\n    faults:\n      - operation: getPreferences\n"
        "        drift: {rename: {email: email_enabled}}\n",
        encoding="utf-8",
    )
    custom = load_scenario_file(scenarios).scenarios["x"]
    plan = build_imposter(load_spec(USER_SPEC), [], custom, name="svc")
    (prefs,) = operation_stub(plan, "GET /users/{userId}/preferences")["responses"]
    assert "email_enabled" in body(prefs)
    (user,) = operation_stub(plan, "GET /users/{userId}")["responses"]
    assert "id" in body(user)


def test_edge_data_bodies_still_validate() -> None:
    spec = load_spec(TEMPLATE_SPEC)
    plan = build_imposter(spec, [], find_scenario("edge-data"), name="svc")
    op = spec.operation("GET", "/templates/{code}")
    assert op is not None
    schema = op.responses["200"].content["application/json"].schema
    assert schema is not None
    long, sparse = (body(r) for r in operation_stub(plan, "GET /templates/{code}")["responses"])
    assert spec.validator(schema).is_valid(long)
    assert spec.validator(schema).is_valid(sparse)
    assert len(long["name"]) == 200
    assert any(ord(ch) > 127 for ch in long["body"])
    assert "subject" not in sparse


def test_request_ids_are_echoed_without_injection() -> None:
    (response,) = operation_stub(plan_of(USER_SPEC), "GET /users/{userId}")["responses"]
    token = response["is"]["headers"]["X-Request-ID"]
    copies = [b["copy"] for b in response["behaviors"]]
    assert [c["into"] for c in copies] == [token, token]
    assert copies[0]["from"] == {"headers": "X-Request-ID"}
    assert copies[1]["from"] == "requestFrom"  # no header: the client's port instead


def test_pact_stubs_come_first_and_states_select_among_them(project: Project) -> None:
    service = project.service("user-service")
    default = plan_service(service)
    prefs = next(
        s
        for s, info in zip(default.imposter["stubs"], default.stubs, strict=True)
        if info.kind == "pact" and "preferences of user u-1001" in info.label
    )
    assert prefs["responses"][0]["is"]["statusCode"] == 200
    assert any("provider state 'the user service is unavailable'" in n for n in default.notes)
    down = plan_service(service, states=["the user service is unavailable"])
    first = down.imposter["stubs"][0]
    assert down.stubs[0].label.startswith("a request for preferences while the service")
    assert first["responses"][0]["is"]["statusCode"] == 503


def test_pact_predicates_follow_the_contract(tmp_path: Path) -> None:
    pact = tmp_path / "pact.json"
    pact.write_text(
        json.dumps(
            {
                "consumer": {"name": "c"},
                "provider": {"name": "svc"},
                "metadata": {"pactSpecification": {"version": "3.0.0"}},
                "interactions": [
                    {
                        "description": "search",
                        "request": {
                            "method": "PUT",
                            "path": "/v1/users/u-1/preferences",
                            "query": {"q": ["a"], "n": ["1", "2"]},
                            "headers": {"Authorization": "Bearer t", "Accept": "application/json"},
                            "body": {"email": True, "push": False},
                            "matchingRules": {
                                "header": {
                                    "Authorization": {
                                        "matchers": [{"match": "regex", "regex": "Bearer .+"}]
                                    }
                                },
                                "query": {"q": {"matchers": [{"match": "type"}]}},
                            },
                        },
                        "response": {"status": 200, "body": {"ok": True}},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    plan = build_imposter(
        load_spec(USER_SPEC), [load_pact(pact)], find_scenario("happy"), name="svc"
    )
    stub = plan.imposter["stubs"][0]
    flags = ("caseSensitive", "keyCaseSensitive")
    predicates = [{k: v for k, v in p.items() if k not in flags} for p in stub["predicates"]]
    assert predicates == [
        {
            "equals": {
                "method": "PUT",
                "path": "/v1/users/u-1/preferences",
                "query": {"n": ["1", "2"]},
                "headers": {"Accept": "application/json"},
                "body": {"email": True, "push": False},
            }
        },
        {"exists": {"query": {"q": True}}},
        {"matches": {"headers": {"Authorization": "^(?:Bearer .+)$"}}},
    ]
    assert stub["responses"][0]["is"]["headers"]["Content-Type"] == "application/json"
    assert plan.stubs[0].operation == "PUT /users/{userId}/preferences"


def test_scenarios_are_checked_against_the_spec(tmp_path: Path, project: Project) -> None:
    service = project.service("user-service")
    with pytest.raises(InputError, match="no scenario named 'flakey'"):
        plan_service(service, "flakey")
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text("scenarios:\n  x:\n    faults: [{operation: nope, error: 500}]\n", "utf-8")
    config = service.config.__class__(name="svc", spec=USER_SPEC, scenarios=scenarios)
    with pytest.raises(InputError, match="has no operation 'nope'") as info:
        plan_service(Service(config, service.spec), "x")
    assert info.value.source == str(scenarios)
    assert plan_service(service, "flaky-preferences").scenario == "flaky-preferences"


def test_export_config_assigns_ports() -> None:
    plans = [plan_of(USER_SPEC), plan_of(TEMPLATE_SPEC, port=4545)]
    exported = export_config(plans, first_port=4545)
    assert [i["port"] for i in exported["imposters"]] == [4546, 4545]
    assert "port" not in plans[0].imposter  # the plan itself is left as it was
    json.dumps(exported)


def test_generation_fails_clearly_for_impossible_schemas(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        textwrap.dedent(
            """
            openapi: 3.1.0
            info: {title: T, version: "1"}
            paths:
              /x:
                get:
                  responses:
                    "200":
                      description: ok
                      content:
                        application/json:
                          schema: {type: string, pattern: "^a{10}$", maxLength: 2}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="cannot generate a value") as info:
        plan_of(spec)
    assert str(info.value.place).startswith("12:")


def test_only_success_answers_drift(project: Project) -> None:
    plan = plan_service(project.service("user-service"), "drift")
    pact_bodies = {
        info.label: body(stub["responses"][0])
        for stub, info in zip(plan.imposter["stubs"], plan.stubs, strict=True)
        if info.kind == "pact"
    }
    restricted = next(v for k, v in pact_bodies.items() if "restricted" in k)
    assert restricted == {"status": 403, "title": "Forbidden", "type": "about:blank"}
    user = next(v for k, v in pact_bodies.items() if k.startswith("a request for user u-1001"))
    assert "Id" in user
    assert "id" not in user
