"""``check`` on hand-made pacts: each incompatible one fails precisely, each compatible one passes.

The pacts in ``tests/check_corpus`` are checked against the example specs (``openapi/``)
and a small OpenAPI 3.0 spec of their own (``tests/check_corpus/specs/inventory.yaml``)
for what the example specs do not show. Every incompatible pact holds one defect;
its finding is asserted whole: rule code, words, pointer into the pact, pointer into
the spec.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractgate._config import load_config
from contractgate._project import adhoc_project, load_project
from contractgate.check import RULES, Finding, ServiceResult, check_project, check_service

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "check_corpus"
SPECS = {
    "user-service": ROOT / "openapi" / "user-service.yaml",
    "template-service": ROOT / "openapi" / "template-service.yaml",
    "inventory": CORPUS / "specs" / "inventory.yaml",
}

# name -> (code, message, pointer into the pact, pointer into the spec)
INCOMPATIBLE: dict[str, tuple[str, str, str, str | None]] = {
    "renamed-field": (
        "response.body.undocumented",
        "response body /user_name: the pact expects field user_name, "
        "the spec does not document it (did you mean 'username'?)",
        "/interactions/0/response/body/content/user_name",
        "/components/schemas/User",
    ),
    "wrong-type": (
        "response.body.type",
        "response body /push: the pact expects a string (type matcher), "
        "the spec promises a boolean",
        "/interactions/0/response/body/content/push",
        "/components/schemas/UserPreferences/properties/push",
    ),
    "v2-wrong-type": (
        "response.body.type",
        "response body /push: the pact expects a string (type matcher), "
        "the spec promises a boolean",
        "/interactions/0/response/body/push",
        "/components/schemas/UserPreferences/properties/push",
    ),
    "v3-wrong-type": (
        "response.body.type",
        "response body /push: the pact expects a string (type matcher), "
        "the spec promises a boolean",
        "/interactions/0/response/body/push",
        "/components/schemas/UserPreferences/properties/push",
    ),
    "undocumented-status": (
        "response.status.unknown",
        "response status 410: GET /users/{userId} documents only "
        "200, 400, 401, 403, 404, 429, 500, 503",
        "/interactions/0/response/status",
        "/paths/~1users~1{userId}/get/responses",
    ),
    "missing-request-field": (
        "request.body.required",
        "request body /push: the spec requires this field, the pact does not send it",
        "/interactions/0/request/body/content",
        "/components/schemas/PreferencesUpdate",
    ),
    "wrong-request-content-type": (
        "request.content-type.mismatch",
        "request Content-Type: the pact sends text/plain, "
        "PUT /users/{userId}/preferences accepts application/json",
        "/interactions/0/request/headers/Content-Type",
        "/paths/~1users~1{userId}~1preferences/put/requestBody/content",
    ),
    "wrong-response-content-type": (
        "response.content-type.mismatch",
        "response Content-Type: the pact expects application/json, "
        "the spec's 404 response is application/problem+json",
        "/interactions/0/response/headers/Content-Type",
        "/components/responses/NotFound/content",
    ),
    "unknown-path": (
        "request.path.unknown",
        "request: GET /v1/users/u-1001/settings: no path of the spec matches",
        "/interactions/0/request/path",
        "/paths",
    ),
    "missing-base-path": (
        "request.path.unknown",
        "request: GET /users/u-1001: no path of the spec matches "
        "(the spec serves it under /v1: is the base path missing?)",
        "/interactions/0/request/path",
        "/paths",
    ),
    "wrong-method": (
        "request.method.unknown",
        "request: DELETE /v1/users/u-1001: the spec documents /users/{userId} only for GET",
        "/interactions/0/request/method",
        "/paths/~1users~1{userId}",
    ),
    "regex-vs-pattern": (
        "response.body.pattern",
        "response body /id: the pact's example 'user-42' (regex matcher ^user-\\d+$) "
        "does not match the spec's pattern ^u-[0-9a-z]{1,32}$",
        "/interactions/0/response/body/content/id",
        "/components/schemas/UserIdValue",
    ),
    "array-vs-object": (
        "response.body.type",
        "response body /items: the pact expects an object, the spec promises an array",
        "/interactions/0/response/body/content/items",
        "/components/schemas/TemplatePage/properties/items",
    ),
    "missing-required-query": (
        "request.query.required",
        "request query parameter q: the spec requires it, the pact does not send it",
        "/interactions/0/request/query",
        "/paths/~1items/get/parameters/0",
    ),
    "undocumented-query": (
        "request.query.undocumented",
        "request query parameter sort: the pact sends it, "
        "the spec does not document it for GET /templates",
        "/interactions/0/request/query/sort",
        "/paths/~1templates/get",
    ),
    "missing-authorization": (
        "request.security.missing",
        "request: GET /users/{userId}/preferences requires bearerAuth "
        "(an 'Authorization: Bearer …' header); the pact sends no credential",
        "/interactions/0/request/headers",
        "/security",
    ),
    "enum-not-allowed": (
        "response.body.enum",
        "response body /channel: the pact expects 'fax', "
        "the spec allows only 'email', 'push', 'sms'",
        "/interactions/0/response/body/content/channel",
        "/components/schemas/Channel",
    ),
    "integer-matcher-on-string": (
        "response.body.matcher",
        "response body /name: the pact's integer matcher expects an integer, "
        "the spec promises a string",
        "/interactions/0/response/body/content/name",
        "/components/schemas/Template/properties/name",
    ),
    "decimal-matcher-on-integer": (
        "response.body.matcher",
        "response body /total: the pact's decimal matcher expects a decimal number, "
        "the spec promises an integer",
        "/interactions/0/response/body/content/total",
        "/components/schemas/TemplatePage/properties/total",
    ),
    "body-on-get": (
        "request.body.unexpected",
        "request body: the pact sends one, GET /users/{userId}/preferences takes none",
        "/interactions/0/request/body",
        "/paths/~1users~1{userId}~1preferences/get",
    ),
    "missing-request-body": (
        "request.body.missing",
        "request body: PUT /users/{userId}/preferences requires one, the pact sends none",
        "/interactions/0/request",
        "/paths/~1users~1{userId}~1preferences/put/requestBody",
    ),
    "accept-mismatch": (
        "request.accept.mismatch",
        "request header Accept: the pact accepts application/xml, "
        "GET /users/{userId} produces application/json, application/problem+json",
        "/interactions/0/request/headers/Accept",
        "/paths/~1users~1{userId}/get/responses",
    ),
    "regex-rejects-example": (
        "matcher.regex",
        "request header Authorization: the pact's regex matcher ^Bearer [a-z]+$ "
        "does not accept its own example 'Bearer TOKEN-1'",
        "/interactions/0/request/headers/Authorization",
        None,
    ),
    "bad-path-parameter": (
        "request.path.value",
        "request path parameter userId: 'U_1' does not match the spec's pattern ^u-[0-9a-z]{1,32}$",
        "/interactions/0/request/path",
        "/components/parameters/UserId/schema",
    ),
    "path-parameter-type": (
        "request.path.value",
        "request path parameter itemId: the pact sends a string, the spec expects an integer",
        "/interactions/0/request/path",
        "/paths/~1items~1{itemId}/parameters/0/schema",
    ),
    "undocumented-response-header": (
        "response.header.undocumented",
        "response header X-Trace-Id: the pact expects it, "
        "the spec does not document it for status 200",
        "/interactions/0/response/headers/X-Trace-Id",
        "/paths/~1users~1{userId}/get/responses/200",
    ),
    "body-on-204": (
        "response.body.unexpected",
        "response body: the pact expects one, the spec's 204 response has no content",
        "/interactions/0/response/body",
        "/paths/~1items~1{itemId}/delete/responses/204",
    ),
    "query-below-minimum": (
        "request.query.value",
        "request query parameter page: 0 is below the spec's minimum of 1",
        "/interactions/0/request/query/page",
        "/paths/~1templates/get/parameters/0/schema",
    ),
    "array-query-item": (
        "request.query.value",
        "request query parameter tags /1: the pact sends 'purple', "
        "the spec allows only 'red', 'green', 'blue'",
        "/interactions/0/request/query/tags",
        "/paths/~1items/get/parameters/1/schema/items",
    ),
    "deep-object-query": (
        "request.query.value",
        "request query parameter filter /size: 99 is above the spec's maximum of 50",
        "/interactions/0/request/query/filter[size]",
        "/paths/~1items/get/parameters/3/schema/properties/size",
    ),
    "request-extra-field": (
        "request.body.undocumented",
        "request body /sms: the pact sends field sms, "
        "the spec does not allow it (additionalProperties: false)",
        "/interactions/0/request/body/content/sms",
        "/components/schemas/PreferencesUpdate",
    ),
    "form-missing-field": (
        "request.body.required",
        "request body /name: the spec requires this field, the pact does not send it",
        "/interactions/0/request/body/content",
        "/paths/~1items/post/requestBody/content/application~1x-www-form-urlencoded/schema",
    ),
}


def check_file(path: Path) -> ServiceResult:
    provider = json.loads(path.read_text(encoding="utf-8"))["provider"]["name"]
    return check_service(adhoc_project(SPECS[provider], [path]).services[0])


def findings(result: ServiceResult) -> list[Finding]:
    return [f for pact in result.pacts for i in pact.interactions for f in i.findings]


def test_the_corpus_has_a_case_for_every_incompatible_pact() -> None:
    files = {p.stem for p in (CORPUS / "incompatible").glob("*.json")}
    assert files == set(INCOMPATIBLE)
    assert len(files) >= 15


@pytest.mark.parametrize("name", sorted(INCOMPATIBLE))
def test_an_incompatible_pact_fails_with_the_precise_reason(name: str) -> None:
    code, message, pact_pointer, spec_pointer = INCOMPATIBLE[name]
    result = check_file(CORPUS / "incompatible" / f"{name}.json")
    assert not result.passed
    (finding,) = findings(result)
    assert (finding.code, finding.severity, finding.message) == (code, "error", message)
    assert finding.pact.pointer == pact_pointer
    assert finding.pact.source.endswith(f"{name}.json")
    assert finding.pact.line is not None
    if spec_pointer is None:
        assert finding.spec is None
    else:
        assert finding.spec is not None
        assert finding.spec.pointer == spec_pointer
        assert finding.spec.line is not None
    assert code in RULES
    (interaction,) = result.pacts[0].interactions
    assert interaction.verdict == "failed"


def _line_of(path: Path, needle: str, after: str = "") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start) if needle in line) + 1


def test_a_failure_points_at_the_line_of_the_pact_and_of_the_spec() -> None:
    pact = CORPUS / "incompatible" / "wrong-type.json"
    (finding,) = findings(check_file(pact))
    assert finding.pact.line == _line_of(pact, '"push": "yes"')
    spec = SPECS["user-service"]
    assert finding.spec is not None
    assert finding.spec.source == str(spec)
    # A YAML value node starts under its key: the line after "push:".
    assert finding.spec.line == _line_of(spec, "push:", after="    UserPreferences:") + 1
    pointer = "/interactions/0/response/body/content/push"
    assert str(finding.pact) == f"{pact}:{finding.pact.line}:{finding.pact.column} {pointer}"


def test_the_same_defect_reads_the_same_in_v2_v3_and_v4_pacts() -> None:
    messages = {
        name: [
            (f.code, f.message)
            for f in findings(check_file(CORPUS / "incompatible" / f"{name}.json"))
        ]
        for name in ("wrong-type", "v2-wrong-type", "v3-wrong-type")
    }
    assert messages["wrong-type"] == messages["v2-wrong-type"] == messages["v3-wrong-type"]


def test_a_matcher_kind_clash_is_reported_once_not_also_as_a_type_error() -> None:
    result = check_file(CORPUS / "incompatible" / "integer-matcher-on-string.json")
    assert [f.code for f in findings(result)] == ["response.body.matcher"]


@pytest.mark.parametrize(
    "name", ["user-service", "template-service", "inventory", "user-service-v2"]
)
def test_a_compatible_pact_passes(name: str) -> None:
    result = check_file(CORPUS / "compatible" / f"{name}.json")
    errors = [f for f in findings(result) if f.severity == "error"]
    assert errors == []
    assert result.passed
    assert all(i.verdict != "failed" for p in result.pacts for i in p.interactions)


def test_a_status_only_the_default_response_covers_passes_with_a_warning() -> None:
    result = check_file(CORPUS / "compatible" / "inventory.json")
    interactions = result.pacts[0].interactions
    by_status = {i.status: i for i in interactions}
    assert by_status[409].findings == []  # the 4XX range covers it, no remark
    (warning,) = by_status[503].findings
    assert warning.code == "response.status.default"
    assert warning.severity == "warning"
    assert warning.message == (
        "response status 503: not documented by itself, "
        "only the spec's 'default' response covers it"
    )
    assert warning.spec is not None
    assert warning.spec.pointer == "/paths/~1items/get/responses/default"
    assert by_status[503].verdict == "passed"


def test_a_required_response_header_the_pact_leaves_out_is_a_warning() -> None:
    # The provider promises Retry-After on every 429; a consumer that does not read it
    # relies on nothing the provider lacks (PactFlow's comparator passes it too).
    result = check_file(CORPUS / "compatible" / "missing-retry-after.json")
    assert result.passed
    (finding,) = findings(result)
    assert (finding.code, finding.severity) == ("response.header.missing", "warning")
    assert finding.message == (
        "response header Retry-After: the spec requires it on the 429 response, "
        "the pact's response lacks it"
    )
    assert finding.pact.pointer == "/interactions/0/response/headers"
    assert finding.spec is not None
    assert finding.spec.pointer == "/components/headers/RetryAfter"


def test_request_findings_of_a_4xx_interaction_are_warnings() -> None:
    result = check_file(CORPUS / "compatible" / "user-service.json")
    unauthorized = next(i for i in result.pacts[0].interactions if i.status == 401)
    (warning,) = unauthorized.findings
    assert warning.code == "request.security.missing"
    assert warning.severity == "warning"
    assert warning.message.endswith("(a warning: the pact expects a 4XX response)")
    assert unauthorized.verdict == "passed"


def test_message_and_plugin_interactions_are_not_applicable_never_passed() -> None:
    result = check_file(CORPUS / "compatible" / "user-service.json")
    message, plugin = result.pacts[0].interactions[-2:]
    assert (message.verdict, plugin.verdict) == ("not applicable", "not applicable")
    assert message.not_applicable is not None
    assert "Asynchronous/Messages" in message.not_applicable
    assert plugin.not_applicable is not None
    assert "plugin interaction" in plugin.not_applicable
    assert (message.findings, plugin.findings) == ([], [])
    counts = result.counts()
    assert counts["not_applicable"] == 2
    assert counts["passed"] == len(result.pacts[0].interactions) - 2
    assert (message.operation, plugin.operation) == (None, None)  # not routed, not counted


def test_the_reverse_view_names_what_each_consumer_relies_on() -> None:
    result = check_file(CORPUS / "compatible" / "user-service.json")
    by_op = {op.operation: op for op in result.operations}
    (use,) = by_op["GET /users/{userId}"].consumers
    assert use.consumer == "orchestrator"
    assert use.statuses == (200, 401, 404, 429)
    assert use.interactions == (0, 3, 4, 5)
    assert {"/id", "/username", "/title", "/status", "/type"} == set(use.response_fields)
    (prefs,) = by_op["GET /users/{userId}/preferences"].consumers
    assert "/quiet_hours/start" in prefs.response_fields
    assert [op.operation for op in result.unused] == []
    templates = check_file(CORPUS / "compatible" / "template-service.json")
    (listing,) = {op.operation: op for op in templates.operations}["GET /templates"].consumers
    assert "/items/*/code" in listing.response_fields
    assert [op.operation for op in templates.unused] == ["GET /health"]


def test_the_example_system_is_compatible() -> None:
    config = load_config(ROOT / "contractgate.toml")
    result = check_project(load_project(config))
    assert [s.service for s in result.services] == ["user-service", "template-service"]
    problems = [
        f"{f.code} {f.message}"
        for s in result.services
        for p in s.pacts
        for i in p.interactions
        for f in i.errors
    ]
    assert problems == []
    assert result.passed
    for service in result.services:
        assert service.pacts, f"no pact names {service.service}"
        assert sum(len(p.interactions) for p in service.pacts) > 0
        used = {op.operation for op in service.operations if op.consumers}
        assert used, f"the orchestrator uses nothing of {service.service}"


def test_the_example_system_fails_when_a_field_it_reads_is_renamed(tmp_path: Path) -> None:
    contract = ROOT / "contracts" / "orchestrator-user-service.json"
    spec_text = SPECS["user-service"].read_text(encoding="utf-8")
    renamed = tmp_path / "user-service.yaml"
    renamed.write_text(spec_text.replace("        push:\n", "        push_enabled:\n"), "utf-8")
    result = check_service(adhoc_project(renamed, [contract]).services[0])
    assert not result.passed
    errors = [f for f in findings(result) if f.severity == "error"]
    assert {f.code for f in errors} == {"response.body.undocumented", "request.body.undocumented"}
    assert all(f.message.split(":")[0].endswith(" /push") for f in errors)
    assert "response body /push: the pact expects field push, the spec does not document it" in {
        f.message for f in errors
    }
