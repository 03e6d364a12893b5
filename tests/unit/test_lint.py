"""The lint library and command beyond the corpus: the example system, legal recursion,
places through ``$ref``, configurations and the files they name, the JSON report."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from contractgate import InputError
from contractgate._documents import Document, load_document
from contractgate.lint import FileReport, LintReport, Problem, detect, lint_config, lint_paths
from contractgate.lint import _lint as lint_module
from contractgate.lint import _openapi as openapi_lint

if TYPE_CHECKING:
    from conftest import CliRun, ConsoleRun

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "lint_corpus"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def only(report: LintReport) -> Problem:
    problems = list(report.problems())
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


SPEC_HEAD = """\
openapi: 3.1.0
info: {title: t, version: "1"}
"""


def spec(body: str) -> str:
    """A spec's text: the head, then ``body`` (dedented)."""
    return SPEC_HEAD + textwrap.dedent(body)


@pytest.fixture
def lint_one_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Problem]:
    """Lint ``spec(body)`` as ``spec.yaml`` in ``tmp_path`` (the working folder): its one problem.

    Files it refers to are written to ``tmp_path`` by the test.
    """
    monkeypatch.chdir(tmp_path)

    def lint(body: str) -> Problem:
        write(tmp_path, "spec.yaml", spec(body))
        return only(lint_paths(["spec.yaml"]))

    return lint


# -- the example system ----------------------------------------------------------------


def test_example_system_lints_clean(run_console_script: ConsoleRun) -> None:
    """`contractgate lint` in the repository: the config, specs, pacts and scenario files."""
    done = run_console_script(["lint", "--json"], cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    kinds = {f["source"]: f["kind"] for f in report["files"]}
    assert kinds["contractgate.toml"] == "config"
    assert kinds["openapi/user-service.yaml"] == "openapi"
    assert kinds["openapi/template-service.yaml"] == "openapi"
    for pact in sorted((ROOT / "contracts").glob("*.json")):
        assert kinds[str(pact.relative_to(ROOT))] == "pact"
    for scenarios in sorted((ROOT / "stubs").glob("*.yaml")):
        assert kinds[str(scenarios.relative_to(ROOT))] == "scenarios"
    assert report["summary"] == {"files": len(kinds), "errors": 0, "warnings": 0}


def test_console_script_on_broken_input(tmp_path: Path, run_console_script: ConsoleRun) -> None:
    """The real process: exit code 2, one line per file, names as given, no traceback."""
    (tmp_path / "spéc ✓.yaml").write_text("openapi: 3.1.0\npaths: {}\n", encoding="utf-8")
    (tmp_path / "garbage.json").write_bytes(bytes(range(256)))
    done = run_console_script(
        ["lint", "spéc ✓.yaml", "garbage.json", "nowhere.yaml", "."], cwd=tmp_path
    )
    assert done.returncode == 2
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        "spéc ✓.yaml:1:1: error: required field 'info' is missing "
        "(add info: {title: ..., version: ...})",
        "garbage.json: error: is binary data, not YAML or JSON text (check the path)",
        "nowhere.yaml: error: no such file (check the path)",
        ".: error: is a directory, not a file (name a file in it)",
        "4 files, 4 errors",
    ]


def test_example_files_as_arguments(monkeypatch: pytest.MonkeyPatch, run_cli: CliRun) -> None:
    monkeypatch.chdir(ROOT)
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "openapi").glob("*.yaml"))
    files += sorted(str(p.relative_to(ROOT)) for p in (ROOT / "contracts").glob("*.json"))

    code, out, _ = run_cli(["lint", *files])

    assert code == 0
    assert out == f"{len(files)} files, no problems\n"


# -- OpenAPI: references ---------------------------------------------------------------


def test_recursive_schema_is_legal() -> None:
    """A tree whose children refer to the node, in the spec and in a second file."""
    report = lint_paths([CORPUS / "valid" / "recursive-tree.yaml"])
    assert report.ok
    assert list(report.problems()) == []
    assert [f.kind for f in report.files] == ["openapi"]


