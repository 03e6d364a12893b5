"""``contractgate check`` on the command line: output, JSON, exit codes and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import CliRun, ConsoleRun

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "check_corpus"
USER_SPEC = ROOT / "openapi" / "user-service.yaml"


def test_terminal_output_of_an_incompatible_pact(run_console_script: ConsoleRun) -> None:
    """The whole output, as a user's terminal at 80 columns shows it (a real process)."""
    done = run_console_script(
        [
            "check",
            "--spec",
            "../../openapi/user-service.yaml",
            "--pact",
            "incompatible/wrong-type.json",
        ],
        cwd=CORPUS,
    )
    assert done.stderr == ""
    assert done.returncode == 1
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    assert lines == [
        "",
        "user-service  ../../openapi/user-service.yaml",
        "orchestrator -> user-service: INCOMPATIBLE (incompatible/wrong-type.json)",
        "",
        "  #   Interaction / operation            Verdict   Reason",
        " " + "─" * 78,
        "  0   a request for the preferences of   FAIL      response.body.type",
        "      u-1001 (given user u-1001                    response body /push: the",
        "      exists)                                      pact expects a string (type",
        "      GET /users/{userId}/preferences              matcher), the spec promises",
        "                                                   a boolean",
        "",
        "#0 response.body.type",
        "   pact incompatible/wrong-type.json:40:21",
        "        /interactions/0/response/body/content/push",
        "   spec ../../openapi/user-service.yaml:371:11",
        "        /components/schemas/UserPreferences/properties/push",
        "",
        "user-service: what consumers rely on",
        "",
        "  Operation                               Used by (statuses): response fields",
        " " + "─" * 78,
        "  GET /users/{userId}/preferences         orchestrator (200): /email /push",
        "                                          /user_id",
        "",
        "",
        "1 pact, 1 interaction: 0 passed, 1 failed, 0 not applicable, 0 warnings",
        "user-service: not used by any consumer: GET /health, GET /users/{userId}, PUT",
        "/users/{userId}/preferences",
        "INCOMPATIBLE",
    ]
    assert max(len(line) for line in lines) <= 80


