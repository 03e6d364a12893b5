"""verify's own logic: reading the verifier's results, lining up traffic, spec checks, output.

No server here: the verifier's results and the recorded exchanges are built by hand
(in the shapes measured from pact-python 4.2); the real runs are in
tests/integration/test_verify*.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from contractgate._errors import InputError
from contractgate._openapi import load_spec
from contractgate._pact import Pact, load_pact
from contractgate._provider import REDACTED, RunningProvider
from contractgate.verify import (
    InteractionVerification,
    Mismatch,
    PactVerification,
    ServiceVerification,
    VerifyReport,
    verify_pacts,
)
from contractgate.verify._proxy import Recorded
from contractgate.verify._replay import Outcome, _captured_output, _outcome, parse_duration
from contractgate.verify._spec import ResponseChecker
from contractgate.verify._verify import _interaction, _line_up

ROOT = Path(__file__).resolve().parents[2]
USER_SPEC = ROOT / "openapi" / "user-service.yaml"
USER = {
    "id": "u-1001",
    "username": "alice",
    "created_at": "2025-01-15T09:30:00Z",
}


def _http(description: str, state: str | None, method: str, path: str) -> dict[str, Any]:
    return {
        "type": "Synchronous/HTTP",
        "description": description,
        "providerStates": [{"name": state}] if state else [],
        "request": {"method": method, "path": path},
        "response": {"status": 200},
    }


@pytest.fixture
def pact(tmp_path: Path) -> Pact:
    data = {
        "consumer": {"name": "web"},
        "provider": {"name": "users"},
        "interactions": [
            _http("get alice", "alice exists", "GET", "/v1/users/u-1001"),
            _http("get bob", "bob exists", "GET", "/v1/users/u-1002"),
            {"type": "Asynchronous/Messages", "description": "user created", "contents": {}},
            _http("health", None, "GET", "/v1/health"),
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    path = tmp_path / "web-users.json"
    path.write_text(json.dumps(data))
    return load_pact(path)


def _outcome_raw(description: str, states: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "consumer": "web",
        "description": description,
        "providerStates": states,
        "result": "OK",
        "pending": False,
        "duration": "12ms",
        **extra,
    }


SETUP_FAILED = "One or more of the setup state change handlers has failed"


def _failed_setup(description: str, state: str) -> dict[str, Any]:
    """What the verifier reports for an interaction whose provider state could not be set."""
    return _outcome_raw(
        description, [state], result="Error", mismatch={"type": "error", "message": SETUP_FAILED}
    )


def _state(seq: int, state: str, action: str, status: int | None = 200) -> Recorded:
    body = json.dumps({"state": state, "action": action, "params": {}}).encode()
    record = Recorded(seq, "state", "POST", "/__contractgate__/provider-states", [], body)
    record.status = status
    if status is None:
        record.error = "the provider did not answer within 1s"
    return record


def _request(seq: int, method: str, target: str, body: Any = None, **kw: Any) -> Recorded:
    record = Recorded(seq, "request", method, target, [("Authorization", "Bearer s3cret")], b"")
    record.status = kw.get("status", 200)
    record.response_headers = kw.get("headers", [("Content-Type", "application/json")])
    record.response_body = json.dumps(body).encode() if body is not None else b""
    return record


def _line_up_without_problems(
    outcomes: list[Outcome], records: list[Recorded], pact: Pact
) -> dict[tuple[int, int], Any]:
    """What ``_line_up`` attached to each interaction of ``pact``, which it found no fault with."""
    problems: list[str] = []
    attached = _line_up(outcomes, records, [pact], problems)
    assert problems == []
    return attached


# -- the verifier's results ------------------------------------------------------------------


def test_body_mismatch_values_are_decoded_from_json_text() -> None:
    raw = _outcome_raw(
        "get alice",
        ["alice exists"],
        result="Error",
        mismatch={
            "type": "mismatches",
            "mismatches": [
                {
                    "type": "BodyMismatch",
                    "path": "$",
                    "expected": '["id","username"]',
                    "actual": '["id","user_name"]',
                    "mismatch": "Actual map is missing the following keys: username",
                },
                {"type": "StatusMismatch", "expected": 200, "actual": 500, "mismatch": "x"},
                {
                    "type": "HeaderMismatch",
                    "key": "Set-Cookie",
                    "expected": "a=1",
                    "actual": "session=abc",
                    "mismatch": "Mismatch with header 'Set-Cookie'",
                },
            ],
        },
    )
    outcome = _outcome(raw)
    assert not outcome.ok
    body, status, header = outcome.mismatches
    assert body == Mismatch(
        "body",
        "Actual map is missing the following keys: username",
        "$",
        ["id", "username"],
        ["id", "user_name"],
    )
    assert (status.kind, status.expected, status.actual) == ("status", 200, 500)
    assert (header.kind, header.path, header.expected, header.actual) == (
        "header",
        "Set-Cookie",
        REDACTED,
        REDACTED,
    )


def test_an_error_result_keeps_the_verifiers_message() -> None:
    raw = _failed_setup("get alice", "alice exists")
    outcome = _outcome(raw)
    assert outcome.error == SETUP_FAILED
    assert outcome.mismatches == ()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("18ms", 0.018), ("1s 21ms", 1.021), ("2m 1s", 121.0), ("", 0.0), ("0.5ms", 0.0005)],
)
def test_verifier_durations_are_read_as_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


def test_what_the_verifier_prints_does_not_reach_the_terminal(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with _captured_output():
        os.write(1, b"verifier report\n")
        os.write(2, b"verifier warning\n")
    os.write(1, b"after\n")
    out, err = capfd.readouterr()
    assert out == "after\n"
    assert err == ""


# -- lining up traffic with results -----------------------------------------------------------


def test_traffic_lines_up_with_results_in_order(pact: Pact) -> None:
    outcomes = [
        _outcome(_outcome_raw("get alice", ["alice exists"])),
        _outcome(_outcome_raw("get bob", ["bob exists"])),
        _outcome(_outcome_raw("health", [])),
    ]
    alice, bob, health = (
        _request(1, "GET", "/v1/users/u-1001"),
        _request(4, "GET", "/v1/users/u-1002"),
        _request(6, "GET", "/v1/health"),
    )
    records = [
        _state(0, "alice exists", "setup"),
        alice,
        _state(2, "alice exists", "teardown"),
        _state(3, "bob exists", "setup"),
        bob,
        _state(5, "bob exists", "teardown"),
        health,
    ]
    attached = _line_up_without_problems(outcomes, records, pact)
    assert attached[(id(pact), 0)][1] is alice
    assert attached[(id(pact), 1)][1] is bob
    assert attached[(id(pact), 3)][1] is health


def test_a_failed_state_setup_sends_no_request_and_the_next_still_lines_up(pact: Pact) -> None:
    failing = _failed_setup("get alice", "alice exists")
    outcomes = [_outcome(failing), _outcome(_outcome_raw("health", []))]
    health = _request(1, "GET", "/v1/health")
    records = [_state(0, "alice exists", "setup", status=400), health]
    attached = _line_up_without_problems(outcomes, records, pact)
    _, request, setup = attached[(id(pact), 0)]
    assert request is None
    assert [r.seq for r in setup] == [0]
    assert attached[(id(pact), 3)][1] is health


def test_a_state_call_retried_after_a_5xx_lines_up_with_its_request(pact: Pact) -> None:
    outcomes = [
        _outcome(_outcome_raw("get alice", ["alice exists"])),
        _outcome(_outcome_raw("get bob", ["bob exists"])),
    ]
    hiccup = _state(0, "alice exists", "setup", status=503)
    hiccup.passed_on = True  # the verifier got it, so it calls again
    alice, bob = _request(2, "GET", "/v1/users/u-1001"), _request(4, "GET", "/v1/users/u-1002")
    records = [
        hiccup,
        _state(1, "alice exists", "setup"),
        alice,
        _state(3, "bob exists", "setup"),
        bob,
    ]
    attached = _line_up_without_problems(outcomes, records, pact)
    assert attached[(id(pact), 0)][1] is alice
    assert [r.seq for r in attached[(id(pact), 0)][2]] == [0, 1]
    assert attached[(id(pact), 1)][1] is bob


def test_traffic_that_does_not_fit_is_a_problem_not_a_wrong_match(pact: Pact) -> None:
    outcomes = [
        _outcome(_outcome_raw("get alice", ["alice exists"])),
        _outcome(_outcome_raw("health", [])),
    ]
    records = [_request(0, "DELETE", "/v1/elsewhere"), _request(1, "GET", "/v1/health")]
    problems: list[str] = []
    attached = _line_up(outcomes, records, [pact], problems)
    assert attached[(id(pact), 0)][1] is None
    assert attached[(id(pact), 3)][1] is None  # matching stopped: no guessing from there on
    assert len(problems) == 1
    assert "does not line up" in problems[0]


def test_an_unknown_interaction_in_the_results_is_a_problem(pact: Pact) -> None:
    problems: list[str] = []
    _line_up([_outcome(_outcome_raw("never written", []))], [], [pact], problems)
    assert problems == ["the verifier reported an unknown interaction 'never written'"]


def test_a_state_endpoint_refusal_becomes_the_interactions_error(pact: Pact) -> None:
    raw = _failed_setup("get alice", "alice exists")
    refused = _state(0, "alice exists", "setup", status=400)
    refused.response_headers = [("Content-Type", "application/problem+json")]
    refused.response_body = b'{"status":400,"detail":"Unknown provider state"}'
    provider = RunningProvider("users", "http://127.0.0.1:9")
    result = _interaction(pact.interactions[0], (_outcome(raw), None, [refused]), None, provider)
    assert result.verdict == "failed"
    assert result.error == (
        "provider state 'alice exists' could not be set: "
        "the state endpoint answered 400: Unknown provider state"
    )


def test_a_message_interaction_is_not_applicable(pact: Pact) -> None:
    provider = RunningProvider("users", "http://127.0.0.1:9")
    result = _interaction(pact.interactions[2], None, None, provider)
    assert result.verdict == "not_applicable"
    assert "Asynchronous/Messages" in (result.not_applicable or "")


def test_recorded_exchanges_redact_credentials() -> None:
    record = _request(0, "GET", "/v1/users/u-1001", USER)
    record.response_headers.append(("Set-Cookie", "session=abc"))
    exchange = record.exchange()
    assert exchange.request_headers == {"Authorization": REDACTED}
    assert exchange.response_headers["Set-Cookie"] == REDACTED
    assert exchange.body == USER
    assert "s3cret" not in json.dumps(exchange.to_dict())


def test_pacts_without_http_interactions_are_refused(tmp_path: Path) -> None:
    data = {
        "consumer": {"name": "web"},
        "provider": {"name": "users"},
        "messages": [{"description": "user created", "contents": {}}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    path = tmp_path / "messages.json"
    path.write_text(json.dumps(data))
    provider = RunningProvider("users", "http://127.0.0.1:9")
    with pytest.raises(InputError, match="none of the pacts has an HTTP interaction"):
        verify_pacts([load_pact(path)], provider)


def test_pacts_of_different_providers_are_refused(pact: Pact, tmp_path: Path) -> None:
    data = json.loads(Path(pact.source).read_text())
    data["provider"]["name"] = "templates"
    other = tmp_path / "web-templates.json"
    other.write_text(json.dumps(data))
    provider = RunningProvider("users", "http://127.0.0.1:9")
    with pytest.raises(
        InputError, match=r"the pacts name different providers \(templates, users\)"
    ):
        verify_pacts([pact, load_pact(other)], provider)


# -- the spec check -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checker() -> ResponseChecker:
    return ResponseChecker(load_spec(USER_SPEC))


BASE = "http://127.0.0.1:8001"


def test_a_response_that_keeps_the_spec_has_no_violation(checker: ResponseChecker) -> None:
    headers = [("Content-Type", "application/json"), ("X-Request-ID", "abc")]
    record = _request(0, "GET", "/v1/users/u-1001", USER, headers=headers)
    assert checker.check(record, BASE) == []


def test_a_renamed_field_is_named_with_the_rule_and_its_place(checker: ResponseChecker) -> None:
    drifted = {**USER, "user_name": USER["username"]}
    del drifted["username"]
    (violation,) = checker.check(_request(0, "GET", "/v1/users/u-1001", drifted), BASE)
    assert violation.part == "body"
    assert violation.path == "$"
    assert violation.message == "'username' is a required property"
    assert violation.spec is not None
    assert violation.spec.endswith("(at /components/schemas/User/required)")
    line = int(violation.spec.split(":")[1])
    assert "required: [id, username, created_at]" in USER_SPEC.read_text().splitlines()[line - 1]


def test_a_nested_value_is_named_by_its_json_path(checker: ResponseChecker) -> None:
    body = {"user_id": "u-1001", "email": True, "push": "yes", "updated_at": "2025-01-01T00:00:00Z"}
    (violation,) = checker.check(_request(0, "GET", "/v1/users/u-1001/preferences", body), BASE)
    assert violation.path == "$.push"
    assert "'yes' is not of type 'boolean'" in violation.message
    assert violation.spec is not None
    assert "UserPreferences/properties/push/type" in violation.spec


def test_an_undocumented_status_is_a_violation(checker: ResponseChecker) -> None:
    problem = {"type": "x", "title": "x", "status": 418}
    record = _request(0, "GET", "/v1/users/u-1001", problem, status=418)
    (violation,) = checker.check(record, BASE)
    assert violation.part == "status"
    assert violation.message.startswith("status 418 is not documented (documented: 200, 400")


def test_an_undocumented_content_type_is_a_violation(checker: ResponseChecker) -> None:
    record = _request(0, "GET", "/v1/users/u-1001", headers=[("Content-Type", "text/html")])
    record.response_body = b"<h1>hi</h1>"
    (violation,) = checker.check(record, BASE)
    assert violation.part == "content-type"
    assert "text/html is not documented (documented: application/json)" in violation.message


def test_a_problem_document_is_read_as_json(checker: ResponseChecker) -> None:
    problem = {"type": "about:blank", "title": "Not Found"}
    headers = [("Content-Type", "application/problem+json")]
    record = _request(0, "GET", "/v1/users/u-9999", problem, status=404, headers=headers)
    (violation,) = checker.check(record, BASE)
    assert violation.message == "'status' is a required property"


def test_a_response_header_breaking_its_schema_is_a_violation(checker: ResponseChecker) -> None:
    headers = [("Content-Type", "application/json"), ("X-Request-ID", "x" * 70)]
    record = _request(0, "GET", "/v1/users/u-1001", USER, headers=headers)
    violations = checker.check(record, BASE)
    assert {v.part for v in violations} == {"header X-Request-ID"}
    assert any("is too long" in v.message for v in violations)


def test_a_path_the_spec_does_not_have_is_a_violation(checker: ResponseChecker) -> None:
    (violation,) = checker.check(_request(0, "GET", "/v1/nothing", {}), BASE)
    assert violation.part == "operation"
    assert "GET /v1/nothing" in violation.message


def test_a_request_without_an_answer_is_not_checked(checker: ResponseChecker) -> None:
    record = _request(0, "GET", "/v1/users/u-1001")
    record.status = None
    assert checker.check(record, BASE) == []


# -- verdicts and JSON ----------------------------------------------------------------------------


def _verification(**kw: Any) -> InteractionVerification:
    return InteractionVerification(
        index=0, description="get alice", pointer="/interactions/0", **kw
    )


def test_a_pending_failure_does_not_fail_the_pact() -> None:
    broken = [Mismatch("status", "expected 200 but was 500", expected=200, actual=500)]
    pending = _verification(pending=True, mismatches=broken)
    pact = PactVerification("p.json", "web", "users", "4.0", [pending])
    assert pending.verdict == "pending"
    assert pact.passed
    assert pact.counts()["pending"] == 1


def test_a_run_problem_fails_the_service_even_when_interactions_pass() -> None:
    pact = PactVerification("p.json", "web", "users", "4.0", [_verification()])
    service = ServiceVerification("users", "http://x", [pact], problems=["the provider exited"])
    assert pact.passed
    assert not service.passed
    assert not VerifyReport([service]).passed


def test_the_json_shape_carries_verdicts_paths_and_values() -> None:
    mismatch = Mismatch("body", "missing username", "$", ["username"], ["user_name"])
    failed = _verification(provider_states=("alice exists",), mismatches=[mismatch])
    data = VerifyReport(
        [
            ServiceVerification(
                "users", "http://x", [PactVerification("p.json", "web", "users", "4.0", [failed])]
            )
        ]
    ).to_dict()
    interaction = data["services"][0]["pacts"][0]["interactions"][0]
    assert data["passed"] is False
    assert interaction["verdict"] == "failed"
    assert interaction["mismatches"] == [
        {
            "kind": "body",
            "path": "$",
            "message": "missing username",
            "expected": ["username"],
            "actual": ["user_name"],
        }
    ]
    assert data["services"][0]["counts"] == {
        "interactions": 1, "passed": 0, "failed": 1, "pending": 0, "not_applicable": 0
    }  # fmt: skip
    json.dumps(data)


# -- other spec versions and servers --------------------------------------------------------------

PETS = Path(__file__).resolve().parents[1] / "parity_corpus" / "pact-versions" / "spec.yaml"
PETS_30 = Path(__file__).resolve().parents[1] / "versions_corpus" / "petshop-openapi30.json"
JSON_HEADERS = [("Content-Type", "application/json"), ("Date", "Thu, 26 Nov 2026 10:00:00 GMT")]


@pytest.mark.parametrize("spec", [PETS, PETS_30], ids=["swagger-2.0", "openapi-3.0"])
def test_a_spec_with_an_absolute_server_url_is_matched_on_its_path(spec: Path) -> None:
    checker = ResponseChecker(load_spec(spec))
    pet = {"id": 1, "name": "Rex", "status": "available"}
    keeps = _request(0, "GET", "/api/pets/1", pet, headers=JSON_HEADERS)
    assert checker.check(keeps, BASE) == []
    drifted = _request(0, "GET", "/api/pets/1", {"id": "one", "name": "Rex"}, headers=JSON_HEADERS)
    (violation,) = checker.check(drifted, BASE)
    assert (violation.part, violation.path) == ("body", "$.id")
    assert violation.spec is not None
    assert "Pet/properties/id" in violation.spec


def test_a_swagger_2_response_is_checked_by_the_model_with_places_in_the_file() -> None:
    checker = ResponseChecker(load_spec(PETS))
    body = [{"id": 1, "name": ""}]
    violations = checker.check(_request(0, "GET", "/api/pets", body, headers=JSON_HEADERS), BASE)
    assert [(v.part, v.path) for v in violations] == [("body", "$[0].name")]
    assert "shorter than the spec's minLength of 1" in violations[0].message
    assert violations[0].spec is not None
    assert violations[0].spec.startswith(f"{PETS.relative_to(Path.cwd())}:")
    record = _request(0, "GET", "/api/pets/1", {"id": 1, "name": "x"}, status=418)
    (status,) = checker.check(record, BASE)
    assert status.part == "status"
    assert "418" in status.message
    (unknown,) = checker.check(_request(0, "DELETE", "/api/nowhere", {}), BASE)
    assert unknown.part == "operation"