def test_ref_cycle_across_files_names_both(
    tmp_path: Path, lint_one_spec: Callable[[str], Problem]
) -> None:
    write(tmp_path, "parts.yaml", 'Remote:\n  $ref: "spec.yaml#/components/schemas/Local"\n')

    problem = lint_one_spec(
        """\
        paths: {}
        components:
          schemas:
            Local:
              $ref: "parts.yaml#/Remote"
        """
    )

    assert problem.message == (
        "$ref cycle: #/components/schemas/Local -> parts.yaml#/Remote -> #/components/schemas/Local"
    )
    assert (problem.source, problem.place) == ("spec.yaml", "7:7")


def test_every_bad_reference_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        "spec.yaml",
        spec(
            """\
        paths: {}
        components:
          schemas:
            A: {$ref: "#/components/schemas/Nope"}
            B: {$ref: "missing.yaml#/B"}
            C: {$ref: "https://example.com/c.yaml#/C"}
            D: {$ref: "#/components/schemas/A"}
        """
        ),
    )

    report = lint_paths(["spec.yaml"])

    nope, missing, url = report.problems()
    assert (nope.place, missing.place, url.place) == ("6:8", "7:8", "8:8")
    assert nope.message.startswith("$ref '#/components/schemas/Nope' does not resolve")
    assert missing.message.startswith("$ref 'missing.yaml#/B' names a file that does not exist")
    assert url.message == "$ref 'https://example.com/c.yaml#/C' points at a URL"


# -- OpenAPI: places through references ------------------------------------------------


def test_problem_in_a_referenced_component_is_placed_there(
    lint_one_spec: Callable[[str], Problem],
) -> None:
    """openapi-spec-validator walks through $ref; the place is the component's own line."""
    problem = lint_one_spec(
        """\
        paths:
          /a:
            get:
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Counter"}
        components:
          schemas:
            Counter:
              type: object
              properties:
                count:
                  type: integer
                  default: many
        """
    )

    assert problem.message == "'default' must be a whole number, found a string ('many')"
    assert (problem.place, problem.pointer) == (
        "19:20",
        "/components/schemas/Counter/properties/count/default",
    )


def test_problem_in_another_file_names_that_file(
    tmp_path: Path, lint_one_spec: Callable[[str], Problem]
) -> None:
    write(
        tmp_path,
        "schemas/user.yaml",
        "User:\n  type: object\n  properties:\n    id: {type: strng}\n",
    )

    problem = lint_one_spec(
        """\
        paths:
          /a:
            get:
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: "schemas/user.yaml#/User"}
        """
    )

    assert (problem.source, problem.place) == ("schemas/user.yaml", "4:16")
    assert "'strng'" in problem.message


@pytest.mark.parametrize(
    ("body", "message", "place"),
    [
        (
            """\
            paths:
              /a:
                get:
                  parameters:
                    - {name: id, in: path, required: true, schema: {type: string}}
                  responses: {"200": {description: ok}}
            """,
            "GET /a declares path parameter 'id' but the path has no {id}",
            "6:7",
        ),
        (
            """\
            paths:
              /a:
                get:
                  parameters:
                    - {name: q, in: query, schema: {type: string}}
                    - {name: q, in: query, schema: {type: integer}}
                  responses: {"200": {description: ok}}
            """,
            "parameter 'q' is declared twice",
            "7:9",
        ),
        (
            """\
            tags: [{name: users}, {name: users}]
            paths: {}
            """,
            "tag 'users' is listed twice",
            "3:7",
        ),
        (
            """\
            paths: {}
            components:
              schemas:
                User:
                  type: object
                  allOf: [{type: object}]
                  required: [id]
            """,
            "'required' names properties the schema does not define: id",
            "9:17",
        ),
        (
            """\
            paths:
              /a:
                get:
                  responses:
                    "200": {content: {}}
            """,
            "'200': required field 'description' is missing",
            "7:16",
        ),
        (
            """\
            paths:
              /a:
                get:
                  parameters:
                    - {name: q, in: query}
                  responses: {"200": {description: ok}}
            """,
            "'parameters[0]' needs 'schema' or 'content'",
            "7:11",
        ),
        (
            """\
            paths: {}
            servers: /v1
            """,
            "'servers' must be a list, found a string ('/v1')",
            "4:10",
        ),
        (
            """\
            paths:
              users: {}
            """,
            "path 'users' must start with '/'",
            "4:3",
        ),
    ],
    ids=[
        "path-parameter-not-in-path",
        "duplicate-parameter",
        "duplicate-tag",
        "required-undefined",
        "response-without-description",
        "parameter-without-schema",
        "wrong-type",
        "path-without-slash",
    ],
)
def test_openapi_messages(
    lint_one_spec: Callable[[str], Problem], body: str, message: str, place: str
) -> None:
    problem = lint_one_spec(body)

    assert (problem.message, problem.place) == (message, place)
    assert "\n" not in problem.message


