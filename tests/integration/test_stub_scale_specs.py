"""Stubs of specs outside the repository: every version and format, and large public specs.

``contractgate stub up --spec`` on Swagger 2.0, OpenAPI 3.0 and 3.1 specs (YAML and
JSON, with ``$ref``s to another local file); GitHub's REST API spec (13 MB, 1,223
operations, discriminators) through the CLI; a generated 500-operation spec with
deep and circular ``$ref``s served detached; and schemathesis finding every answer
conform on a deterministic subset of both large specs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contractgate._openapi import load_spec
from contractgate._project import adhoc_project
from contractgate.cli import main
from contractgate.stubs import Mountebank, StubServer, started_servers

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json"
CONTRACTGATE = Path(sys.executable).parent / "contractgate"
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "PACT_DO_NOT_TRACK": "true"}
KEY = {"X-Api-Key": "k-1"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# GitHub operations whose answer is a discriminated oneOf; the rest of the subset is
# every 30th operation in the spec's order.
DISCRIMINATED = {
    "GET /repos/{owner}/{repo}/contents/{path}",
    "GET /user",
    "GET /user/{account_id}",
    "GET /users/{username}",
}
SUBSET = 40


# -- specs in every version ------------------------------------------------------------------


def _pets(version: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pet store (main document, components document) in ``version``.

    Pets are circular through their owner; ``id`` is readOnly, ``secret`` writeOnly
    (3.x); ``tag`` nullable; the main document refers to the other file.
    """
    swagger = version == "2.0"
    local = "#/definitions/" if swagger else "#/components/schemas/"
    nullable = (
        {"type": "string", "x-nullable": True}
        if swagger
        else {"type": "string", "nullable": True}
        if version == "3.0.3"
        else {"type": ["string", "null"]}
    )
    pet = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "name": {"type": "string", "maxLength": 40},
            "tag": nullable,
            "owner": {"$ref": local + "Owner"},
            **({} if swagger else {"secret": {"type": "string", "writeOnly": True}}),
        },
    }
    owner = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "pets": {"type": "array", "items": {"$ref": local + "Pet"}},
            "boss": {"$ref": local + "Owner"},
        },
    }
    schemas = {"Pet": pet, "Owner": owner}
    components = {"definitions": schemas} if swagger else {"components": {"schemas": schemas}}
    return _main_document(version, local), components


def _main_document(version: str, local: str) -> dict[str, Any]:
    pet = {"$ref": f"COMPONENTS{local}Pet"}
    limit = {"type": "integer", "minimum": 1}
    pet_id = {"name": "petId", "in": "path", "required": True}
    if version == "2.0":
        read = {
            "parameters": [{**pet_id, "type": "integer"}],
            "responses": {
                "200": {"description": "A pet.", "schema": pet, "headers": {"X-Rate-Limit": limit}},
                "404": {"description": "No such pet."},
            },
        }
        create = {
            "parameters": [{"name": "body", "in": "body", "required": True, "schema": pet}],
            "responses": {"201": {"description": "Made.", "schema": pet}},
        }
        return {
            "swagger": "2.0",
            "info": {"title": "Pets", "version": "1"},
            "basePath": "/v2",
            "produces": ["application/json"],
            "securityDefinitions": {"key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}},
            "security": [{"key": []}],
            "paths": {"/pets/{petId}": {"get": read}, "/pets": {"post": create}},
        }
    content = {"application/json": {"schema": pet}}
    read = {
        "parameters": [{**pet_id, "schema": {"type": "integer"}}],
        "responses": {
            "200": {
                "description": "A pet.",
                "headers": {"X-Rate-Limit": {"schema": limit}},
                "content": content,
            },
            "404": {"description": "No such pet."},
        },
    }
    create = {
        "requestBody": {"required": True, "content": content},
        "responses": {"201": {"description": "Made.", "content": content}},
    }
    return {
        "openapi": version,
        "info": {"title": "Pets", "version": "1"},
        "servers": [{"url": "/v2"}],
        "components": {
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}
        },
        "security": [{"key": []}],
        "paths": {"/pets/{petId}": {"get": read}, "/pets": {"post": create}},
    }


