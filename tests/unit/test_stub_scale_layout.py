"""Lazy layouts (pure, no Mountebank) and plans of GitHub's 1,223-operation REST API spec."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from contractgate import InputError, _documents
from contractgate._config import load_config
from contractgate._openapi import Spec, load_spec
from contractgate._project import Project, load_project
from contractgate.stubs import (
    ImposterPlan,
    LazyPlan,
    build_imposter,
    find_scenario,
    lazy_imposter,
    plan_service,
    plan_service_lazily,
)
from contractgate.stubs._layout import PLAN_HEADER, layout, route_groups
from contractgate.stubs._scenarios import ConnectionFault, Scenario

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json"

ROUTES = """
openapi: 3.1.0
info: {title: Routes, version: "1"}
servers: [{url: /v1}]
paths:
  /users/me: {get: {responses: {"200": {description: ok}}}}
  /users/{id}:
    get: {responses: {"200": {description: ok}}}
    put: {responses: {"200": {description: ok}}}
  /users/{id}/prefs: {get: {responses: {"200": {description: ok}}}}
  /teams/{team}/users/{id}: {get: {responses: {"200": {description: ok}}}}
  /teams/red/users/{id}: {get: {responses: {"200": {description: ok}}}}
  /teams/red/admins/{id}: {get: {responses: {"200": {description: ok}}}}
  /health: {get: {responses: {"200": {description: ok}}}}
"""
SLASHED = """
  /files/{path}:
    get:
      parameters:
        - {name: path, in: path, required: true, schema: {enum: [a/b, c]}}
      responses: {"200": {description: ok}}
"""


def spec_from(tmp_path: Path, text: str) -> Spec:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_spec(path)


def grouped(groups: dict[str, int]) -> list[set[str]]:
    by_group: dict[int, set[str]] = {}
    for key, group in groups.items():
        by_group.setdefault(group, set()).add(key)
    return sorted(by_group.values(), key=sorted)


def test_route_groups_join_paths_that_can_match_one_request(tmp_path: Path) -> None:
    groups = grouped(route_groups(spec_from(tmp_path, ROUTES)))
    assert groups == [
        {"GET /health"},
        {"GET /teams/red/admins/{id}"},
        {"GET /teams/{team}/users/{id}", "GET /teams/red/users/{id}"},
        {"GET /users/me", "GET /users/{id}"},
        {"GET /users/{id}/prefs"},
        {"PUT /users/{id}"},
    ]


def test_a_parameter_that_may_hold_a_slash_joins_its_methods_group(tmp_path: Path) -> None:
    groups = grouped(route_groups(spec_from(tmp_path, ROUTES + textwrap.indent(SLASHED, ""))))
    gets = {
        "GET /files/{path}",
        "GET /health",
        "GET /teams/red/admins/{id}",
        "GET /teams/{team}/users/{id}",
        "GET /teams/red/users/{id}",
        "GET /users/me",
        "GET /users/{id}",
        "GET /users/{id}/prefs",
    }
    assert groups == [gets, {"PUT /users/{id}"}]


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(load_config(ROOT / "contractgate.toml"))


def route_matches(stub: dict[str, Any], method: str, path: str) -> bool:
    """Whether a stub's method and path predicates accept the request (as Mountebank would)."""
    for pred in stub["predicates"]:
        for kind, field in pred.items():
            if kind == "equals" and "method" in field and field["method"] != method:
                return False
            if kind == "equals" and "path" in field and field["path"] != path:
                return False
            if kind == "startsWith" and not path.startswith(field["path"]):
                return False
            if kind == "endsWith" and not path.endswith(field["path"]):
                return False
            if kind == "matches" and "path" in field and not re.search(field["path"], path):
                return False
    return True


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/users/u-1"),
        ("GET", "/v1/users/BAD!"),
        ("GET", "/v1/users/u-1/preferences"),
        ("PUT", "/v1/users/u-1/preferences"),
        ("GET", "/v1/health"),
        ("GET", "/v1/users/u-1/nope"),
        ("DELETE", "/v1/users/u-1"),
        ("GET", "/v1/users/"),
    ],
)
def test_a_request_only_ever_needs_its_own_group(project: Project, method: str, path: str) -> None:
    """Every stub of the flat plan that can answer the request is in the group found for it."""
    service = project.service("user-service")
    plan = plan_service(service)
    lazy = layout(plan_service_lazily(service), service.spec)
    group = lazy.group_for(method, path)
    candidates = {
        index
        for index, (stub, info) in enumerate(zip(plan.imposter["stubs"], plan.stubs, strict=True))
        if info.kind not in ("pact", "not-found") and route_matches(stub, method, path)
    }
    if group is None:
        assert candidates == set()
    else:
        assert candidates <= set(lazy.groups[group])
        assert candidates


def test_pacts_stay_in_front_and_groups_go_in_plan_order(project: Project) -> None:
    service = project.service("user-service")
    plan = plan_service(service)
    lazy = layout(plan_service_lazily(service), service.spec)
    kinds = [plan.stubs[i].kind for i in lazy.front]
    assert kinds == ["pact"] * 5
    assert len(lazy.groups) == 4
    # whatever order the groups come in, Mountebank ends up with the plan's order
    present = list(lazy.front)
    mirror = [plan.imposter["stubs"][i] for i in lazy.front]
    for group in reversed(sorted(lazy.groups)):
        for index, stub in lazy.insertions(present, group):
            mirror.insert(index, stub)
    without_404 = plan.imposter["stubs"][:-1]
    assert mirror == without_404
    assert present == list(range(len(without_404)))
    front = lazy.front_stubs("http://127.0.0.1:9", "7/abc/happy")
    proxy = front[-1]["responses"][0]["proxy"]
    assert proxy == {
        "to": "http://127.0.0.1:9",
        "mode": "proxyTransparent",
        "injectHeaders": {PLAN_HEADER: "7/abc/happy"},
    }
    assert lazy.not_found()["statusCode"] == 404