def test_schemas_too_deep_for_the_validator_are_a_problem_not_a_crash(tmp_path: Path) -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(100):
        schema = {"type": "object", "properties": {"a": schema}}
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Deep": schema}},
    }
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(spec), encoding="utf-8")

    problem = only(lint_paths([path]))

    assert problem.message == "schemas nest too deeply for openapi-spec-validator to check them"


def test_extensions_under_paths_are_not_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "spec.yaml",
        spec(
            """\
            paths:
              x-owner: {team: users}
              /a:
                get:
                  responses: {"200": {description: ok}}
            """
        ),
    )
    assert lint_paths([path]).ok


def test_where_openapi_spec_validator_stops_is_reported(
    lint_one_spec: Callable[[str], Problem],
) -> None:
    """A parameter that refers to something else than a parameter: the validator's KeyError."""
    problem = lint_one_spec(
        """\
        paths:
          /a:
            parameters:
              - $ref: "#/info"
            get:
              responses: {"200": {description: ok}}
        """
    )

    assert problem.message == "openapi-spec-validator expected a field 'name' here"
    assert (problem.place, problem.pointer) == ("6:7", "/paths/~1a/parameters")


def test_an_unexpected_validator_failure_is_a_placed_problem(
    monkeypatch: pytest.MonkeyPatch, lint_one_spec: Callable[[str], Problem]
) -> None:
    from openapi_spec_validator.validation import keywords

    def broken(self: object, *args: object, **kwargs: object) -> Any:
        raise RuntimeError("surprise")

    monkeypatch.setattr(keywords.TagsValidator, "__call__", broken)
    monkeypatch.setattr(openapi_lint, "_TRACKING", {})  # rebuilt around the broken validator

    problem = lint_one_spec("tags: [{name: a}]\npaths: {}\n")

    assert problem.message == "openapi-spec-validator cannot check this: RuntimeError: surprise"
    assert (problem.place, problem.pointer) == ("3:7", "/tags")


def test_the_models_own_refusal_is_a_problem(
    monkeypatch: pytest.MonkeyPatch, lint_one_spec: Callable[[str], Problem]
) -> None:
    def refuse(document: Document, loader: object) -> None:
        raise document.error("the model refuses this", "/paths")

    monkeypatch.setattr(openapi_lint, "Spec", refuse)

    problem = lint_one_spec("paths: {}\n")

    assert (problem.message, problem.place) == ("the model refuses this", "3:8")


def test_physical_places_of_paths_through_refs(tmp_path: Path) -> None:
    from contractgate._openapi import _RefLoader

    path = write(
        tmp_path,
        "spec.yaml",
        spec(
            """\
            paths: {}
            components:
              schemas:
                A: {$ref: "#/components/schemas/B"}
                B: {type: object, properties: {n: {type: integer}}}
                Broken: {$ref: "#/nowhere"}
            """
        ),
    )
    document = load_document(path)
    loader = _RefLoader(document)

    def physical(*parts: str | int) -> str:
        return openapi_lint._physical(document, loader, parts)[1]

    assert physical("components", "schemas", "A", "properties", "n") == (
        "/components/schemas/B/properties/n"
    )
    assert physical("components", "schemas", "A") == "/components/schemas/B"
    assert physical("components", "schemas", "A", "nope", "deeper") == "/components/schemas/B"
    assert physical("components", "schemas", "Broken", "x") == "/components/schemas/Broken"