@pytest.fixture(
    params=[(v, f) for v in ("2.0", "3.0.3", "3.1.0") for f in ("yaml", "json")],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def pets(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A pet store spec in one version and format, its schemas in a second file."""
    version, fmt = request.param
    main_doc, components = _pets(version)

    def dump(data: Any) -> str:
        return yaml.safe_dump(data, sort_keys=False) if fmt == "yaml" else json.dumps(data)

    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / f"schemas.{fmt}").write_text(dump(components), encoding="utf-8")
    text = dump(main_doc).replace("COMPONENTS", f"shared/schemas.{fmt}")
    spec = tmp_path / f"pets.{fmt}"
    spec.write_text(text, encoding="utf-8")
    return spec


def start_cli(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(CONTRACTGATE), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=cwd,
    )


def stop(child: subprocess.Popen[str]) -> str:
    """SIGTERM ``child``; its standard error once it has exited 0 and its Mountebank is gone."""
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=20) == 0
    deadline = time.monotonic() + 10
    while started_servers(child.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not started_servers(child.pid)
    assert child.stderr is not None
    return child.stderr.read()


def test_stub_up_serves_every_version(pets: Path) -> None:
    spec = load_spec(pets)
    child = start_cli("stub", "up", "--spec", str(pets), cwd=pets.parent)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        response = requests.get(f"{url}/v2/pets/7", headers=KEY, timeout=10)
        assert response.status_code == 200
        op = spec.operation("GET", "/pets/{petId}")
        assert op is not None
        schema = op.responses["200"].content["application/json"].schema
        assert schema is not None
        body = response.json()
        assert spec.validator(schema).is_valid(body), body
        assert "secret" not in body  # writeOnly (3.x)
        assert body["owner"] == {"name": "name", "pets": []}  # the circle is cut
        assert int(response.headers["X-Rate-Limit"]) >= 1
        created = requests.post(f"{url}/v2/pets", headers=KEY, json={"name": "rex"}, timeout=10)
        assert created.status_code == 201
        assert requests.get(f"{url}/v2/pets/7", timeout=10).status_code == 401
        assert requests.get(f"{url}/v2/pets/seven", headers=KEY, timeout=10).status_code == 400
        assert requests.get(f"{url}/v2/cats/7", headers=KEY, timeout=10).status_code == 404
    finally:
        stderr = stop(child)
        child.kill()
    assert "Traceback" not in stderr


def test_every_version_conforms_when_served_lazily(pets: Path, hypothesis_home: None) -> None:
    project = adhoc_project(pets)
    with Mountebank.start() as mb, StubServer(mb, project, lazy=True) as server:
        stub = server.start(project.services[0].name)
        assert stub.lazy
        schema = schemathesis.openapi.from_path(pets)
        conform(schema, f"{stub.url}/v2", headers=KEY)


@pytest.fixture
def hypothesis_home(tmp_path: Path) -> Iterator[None]:
    """Hypothesis caches even with its database off: keep that out of the working tree."""
    set_hypothesis_home_dir(tmp_path / ".hypothesis")
    yield
    set_hypothesis_home_dir(None)


def conform(
    schema: Any,
    base_url: str,
    *,
    headers: dict[str, str] | None = None,
    labels: set[str] | None = None,
    examples: int = 8,
) -> list[str]:
    """Run schemathesis's response checks on the operations (``labels``, else all)."""
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if labels is not None and operation.label not in labels:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            database=None,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def conforms(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

        conforms()
        checked.append(operation.label)
    assert checked
    return checked


# -- large specs -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def github() -> Path:
    if not GITHUB.is_file():
        pytest.fail(f"{GITHUB} is missing: run `npm ci` in the repository")
    return GITHUB


def test_github_stub_starts_in_seconds_and_answers(github: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    child = start_cli("stub", "up", "--spec", str(github), cwd=tmp_path)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        issue = requests.get(f"{url}/repos/octo/hello/issues/7", timeout=30)
        assert issue.status_code == 200
        assert time.monotonic() - started < 30  # measured in benchmarks/bench_stub_scale.py
        spec = load_spec(github)
        op = spec.operation("GET", "/repos/{owner}/{repo}/issues/{issue_number}")
        assert op is not None
        schema = op.responses["200"].content["application/json"].schema
        assert schema is not None
        assert spec.validator(schema).is_valid(issue.json())
        again = requests.get(f"{url}/repos/octo/hello/issues/8", timeout=10)
        assert again.json() == issue.json()  # the same JSON, now from Mountebank alone
        assert requests.get(f"{url}/no/such/path", timeout=10).status_code == 404
    finally:
        stderr = stop(child)
        child.kill()
    assert "github.com: 1223 operations, served lazily" in stderr


def test_github_answers_conform(github: Path, hypothesis_home: None) -> None:
    project = adhoc_project(github)
    schema = schemathesis.openapi.from_path(github)
    labels = [op.key for op in project.services[0].spec.operations]
    spread = [label for label in labels[::30] if label not in DISCRIMINATED]
    chosen = DISCRIMINATED | set(spread[: SUBSET - len(DISCRIMINATED)])
    assert len(chosen) == SUBSET
    with Mountebank.start() as mb, StubServer(mb, project) as server:
        stub = server.start(project.services[0].name)
        assert stub.lazy
        checked = conform(schema, stub.url, labels=chosen, examples=5)
    assert set(checked) == chosen


@pytest.fixture(scope="module")
def large_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """benchmarks/bench_stub_scale.py's 500-operation spec (deep and circular $refs)."""
    path = tmp_path_factory.mktemp("large") / "large.json"
    script = ROOT / "benchmarks" / "bench_stub_scale.py"
    args = [sys.executable, str(script), "--write-spec", "500", "--out", str(path)]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return path


def test_deep_and_circular_spec_conforms(large_spec: Path, hypothesis_home: None) -> None:
    project = adhoc_project(large_spec)
    schema = schemathesis.openapi.from_path(large_spec)
    resources = [0, 1, 62, 124]
    chosen = {
        f"{method} /resources{n}{suffix}"
        for n in resources
        for method, suffix in (("GET", ""), ("POST", ""), ("GET", "/{id}"), ("PUT", "/{id}"))
    }
    with Mountebank.start() as mb, StubServer(mb, project) as server:
        stub = server.start(project.services[0].name)
        assert stub.lazy
        auth = {"Authorization": "Bearer t"}
        checked = conform(schema, f"{stub.url}/api", headers=auth, labels=chosen, examples=4)
        body = requests.get(f"{stub.url}/api/resources9/r-1", headers=auth, timeout=10).json()
    assert set(checked) == chosen
    assert "token" not in body  # writeOnly
    level, depth = body["details"], 1
    while "next" in level:
        assert level["depth"] == depth
        level, depth = level["next"], depth + 1
    assert level == {"depth": 8, "leaf": "2025-01-01T00:00:00Z"}  # eight levels, all required
    assert body["thread"]["replies"] == []
    assert body["attachment"]["kind"] in ("file", "link")


def test_detached_lazy_stub_from_other_shells(
    large_spec: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # ad-hoc stubs keep their state in the working directory
    auth = {"Authorization": "Bearer t"}
    assert main(["stub", "up", "--detach", "--spec", str(large_spec), "--seed", "4"]) == 0
    out = capsys.readouterr()
    assert "large: 500 operations, served lazily" in out.err
    state = json.loads((tmp_path / ".contractgate" / "stubs.json").read_text("utf-8"))
    (record,) = state["stubs"]
    assert record["materializer"].startswith("http://127.0.0.1:")
    url = record["url"]
    try:
        paths = ["/api/resources3/r-1", "/api/resources3/r-2", "/api/resources200/r-1"]
        codes = [requests.get(url + p, headers=auth, timeout=10).status_code for p in paths]
        assert codes == [200, 200, 404]
        assert main(["stub", "requests", "large", "--json"]) == 0
        assert [r["path"] for r in json.loads(capsys.readouterr().out)] == paths
        assert main(["stub", "scenario", "large", "server-error"]) == 0
        capsys.readouterr()
        assert requests.get(url + paths[0], headers=auth, timeout=10).status_code == 500
        assert requests.get(f"{url}/api/resources7", headers=auth, timeout=10).status_code == 500
        deadline = time.monotonic() + 10
        while True:  # the supervisor polls twice a second
            assert main(["stub", "ls", "--json"]) == 0
            (listed,) = json.loads(capsys.readouterr().out)["stubs"]
            if listed["requests"] == 5 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert listed["requests"] == 5  # contractgate's own replays are not counted
        assert listed["scenario"] == "server-error"
    finally:
        assert main(["stub", "down"]) == 0
    capsys.readouterr()
    assert not started_servers(state["pid"])
