"""``lint`` and ``check`` on a large real spec: GitHub's REST API (OpenAPI 3.0, 13 MB).

The spec comes with the project's set-up (``@octokit/openapi``, pinned in
``package-lock.json``): 1,200+ operations, circular ``$ref``s, ``nullable``,
``readOnly``, ``additionalProperties``, formats and ``oneOf``/``anyOf``/``allOf``.

The pact is built here from the spec's own examples: one interaction per operation
listed in ``OPERATIONS``, its path filled from the parameters' examples (or a value of
their type), its request and response bodies the documented examples. Those 50
operations are spread over the spec (every 15th of the 748 whose examples both
contractgate and PactFlow's comparator accept; of the 921 operations with a JSON
example, the two agree on 887, and the examples of 139 break GitHub's own schemas).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from contractgate._openapi import Operation, Spec, load_spec
from contractgate._project import adhoc_project
from contractgate.check import InteractionResult, check_project
from contractgate.lint import lint_paths

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json"

OPERATIONS = [
    "meta/root", "apps/list-installations", "code-security/get-configurations-for-enterprise",
    "enterprise-team-organizations/bulk-add", "gists/update-comment",
    "activity/list-notifications-for-authenticated-user", "orgs/get",
    "actions/get-private-repo-fork-pr-workflows-settings-organization",
    "actions/list-labels-for-self-hosted-runner-for-org", "agents/get-org-secret",
    "campaigns/get-campaign-summary", "copilot/list-copilot-seats",
    "packages/list-docker-migration-conflicting-packages-for-organization",
    "api-insights/get-summary-stats-by-actor", "orgs/update-issue-field",
    "orgs/convert-member-to-outside-collaborator", "projects/get-for-org",
    "secret-scanning/update-org-custom-pattern", "teams/update-in-org",
    "actions/delete-actions-cache-by-key",
    "actions/get-github-actions-default-workflow-permissions-repository",
    "actions/approve-workflow-run", "actions/get-repo-secret", "issues/list-assignees",
    "repos/update-status-check-protection", "repos/set-user-access-restrictions",
    "code-scanning/get-alert", "code-scanning/upload-sarif", "repos/get-commit-comment",
    "repos/get-content", "repos/create-deployment", "actions/list-environment-secrets",
    "git/create-tree", "migrations/update-import", "issues/list-comments-for-repo",
    "issues/remove-dependency-blocked-by", "repos/list-deploy-keys",
    "issues/list-labels-for-milestone", "reactions/list-for-pull-request-review-comment",
    "pulls/get-review", "repos/get-release-by-tag", "secret-scanning/update-alert",
    "pull-request-stacks/unstack", "repos/replace-all-topics",
    "teams/list-pending-invitations-legacy", "codespaces/export-for-authenticated-user",
    "users/list-public-ssh-keys-for-authenticated-user",
    "users/list-social-accounts-for-authenticated-user", "users/list-following-for-user",
    "activity/list-received-events-for-user",
]  # fmt: skip


@pytest.fixture(scope="module")
def github() -> Spec:
    return load_spec(GITHUB)


def _value(spec: Spec, operation: Operation, name: str, location: str) -> str:
    (param,) = [p for p in operation.parameters_in(location) if p.name == name]
    if isinstance(param.example, str | int) and not isinstance(param.example, bool):
        return str(param.example)
    assert param.schema is not None
    node, _, _ = spec.resolve(param.schema.node, param.schema.pointer, param.schema.source)
    if "enum" in node:
        return str(node["enum"][0])
    return "42" if node.get("type") == "integer" else "octocat"


def _envelope(content: Any) -> dict[str, Any]:
    return {"content": content, "contentType": "application/json", "encoded": False}


def interaction(spec: Spec, operation: Operation) -> dict[str, Any]:
    """A V4 interaction of ``operation`` made of the spec's own examples."""
    path = operation.path
    for param in operation.parameters_in("path"):
        path = path.replace("{" + param.name + "}", _value(spec, operation, param.name, "path"))
    request: dict[str, Any] = {
        "method": operation.method,
        "path": path,
        "headers": {"Accept": ["application/vnd.github+json"]},
    }
    query = {
        p.name: [_value(spec, operation, p.name, "query")]
        for p in operation.parameters_in("query")
        if p.required
    }
    if query:
        request["query"] = query
    body = operation.request_body
    if body is not None and body.required:
        request["headers"]["Content-Type"] = ["application/json"]
        request["body"] = _envelope(body.content["application/json"].examples[0])
    status = min(s for s in operation.responses if s.isdigit() and s.startswith("2"))
    example = operation.responses[status].content["application/json"].examples[0]
    return {
        "type": "Synchronous/HTTP",
        "description": f"{operation.key} ({operation.operation_id})",
        "request": request,
        "response": {
            "status": int(status),
            "headers": {"Content-Type": ["application/json; charset=utf-8"]},
            "body": _envelope(example),
        },
    }