def big_spec(operations: int = 500, depth: int = 8) -> dict[str, Any]:
    """An OpenAPI 3.0 spec of ``operations`` operations whose schemas chain ``depth`` $refs."""
    schemas: dict[str, Any] = {"Problem": {"type": "object"}}
    for level in range(depth):
        below = (
            {"$ref": f"#/components/schemas/Level{level + 1}"}
            if level + 1 < depth
            else {"type": "string"}
        )
        schemas[f"Level{level}"] = {
            "type": "object",
            "properties": {
                "child": below,
                "siblings": {
                    "type": "array",
                    "items": {"$ref": f"#/components/schemas/Level{level}"},
                },
            },
        }
    paths: dict[str, Any] = {}
    for i in range(operations // 2):
        schemas[f"Resource{i}"] = {
            "allOf": [
                {"$ref": "#/components/schemas/Level0"},
                {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            ]
        }
        body = {
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/Resource{i}"}}
            }
        }
        responses = {
            "200": {"description": "ok", **body},
            "404": {"$ref": "#/components/responses/NotFound"},
        }
        paths[f"/resources{i}/{{id}}"] = {
            "parameters": [{"$ref": "#/components/parameters/Id"}],
            "get": {"operationId": f"get{i}", "responses": responses},
            "put": {"operationId": f"put{i}", "requestBody": body, "responses": responses},
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Big", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            },
            "responses": {
                "NotFound": {
                    "description": "not found",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                    },
                }
            },
        },
    }


def test_large_spec_with_deep_refs_lints_clean(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(big_spec(), sort_keys=False), encoding="utf-8")

    report = lint_paths([path])

    assert report.ok, [str(p) for p in report.problems()]


# -- pacts -----------------------------------------------------------------------------


def test_pact_problems_and_the_first_structural_one_are_all_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    pact = json.loads((CORPUS / "pact-bad-method.json").read_text(encoding="utf-8"))
    pact["interactions"][0]["response"]["status"] = "200"
    pact["interactions"].append({"request": {"method": "GET", "path": "/x"}})
    (tmp_path / "pact.json").write_text(json.dumps(pact, indent=2), encoding="utf-8")

    report = lint_paths(["pact.json"])

    assert [p.message for p in report.problems()] == [
        "request method 'FETCH' is not an HTTP method",
        "response status '200' is not a number",
        "interaction has no description",
    ]


