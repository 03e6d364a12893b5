"""fuzz's own logic: reproduction commands, URLs, verdicts, and refused settings.

The reproduction commands are run by bash with ``curl`` replaced by a function that
prints the arguments it gets, so the tests see exactly what curl would: quoting and
variable expansion included.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis.configuration import storage_directory

from contractgate._errors import InputError
from contractgate._openapi import load_spec
from contractgate.fuzz import (
    FuzzError,
    FuzzFailure,
    FuzzReport,
    FuzzRequest,
    OperationFuzz,
    ServiceFuzz,
    curl_command,
    fuzz_spec,
)
from contractgate.fuzz._engine import _api_url, _hypothesis_storage, hypothesis_home

ROOT = Path(__file__).resolve().parents[2]


def curl_argv(command: str, env: dict[str, str] | None = None) -> tuple[list[str], bytes]:
    """The arguments and standard input ``curl`` would get from ``command``."""
    script = (
        'curl() { cat > "$CG_STDIN"; printf "%s\\0" "$@"; }\n'
        "export -f curl\n"  # also for the right side of a pipe
        f"{command}\n"
    )
    stdin_file = Path(subprocess.check_output(["mktemp"], text=True).strip())
    try:
        done = subprocess.run(
            ["bash", "-c", script],
            env={"PATH": "/usr/bin:/bin", "CG_STDIN": str(stdin_file), **(env or {})},
            capture_output=True,
            timeout=10,
            check=True,
        )
        return done.stdout.decode().split("\0")[:-1], stdin_file.read_bytes()
    finally:
        stdin_file.unlink()


def test_a_get_is_sent_again_as_it_was() -> None:
    command = curl_command(
        "GET",
        "http://127.0.0.1:8002/v1/templates?page=1&page_size=99&q=a b'c",
        {
            "User-Agent": "schemathesis/4.32.5",
            "Accept-Encoding": "gzip, deflate",
            "Accept": "*/*",
            "Connection": "keep-alive",
            "X-Request-ID": "id with 'quotes' and $HOME",
            "X-Schemathesis-TestCaseId": "abc",
        },
        None,
    )
    argv, stdin = curl_argv(command)
    assert argv == [
        "--globoff",
        "--path-as-is",
        "-X",
        "GET",
        "-H",
        "X-Request-ID: id with 'quotes' and $HOME",
        "http://127.0.0.1:8002/v1/templates?page=1&page_size=99&q=a b'c",
    ]
    assert stdin == b""


def test_a_credential_from_the_environment_is_shown_as_the_config_says() -> None:
    command = curl_command(
        "GET",
        "http://h/v1/x",
        {"Authorization": "Bearer real-secret"},
        None,
        templates={"authorization": "Bearer ${CG_TOKEN:-test-token}"},
    )
    assert "real-secret" not in command
    assert '"Authorization: Bearer ${CG_TOKEN:-test-token}"' in command
    assert curl_argv(command)[0][5] == "Authorization: Bearer test-token"
    with_env = curl_argv(command, {"CG_TOKEN": "from-env"})[0]
    assert with_env[5] == "Authorization: Bearer from-env"


def test_a_literal_credential_is_read_from_a_variable_named_after_the_header() -> None:
    command = curl_command(
        "GET",
        "http://h/v1/x",
        {"X-Api-Key": "k-123", "Cookie": "s=1"},
        None,
        templates={"X-Api-Key": "k-123"},
    )
    assert "k-123" not in command
    assert "s=1" not in command
    argv = curl_argv(command, {"X_API_KEY": "mine", "COOKIE": "s=2"})[0]
    assert argv[4:8] == ["-H", "X-Api-Key: mine", "-H", "Cookie: s=2"]


def test_a_template_cannot_run_commands() -> None:
    command = curl_command(
        "GET",
        "http://h/",
        {"Authorization": "x"},
        None,
        templates={"Authorization": 'Bearer ${T:-a} `id` $(id) "q" \\'},
    )
    assert curl_argv(command)[0][5] == 'Authorization: Bearer a `id` $(id) "q" \\'


def test_a_text_body_is_sent_byte_for_byte() -> None:
    body = '{"variables": {"name": "Al\'ice $x ✓"}}'.encode()
    command = curl_command("POST", "http://h/r", {"Content-Type": "application/json"}, body)
    argv, _ = curl_argv(command)
    assert argv[argv.index("--data-binary") + 1].encode() == body
    assert argv[4:6] == ["-H", "Content-Type: application/json"]


def test_a_binary_body_is_piped_in() -> None:
    body = bytes(range(256))
    command = curl_command("PUT", "http://h/r", {}, body)
    argv, stdin = curl_argv(command)
    assert argv[-3:] == ["--data-binary", "@-", "http://h/r"]
    assert stdin == body


@pytest.mark.parametrize(
    ("url", "base_path", "expected"),
    [
        ("http://127.0.0.1:8001", "/v1", "http://127.0.0.1:8001/v1"),
        ("http://127.0.0.1:8001/", "/v1/", "http://127.0.0.1:8001/v1"),
        ("http://127.0.0.1:8001/v1", "/v1", "http://127.0.0.1:8001/v1"),
        ("http://127.0.0.1:8001/api", "/", "http://127.0.0.1:8001/api"),
    ],
)
def test_the_specs_base_path_is_added_unless_present(
    url: str, base_path: str, expected: str
) -> None:
    assert _api_url(url, base_path) == expected


def _failure() -> FuzzFailure:
    return FuzzFailure(
        operation="GET /templates",
        check="not_a_server_error",
        code="ST101",
        title="Server error",
        message="",
        severity="critical",
        phase="coverage",
        status=500,
        request=FuzzRequest(
            "GET", "http://h/v1/templates?page_size=99", {"Authorization": "[redacted]"}
        ),
        reproduce="curl ...",
        count=2,
    )


def test_a_failure_fails_its_operation_the_service_and_the_report() -> None:
    failing = OperationFuzz("GET /templates", cases=10, failures=[_failure()])
    fine = OperationFuzz("GET /health", cases=3)
    service = ServiceFuzz(
        "templates", "http://h", "t.yaml", 1, 25, ("not_a_server_error",), [failing, fine],
        duration=2.0,
    )  # fmt: skip
    assert fine.passed
    assert not failing.passed
    assert service.cases == 13
    assert service.failures == failing.failures
    data = FuzzReport([service]).to_dict()
    assert data["passed"] is False
    assert data["services"][0]["cases_per_second"] == 6.5
    assert data["services"][0]["operations"][0]["failures"][0]["request"]["url"].endswith("=99")
    json.dumps(data)


def test_a_run_error_fails_the_service_without_any_failure() -> None:
    service = ServiceFuzz(
        "t", "http://h", "t.yaml", 1, 25, (), [OperationFuzz("GET /x", cases=1)],
        errors=[FuzzError("the provider stopped answering")],
    )  # fmt: skip
    assert not service.passed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_examples": 0}, "max examples must be 1 or more"),
        ({"checks": ()}, "no checks to run"),
        ({"checks": ("not_a_check",)}, "unknown check 'not_a_check'"),
    ],
)
def test_settings_schemathesis_cannot_use_are_input_errors(
    kwargs: dict[str, object], message: str
) -> None:
    spec = load_spec(ROOT / "openapi" / "user-service.yaml")
    with pytest.raises(InputError, match=message):
        fuzz_spec(spec, "http://127.0.0.1:9", **kwargs)  # type: ignore[arg-type]


def test_hypothesis_keeps_its_files_in_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert hypothesis_home() == tmp_path / "cache" / "contractgate" / "hypothesis"
    before = storage_directory(intent_to_write=False).home_directory
    with _hypothesis_storage():
        assert storage_directory(intent_to_write=False).home_directory == hypothesis_home()
    assert hypothesis_home().is_dir()  # kept for the next run
    assert storage_directory(intent_to_write=False).home_directory == before


def test_an_unwritable_cache_falls_back_to_a_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # mkdir below a file fails
    with _hypothesis_storage():
        used = storage_directory(intent_to_write=False).home_directory
        assert used.is_dir()
        assert not used.is_relative_to(blocker)
    assert not used.exists()