def write_pact(tmp_path: Path, interactions: list[dict[str, Any]]) -> Path:
    path = tmp_path / "github-client.json"
    pact = {
        "consumer": {"name": "github-client"},
        "provider": {"name": "github"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    path.write_text(json.dumps(pact), encoding="utf-8")
    return path


def built(github: Spec) -> dict[str, dict[str, Any]]:
    by_id = {op.operation_id: op for op in github.operations}
    return {op_id: interaction(github, by_id[op_id]) for op_id in OPERATIONS}


def checked(tmp_path: Path, interactions: list[dict[str, Any]]) -> list[InteractionResult]:
    result = check_project(adhoc_project(GITHUB, [write_pact(tmp_path, interactions)]))
    return result.services[0].pacts[0].interactions


def test_the_spec_is_the_large_one_it_is_meant_to_be(github: Spec) -> None:
    assert GITHUB.stat().st_size > 10_000_000
    assert github.version == "3.0"
    assert len(github.operations) > 1000
    assert github.base_paths == [""]


def test_lint_gives_a_clean_answer_in_bounded_time() -> None:
    start = time.perf_counter()
    report = lint_paths([GITHUB])
    elapsed = time.perf_counter() - start
    assert report.ok
    assert list(report.problems()) == []
    assert report.summary() == "1 file, no problems"
    assert elapsed < 90, f"lint took {elapsed:.0f} s"


def test_fifty_interactions_made_of_the_specs_examples_pass(github: Spec, tmp_path: Path) -> None:
    interactions = list(built(github).values())
    assert len(interactions) == 50
    assert sum(1 for i in interactions if "body" in i["request"]) >= 10
    results = checked(tmp_path, interactions)
    assert [(r.verdict, r.errors) for r in results] == [("passed", [])] * 50
    assert {r.operation for r in results} == {
        f"{i['request']['method']} {i['description'].split(' ')[1]}" for i in interactions
    }


def _break(interactions: dict[str, dict[str, Any]], op_id: str) -> dict[str, Any]:
    return json.loads(json.dumps(interactions[op_id]))  # a deep copy to break


def test_broken_interactions_fail_precisely(github: Spec, tmp_path: Path) -> None:
    good = built(github)
    renamed = _break(good, "orgs/get")
    content = renamed["response"]["body"]["content"]
    content["login_name"] = content.pop("login")
    retyped = _break(good, "repos/get-release-by-tag")
    retyped["response"]["body"]["content"]["id"] = "one"
    misspelt = _break(good, "issues/list-assignees")
    misspelt["request"]["path"] = misspelt["request"]["path"].replace("assignees", "assignee")
    wrong_method = _break(good, "meta/root")
    wrong_method["request"]["method"] = "POST"
    no_body_field = _break(good, "gists/update-comment")
    no_body_field["request"]["body"]["content"].pop("body")
    unknown_status = _break(good, "pulls/get-review")
    unknown_status["response"]["status"] = 418
    bad_query = _break(good, "activity/list-notifications-for-authenticated-user")
    bad_query["request"]["query"] = {"per_page": ["many"]}
    broken = [renamed, retyped, misspelt, wrong_method, no_body_field, unknown_status, bad_query]
    results = checked(tmp_path, broken)
    found = [[(f.code, f.pact.pointer) for f in r.findings] for r in results]
    assert found == [
        [("response.body.undocumented", "/interactions/0/response/body/content/login_name")],
        [("response.body.type", "/interactions/1/response/body/content/id")],
        [("request.path.unknown", "/interactions/2/request/path")],
        [("request.method.unknown", "/interactions/3/request/method")],
        [("request.body.required", "/interactions/4/request/body/content")],
        [("response.status.unknown", "/interactions/5/response/status")],
        [("request.query.value", "/interactions/6/request/query/per_page")],
    ]
    renamed_finding = results[0].findings[0]
    assert renamed_finding.message == (
        "response body /login_name: the pact expects field login_name, "
        "the spec does not document it (did you mean 'login'?)"
    )
    assert renamed_finding.spec is not None
    assert renamed_finding.spec.pointer == "/components/schemas/organization-full"
    assert renamed_finding.spec.line is not None
    assert results[6].findings[0].message == (
        "request query parameter per_page: the pact sends a string, the spec expects an integer"
    )