def test_message_pacts_and_odd_interactions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    messages = {
        "consumer": {"name": "web"},
        "provider": {"name": "events"},
        "messages": [{"description": "a user was created", "contents": {"id": 1}}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    write(tmp_path, "messages.json", json.dumps(messages))
    pact = json.loads((CORPUS / "pact-bad-method.json").read_text(encoding="utf-8"))
    pact["interactions"][0]["request"]["method"] = "GET"
    del pact["interactions"][0]["response"]["status"]
    pact["interactions"].append("not an interaction")
    write(tmp_path, "odd.json", json.dumps(pact, indent=2))

    report = lint_paths(["messages.json", "odd.json"])

    assert report.files[0].problems == []
    assert [p.message for p in report.files[1].problems] == [
        "response status None is not an HTTP status code",
        "an interaction must be an object",
    ]


# -- configurations --------------------------------------------------------------------


def _system(tmp_path: Path, config: str) -> Path:
    """A small system: a spec, two pacts (for users and for billing), a scenario file."""
    write(
        tmp_path,
        "spec.yaml",
        spec(
            """\
        paths:
          /users:
            get:
              operationId: listUsers
              responses: {"200": {description: ok}}
        """
        ),
    )
    pact = json.loads((CORPUS / "pact-bad-method.json").read_text(encoding="utf-8"))
    pact["interactions"][0]["request"]["method"] = "GET"
    pact["provider"]["name"] = "users"
    write(tmp_path, "pacts/web-users.json", json.dumps(pact, indent=2))
    pact["provider"]["name"] = "billing"
    write(tmp_path, "pacts/web-billing.json", json.dumps(pact, indent=2))
    write(
        tmp_path,
        "stubs.yaml",
        """\
        scenarios:
          slow:
            faults:
              - operation: listUsrs
                error: 503
        """,
    )
    return write(tmp_path, "contractgate.toml", config)


def test_config_checks_the_files_it_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _system(
        tmp_path,
        """\
        pacts = ["pacts/*.json"]

        [services.users]
        spec = "spec.yaml"
        scenarios = "stubs.yaml"
        headers = { Authorization = "Bearer ${LINT_TEST_TOKEN:-test-token}" }
        """,
    )
    monkeypatch.delenv("LINT_TEST_TOKEN", raising=False)

    report = lint_paths(["contractgate.toml"])

    assert [(f.source, f.kind) for f in report.files] == [
        ("contractgate.toml", "config"),
        ("spec.yaml", "openapi"),
        ("pacts/web-billing.json", "pact"),
        ("pacts/web-users.json", "pact"),
        ("stubs.yaml", "scenarios"),
    ]
    billing, stubs = [p for p in report.problems()]
    assert billing.severity == "warning"
    assert billing.message.startswith("pact is for provider 'billing' but is a shared pact")
    assert (billing.source, billing.place) == ("pacts/web-billing.json", "6:13")
    assert stubs.severity == "error"
    assert "no operation 'listUsrs'" in stubs.message
    assert stubs.hint == "did you mean 'listUsers'?"
    assert (stubs.source, stubs.place) == ("stubs.yaml", "4:9")


def test_service_pacts_must_be_for_the_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _system(
        tmp_path,
        """\
        [services.users]
        spec = "spec.yaml"
        pacts = ["pacts/web-billing.json", "pacts/gone.json"]
        """,
    )

    report = lint_paths(["contractgate.toml"])

    problems = {(p.source, p.place): p for p in report.problems()}
    gone = problems["contractgate.toml", "services.users.pacts"]
    assert gone.message == "pact file pacts/gone.json does not exist"
    wrong = problems["pacts/web-billing.json", "6:13"]
    assert "listed for service 'users'" in wrong.message
    assert not report.ok


def test_lint_config_takes_a_loaded_config(monkeypatch: pytest.MonkeyPatch) -> None:
    from contractgate._config import load_config

    monkeypatch.chdir(ROOT)
    report = lint_config(load_config(ROOT / "contractgate.toml"))

    assert report.ok
    assert report.files[0].source == "contractgate.toml"


def test_a_config_without_a_file(tmp_path: Path) -> None:
    from contractgate._config import Config, ServiceConfig

    spec_path = write(tmp_path, "spec.yaml", spec("paths: {}\n"))
    config = Config(
        path=None,
        root=tmp_path,
        services={"users": ServiceConfig("users", spec_path, scenarios=tmp_path / "none.yaml")},
    )

    report = lint_config(config)

    assert [(f.source, f.kind) for f in report.files] == [
        ("configuration", "config"),
        (str(spec_path), "openapi"),
    ]
    problem = only(report)
    assert (problem.place, problem.message) == (
        "services.users.scenarios",
        f"scenarios file {tmp_path / 'none.yaml'} does not exist",
    )


def test_config_naming_broken_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _system(
        tmp_path,
        """\
        [services.users]
        spec = "spec.yaml"
        pacts = ["broken.json"]
        scenarios = "bad-stubs.yaml"
        """,
    )
    write(tmp_path, "broken.json", '{"consumer": {"name": "web"}, "interactions": []}')
    write(tmp_path, "bad-stubs.yaml", "scenarios:\n  slow:\n    faults: 3\n")

    report = lint_paths(["contractgate.toml"])

    assert [(p.source, p.message) for p in report.problems()] == [
        ("broken.json", "no provider name"),
        ("bad-stubs.yaml", "faults must be a list"),
    ]


def test_same_file_twice_is_linted_once() -> None:
    spec = CORPUS / "openapi-missing-info.yaml"
    report = lint_paths([spec, spec])
    assert len(report.files) == 1
    assert report.summary() == "1 file, 1 error"


# -- the command -----------------------------------------------------------------------


def test_json_report(monkeypatch: pytest.MonkeyPatch, run_cli: CliRun) -> None:
    monkeypatch.chdir(CORPUS)

    code, out, _ = run_cli(
        ["lint", "--json", "openapi-unknown-field.yaml", "pact-duplicate-interaction.json"]
    )

    assert code == 2
    report = json.loads(out)
    assert report["ok"] is False
    assert report["summary"] == {"files": 2, "errors": 1, "warnings": 1}
    spec, pact = report["files"]
    assert (spec["kind"], spec["ok"], pact["kind"], pact["ok"]) == ("openapi", False, "pact", True)
    assert spec["problems"] == [
        {
            "source": "openapi-unknown-field.yaml",
            "place": "9:7",
            "pointer": "/paths/~1users/get/respones",
            "severity": "error",
            "message": "unknown field 'respones' in 'get'",
            "hint": "did you mean 'responses'?",
        }
    ]


def test_no_config_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: CliRun
) -> None:
    monkeypatch.chdir(tmp_path)
    assert not any((p / "contractgate.toml").exists() for p in (tmp_path, *tmp_path.parents))

    code, out, err = run_cli(["lint"])

    assert code == 2
    assert out == ""
    assert "no contractgate.toml here or in any parent folder" in err


def test_config_option_names_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: CliRun
) -> None:
    monkeypatch.chdir(tmp_path)
    config = CORPUS / "config" / "unknown-key.toml"

    code, out, _ = run_cli(["--config", str(config), "lint"])

    assert code == 2
    assert "unknown key 'spce'" in out


