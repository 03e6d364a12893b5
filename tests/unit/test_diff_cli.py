"""``contractgate diff`` on the command line: output, JSON, exit codes and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

if TYPE_CHECKING:
    from conftest import CliRun, ConsoleRun

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "diff_corpus"


def users_copy(tmp_path: Path, edit: object = None) -> Path:
    data = yaml.safe_load((ROOT / "openapi" / "user-service.yaml").read_text("utf-8"))
    if edit == "rename":
        user = data["components"]["schemas"]["User"]
        user["properties"]["user_name"] = user["properties"].pop("username")
    copy = tmp_path / "user-service.yaml"
    copy.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return copy


def test_terminal_output_of_a_corpus_case(run_console_script: ConsoleRun) -> None:
    """The whole output, as a user's terminal at 80 columns shows it (a real process)."""
    case = CORPUS / "response-field-removed"
    done = run_console_script(["diff", str(case / "old.yaml"), str(case / "new.yaml")], cwd=case)
    old, new = case / "old.yaml", case / "new.yaml"
    assert done.stderr == ""
    assert done.returncode == 0
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    assert lines == [
        f"{old} -> {new}",
        "",
        "                                        location (-old",
        " severity   rule / change               +new)                affected",
        " " + "─" * 78,
        " breaking   response.property.removed   - 86                 no consumer relies",
        "            field 'size' removed        /components/schema   on it",
        "            at GET /items 200           s/Item/properties/",
        "            $[*].size                   size",
        "            at POST /items 201 $.size   + 72",
        "            at GET /items/{id} 200      /components/schema",
        "            $.size                      s/Item",
        "",
        "no pacts: who relies on what is unknown (breaking changes fail with --strict)",
        "1 breaking (0 relied on by a consumer), 0 possibly breaking, 0 safe: passed",
    ]


def test_breaking_change_names_the_consumer_from_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: CliRun
) -> None:
    """OLD is the configured spec, so the configured pacts are used without --pact."""
    monkeypatch.chdir(ROOT)
    new = users_copy(tmp_path, "rename")

    code, out, err = run_cli(["diff", "openapi/user-service.yaml", str(new)])

    assert (code, err) == (1, "")
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[0] == f"user-service: openapi/user-service.yaml -> {new}"
    assert " breaking   response.property.renamed   - 323                orchestrator:" in lines
    assert "a request for" in out
    assert lines[-1] == (
        "1 breaking (1 relied on by a consumer), 0 possibly breaking, 0 safe: failed "
        "(breaks orchestrator)"
    )


def test_json_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: CliRun) -> None:
    monkeypatch.chdir(ROOT)
    new = users_copy(tmp_path, "rename")

    code, out, _ = run_cli(["diff", "openapi/user-service.yaml", str(new), "--json"])

    assert code == 1
    report = json.loads(out)
    assert report["passed"] is False
    assert report["counts"] == {
        "breaking": 1,
        "possibly-breaking": 0,
        "safe": 0,
        "breaking_relied_upon": 1,
    }
    (result,) = report["results"]
    assert result["service"] == "user-service"
    assert result["consumers"] == ["orchestrator"]
    (change,) = result["changes"]
    assert change["rule"] == "response.property.renamed"
    assert change["severity"] == "breaking"
    assert change["old"]["pointer"] == "/components/schemas/User/properties/username"
    assert change["old"]["source"] == "openapi/user-service.yaml"
    assert change["new"]["pointer"] == "/components/schemas/User/properties/user_name"
    assert change["where"][0]["where"] == "GET /users/{userId} 200 $.username"
    (affected,) = change["affected"]
    assert affected == {
        "consumer": "orchestrator",
        "pact": str(ROOT / "contracts" / "orchestrator-user-service.json"),
        "interaction": affected["interaction"],
        "description": "a request for user u-1001",
        "provider_states": ["user u-1001 exists"],
        "pointer": f"/interactions/{affected['interaction']}",
        "relies_on": "reads $.username",
    }