def test_the_configured_example_system_passes(
    monkeypatch: pytest.MonkeyPatch, run_cli: CliRun
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run_cli(["check"])
    assert (code, err) == (0, "")
    assert "orchestrator -> user-service: compatible" in out
    assert "orchestrator -> template-service: compatible" in out
    assert ", 0 failed, 0 not applicable, 0 warnings\n" in out
    assert out.rstrip().endswith("\ncompatible")
    assert "FAIL" not in out


def test_service_option_checks_only_that_service(run_cli: CliRun) -> None:
    config = str(ROOT / "contractgate.toml")
    code, out, _ = run_cli(["--config", config, "check", "--service", "template-service"])
    assert code == 0
    assert "template-service" in out
    assert "user-service" not in out


def test_json_output_shape(run_cli: CliRun) -> None:
    pact = CORPUS / "incompatible" / "renamed-field.json"
    code, out, err = run_cli(["check", "--spec", str(USER_SPEC), "--pact", str(pact), "--json"])
    assert (code, err) == (1, "")
    data = json.loads(out)
    assert set(data) == {"passed", "counts", "services"}
    assert data["passed"] is False
    assert data["counts"] == {
        "pacts": 1,
        "interactions": 1,
        "passed": 0,
        "failed": 1,
        "not_applicable": 0,
        "errors": 1,
        "warnings": 0,
    }
    (service,) = data["services"]
    assert service["service"] == "user-service"
    assert service["spec"] == str(USER_SPEC)
    assert service["unused_operations"] == [
        "GET /health",
        "GET /users/{userId}/preferences",
        "PUT /users/{userId}/preferences",
    ]
    (pact_result,) = service["pacts"]
    assert pact_result["consumer"] == "orchestrator"
    assert pact_result["spec_version"] == "4.0"
    (interaction,) = pact_result["interactions"]
    assert interaction["verdict"] == "failed"
    assert interaction["operation"] == "GET /users/{userId}"
    assert interaction["request"] == "GET /v1/users/u-1001"
    assert interaction["provider_states"] == ["user u-1001 exists"]
    (finding,) = interaction["findings"]
    assert finding["code"] == "response.body.undocumented"
    assert finding["severity"] == "error"
    assert finding["pact"]["pointer"] == "/interactions/0/response/body/content/user_name"
    assert finding["pact"]["source"] == str(pact)
    assert isinstance(finding["pact"]["line"], int)
    assert finding["spec"]["pointer"] == "/components/schemas/User"
    (get_user,) = [op for op in service["operations"] if op["operation"] == "GET /users/{userId}"]
    assert get_user["operation_id"] == "getUser"
    assert get_user["consumers"][0]["response_fields"] == ["/id", "/user_name"]


def test_compatible_ad_hoc_check_exits_0(run_cli: CliRun) -> None:
    spec = CORPUS / "specs" / "inventory.yaml"
    pact = CORPUS / "compatible" / "inventory.json"
    code, out, _ = run_cli(["check", "--spec", str(spec), "--pact", str(pact), "--json"])
    assert code == 0
    assert json.loads(out)["passed"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--spec", str(USER_SPEC)], "--spec needs at least one --pact"),
        (["check", "--pact", "x.json"], "--pact needs --spec"),
        (
            ["check", "--service", "user-service", "--spec", str(USER_SPEC), "--pact", "x.json"],
            "--service and --spec exclude each other",
        ),
    ],
)
def test_wrong_option_combinations_exit_2(args: list[str], message: str, run_cli: CliRun) -> None:
    code, out, err = run_cli(args)
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: {message}")
    assert "Traceback" not in err


def test_a_missing_pact_file_exits_2_naming_it(tmp_path: Path, run_cli: CliRun) -> None:
    missing = tmp_path / "nope.json"
    code, _, err = run_cli(["check", "--spec", str(USER_SPEC), "--pact", str(missing)])
    assert code == 2
    assert err.strip() == f"error: {missing}: no such file (check the path)"


def test_a_broken_pact_exits_2_with_its_line(tmp_path: Path, run_cli: CliRun) -> None:
    pact = tmp_path / "broken.json"
    pact.write_text(
        '{"consumer": {"name": "c"},\n "provider": {"name": "p"},\n "interactions": [}', "utf-8"
    )
    code, _, err = run_cli(["check", "--spec", str(USER_SPEC), "--pact", str(pact)])
    assert code == 2
    assert err.startswith(f"error: {pact}:3:")
    assert "invalid JSON" in err


def test_a_spec_whose_schema_ref_does_not_resolve_exits_2(tmp_path: Path, run_cli: CliRun) -> None:
    text = USER_SPEC.read_text("utf-8").replace(
        '$ref: "#/components/schemas/Locale"', '$ref: "#/components/schemas/Nowhere"', 1
    )
    spec = tmp_path / "user-service.yaml"
    spec.write_text(text, "utf-8")
    pact = CORPUS / "compatible" / "user-service.json"
    code, out, err = run_cli(["check", "--spec", str(spec), "--pact", str(pact)])
    assert code == 2
    assert out == ""
    assert err.startswith(f"error: {spec}:")
    assert "Nowhere" in err
    assert "Traceback" not in err


def test_an_unknown_service_exits_2(run_cli: CliRun) -> None:
    config = str(ROOT / "contractgate.toml")
    code, _, err = run_cli(["--config", config, "check", "--service", "user-servce"])
    assert code == 2
    assert "no service named 'user-servce'" in err
    assert "did you mean 'user-service'?" in err


def test_no_config_and_no_spec_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: CliRun
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["check"])
    assert code == 2
    assert "no contractgate.toml here or in any parent folder" in err