def test_a_lint_bug_is_a_problem_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, run_cli: CliRun
) -> None:
    def broken(document: object) -> tuple[list[Problem], None]:
        raise RuntimeError("boom")

    monkeypatch.setitem(lint_module._CHECKS, "openapi", broken)
    monkeypatch.chdir(CORPUS)

    code, out, err = run_cli(["lint", "openapi-missing-info.yaml"])

    assert code == 2
    assert out.splitlines()[0] == (
        "openapi-missing-info.yaml: error: lint failed on this file: RuntimeError: boom "
        "(this is a bug in contractgate; please report it with the file)"
    )
    assert "Traceback" not in out + err


# -- the report model ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("12:5 (at /paths/~1a)", ("12:5", "/paths/~1a")),
        ("3:1", ("3:1", None)),
        ("/interactions/0", (None, "/interactions/0")),
        ("/", (None, "")),
        ("services.users.spec", ("services.users.spec", None)),
        (None, (None, None)),
    ],
)
def test_problem_from_error(place: str | None, expected: tuple[str | None, str | None]) -> None:
    problem = Problem.from_error(InputError("bad", source="f.yaml", place=place, hint="fix"))
    assert (problem.place, problem.pointer) == expected
    assert (problem.source, problem.message, problem.hint) == ("f.yaml", "bad", "fix")


def test_problem_line() -> None:
    assert str(Problem("a.yaml", "bad", "1:2", hint="fix")) == "a.yaml:1:2: error: bad (fix)"
    assert str(Problem("a.yaml", "bad", severity="warning")) == "a.yaml: warning: bad"


def test_summary_counts() -> None:
    error, warning = Problem("a", "x"), Problem("a", "y", severity="warning")
    assert LintReport().summary() == "0 files, no problems"
    assert LintReport([FileReport("a", "pact", [error])]).summary() == "1 file, 1 error"
    two = LintReport([FileReport("a", "pact", [error, error, warning]), FileReport("b", "pact")])
    assert two.summary() == "2 files, 2 errors, 1 warning"
    assert not two.ok
    assert LintReport([FileReport("a", "pact", [warning])]).ok


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"openapi": "3.1.0"}, "openapi"),
        ({"swagger": "2.0"}, "openapi"),
        ({"swaggerVersion": "1.2"}, "openapi"),
        ({"consumer": {}, "interactions": []}, "pact"),
        ({"provider": {}, "messages": []}, "pact"),
        ({"scenarios": {}}, "scenarios"),
        ({"scenarios": []}, "unknown"),
        ({"consumer": {}}, "unknown"),
    ],
)
def test_detect(data: dict[str, Any], kind: str) -> None:
    assert detect(data) == kind