def test_strict_fails_on_a_breaking_change_nobody_relies_on(
    tmp_path: Path, run_cli: CliRun
) -> None:
    case = CORPUS / "path-removed"
    args = ["diff", str(case / "old.yaml"), str(case / "new.yaml")]
    assert run_cli(args)[0] == 0
    code, out, _ = run_cli([*args, "--strict"])
    assert code == 1
    assert out.splitlines()[-1].endswith("failed (breaking changes with --strict)")


def test_identical_specs(run_cli: CliRun) -> None:
    spec = str(ROOT / "openapi" / "template-service.yaml")
    code, out, _ = run_cli(
        [
            "diff",
            spec,
            spec,
            "--pact",
            str(ROOT / "contracts" / "orchestrator-template-service.json"),
        ],
    )
    assert code == 0
    assert out.splitlines()[1:] == [
        "no changes",
        "0 breaking (0 relied on by a consumer), 0 possibly breaking, 0 safe: passed",
    ]


def test_interactions_the_old_spec_does_not_have_are_listed(
    tmp_path: Path, run_cli: CliRun
) -> None:
    pact = json.loads((CORPUS / "parameter-made-required-already-sent" / "pact.json").read_text())
    pact["interactions"][0]["request"]["path"] = "/v1/nothing"
    (tmp_path / "pact.json").write_text(json.dumps(pact))
    case = CORPUS / "parameter-made-required-already-sent"

    code, out, _ = run_cli(
        [
            "diff",
            str(case / "old.yaml"),
            str(case / "new.yaml"),
            "--pact",
            str(tmp_path / "pact.json"),
        ],
    )

    assert code == 0
    assert (
        "web: the first ten items: GET /v1/nothing is not in the spec (see contractgate check)"
        in out.splitlines()
    )


# -- bad input: one message, exit code 2, no traceback ------------------------------------------


def spec_with(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = str(CORPUS / "path-removed" / "old.yaml")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "nope.yaml", GOOD], "error: nope.yaml: no such file (check the path)"),
        (["diff", GOOD], "error: diff: 1 spec file(s) given (give OLD and NEW spec files"),
        (["diff", GOOD, GOOD, GOOD], "error: diff: 3 spec file(s) given"),
        (["diff", "--base", "HEAD", GOOD, GOOD], "error: diff: 2 spec file(s) given"),
        (["diff"], "error: diff: 0 spec file(s) given"),
        (
            ["diff", "--base", "HEAD", "--pact", "p.json"],
            "error: --pact: --pact goes with spec files",
        ),
        (
            ["diff", GOOD, GOOD, "--service", "a", "--service", "b"],
            "error: --service: one --service at most with spec files",
        ),
        (
            ["diff", GOOD, GOOD, "--service", "users"],
            "error: no contractgate.toml here or in any parent folder",
        ),
        (
            ["diff", GOOD, GOOD, "--pact", GOOD],
            "error: " + GOOD + ":1:1 (at /consumer): no consumer name",
        ),
        (["diff", "--wat"], "No such option: --wat"),
    ],
)
def test_usage_errors(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: CliRun,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(args)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: 3.1.0\npaths: [a\n", "new.yaml:3:1: invalid YAML"),
        ("title: not a spec\n", "new.yaml:1:1 (at /): not an OpenAPI document"),
        (
            "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n"
            "          description: ok\n          content:\n            application/json:\n"
            "              schema: {$ref: '#/components/schemas/Gone'}\n",
            "$ref '#/components/schemas/Gone' does not resolve",
        ),
    ],
)
def test_bad_new_spec(tmp_path: Path, run_cli: CliRun, text: str, message: str) -> None:
    new = spec_with(tmp_path, "new.yaml", text)
    code, out, err = run_cli(["diff", GOOD, new])
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_unknown_service_in_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: CliRun
) -> None:
    monkeypatch.chdir(ROOT)
    code, _, err = run_cli(["diff", "--base", "HEAD", "--service", "user-servic"])
    assert code == 2
    assert "no service named 'user-servic' (did you mean 'user-service'?)" in err