def test_groups_a_proxy_cannot_relay_stay_in_front(project: Project, tmp_path: Path) -> None:
    service = project.service("user-service")
    reset = plan_service_lazily(service, "connection-reset")
    assert not layout(reset, service.spec).lazy  # every answer breaks the connection
    one = Scenario("one", faults=(ConnectionFault(mode="reset", operations=("getUser",)),))
    partly = layout(plan_service_lazily(service, one), service.spec)
    held = {reset.operations[i] for i in partly.front if reset.kinds[i] != "pact"}
    assert held == {"GET /users/{userId}"}
    assert partly.lazy
    scalar = spec_from(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: Counts, version: "1"}
        paths:
          /count:
            get:
              responses:
                "200":
                  description: ok
                  content: {application/json: {schema: {type: integer}}}
          /things:
            get:
              responses:
                "200":
                  description: ok
                  content: {application/json: {schema: {type: array}}}
        """,
    )
    plan = lazy_imposter(scalar, [], find_scenario("happy"), name="counts")
    counts = layout(plan, scalar)
    assert [plan.operations[i] for i in counts.front] == ["GET /count"]
    assert list(counts.groups) == [route_groups(scalar)["GET /things"]]
    assert json.loads(plan.stub(counts.front[0])["responses"][0]["is"]["body"]) == 1


# -- GitHub's REST API spec ------------------------------------------------------------------


@pytest.fixture(scope="module")
def github() -> tuple[Spec, ImposterPlan, int]:
    if not GITHUB.is_file():
        pytest.fail(f"{GITHUB} is missing: run `npm ci` in the repository")
    loads = 0
    original = _documents.load_document

    def counting(path: str | Path) -> _documents.Document:
        nonlocal loads
        loads += 1
        return original(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("contractgate._openapi.load_document", counting)
        spec = load_spec(GITHUB)
        plan = build_imposter(spec, [], find_scenario("happy"), name="github")
    return spec, plan, loads


def test_github_spec_is_read_once_and_every_operation_gets_a_stub(
    github: tuple[Spec, ImposterPlan, int],
) -> None:
    spec, plan, loads = github
    assert loads == 1
    operations = [s.operation for s in plan.stubs if s.kind == "operation"]
    assert len(operations) == len(spec.operations) == 1223
    assert len(set(operations)) == 1223


def test_every_github_answer_validates(github: tuple[Spec, ImposterPlan, int]) -> None:
    spec, plan, _ = github
    checked = 0
    for stub, info in zip(plan.imposter["stubs"], plan.stubs, strict=True):
        if info.kind != "operation":
            continue
        assert info.operation is not None
        method, template = info.operation.split(" ", 1)
        op = spec.operation(method, template)
        assert op is not None
        (response,) = stub["responses"]
        answer = response["is"]
        documented = op.response_for(answer["statusCode"])
        assert documented is not None, info.operation
        media = answer["headers"].get("Content-Type")
        assert (media is None) == (not documented.content), info.operation
        if media is None or documented.content[media].schema is None:
            continue
        body = json.loads(answer["body"]) if "json" in media else answer["body"]
        schema = documented.content[media].schema
        assert schema is not None
        error = next(iter(spec.validator(schema).iter_errors(body)), None)
        assert error is None, (info.operation, error.message if error else None)
        checked += 1
    assert checked > 900


def test_github_layout_generates_almost_nothing_up_front(
    github: tuple[Spec, ImposterPlan, int],
) -> None:
    spec, complete, _ = github
    plan = lazy_imposter(spec, [], find_scenario("happy"), name="github")
    lazy = layout(plan, spec)
    waiting = sum(len(g) for g in lazy.groups.values())
    assert waiting + len(lazy.front) == len(plan) - 1  # all but the 404
    assert len(lazy.front) < 30  # answers that may not be JSON objects or arrays
    relayed = 0
    for index in (i for group in lazy.groups.values() for i in group):
        body = plan.stub(index)["responses"][0]["is"]["body"]  # made on demand, as predicted
        assert body == "" or isinstance(json.loads(body), dict | list)
        relayed += 1
    assert [plan.stub(i) for i in range(len(plan))] == complete.imposter["stubs"]
    assert relayed > 1000
    assert lazy.group_for("GET", "/repos/octo/hello/issues/7") is not None
    assert lazy.group_for("GET", "/no/such/path") is None


def test_a_lazy_plan_makes_only_what_is_asked_for(tmp_path: Path) -> None:
    spec = spec_from(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: Mixed, version: "1"}
        paths:
          /fine:
            get:
              responses:
                "200": {description: ok, content: {application/json: {schema: {type: object}}}}
          /broken:
            get:
              responses:
                "200":
                  description: never
                  content:
                    application/json:
                      schema: {type: object, required: [a], properties: {a: {type: string,
                               pattern: "^x{5}$", maxLength: 2}}}
        """,
    )
    plan: LazyPlan = lazy_imposter(spec, [], find_scenario("happy"), name="mixed")
    assert plan.kinds == ["operation", "operation", "not-found"]
    fine = plan.operations.index("GET /fine")
    assert plan.stub(fine)["responses"][0]["is"]["statusCode"] == 200
    with pytest.raises(InputError, match="cannot generate a value"):
        plan.stub(plan.operations.index("GET /broken"))
    with pytest.raises(InputError, match="cannot generate a value"):
        plan.complete()
