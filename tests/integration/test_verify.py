"""``contractgate verify`` against the reference providers, over real HTTP.

The providers run as real processes on 127.0.0.1, started by contractgate from a
configuration (the repository's, or one written here with the providers' --drift
switch) or by the test (``run_provider``) for the URL forms.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from contractgate._config import load_config
from contractgate._pact import load_pact
from contractgate._project import load_project
from contractgate._provider import running_provider
from contractgate.cli import main
from contractgate.verify import verify_project
from notifyhub.providers import run_provider

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
USER_PACT = ROOT / "contracts" / "orchestrator-user-service.json"
TEMPLATE_PACT = ROOT / "contracts" / "orchestrator-template-service.json"
STATES = "/_pact/provider-states"

# Answers the health path and provider-state calls, never the API: a provider that hangs.
HANGING_PROVIDER = """
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path in ("/v1/health", "/_pact/provider-states"):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
        else:
            time.sleep(120)
    do_POST = do_PUT = do_GET
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
server.daemon_threads = True
server.serve_forever()
"""


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("PACT_DO_NOT_TRACK", "true")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def write_config(
    folder: Path,
    *,
    user_command: Sequence[str] | None = None,
    template_command: Sequence[str] | None = None,
    pacts: Sequence[Path] = (USER_PACT, TEMPLATE_PACT),
) -> Path:
    """A contractgate.toml for the example system, with the provider commands given."""
    lines = [f"pacts = {json.dumps([str(p) for p in pacts])}"]
    services = {
        "user-service": (user_command, "user_service"),
        "template-service": (template_command, "template_service"),
    }
    for name, (command, module) in services.items():
        argv = command or [
            "{python}", "-m", f"notifyhub.providers.{module}", "--port", "{port}",
            "--enable-provider-states",
        ]  # fmt: skip
        lines += [
            f"[services.{name}]",
            f'spec = "{ROOT / "openapi" / f"{name}.yaml"}"',
            'headers = { Authorization = "Bearer ${CG_TEST_TOKEN:-test-token}" }',
            f"[services.{name}.provider]",
            f"command = {json.dumps(list(argv))}",
            'health = "/v1/health"',
            f'states = "{STATES}"',
            "startup_timeout = 15",
        ]
    path = folder / "contractgate.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def drifting(module: str) -> list[str]:
    return [
        "{python}", "-m", f"notifyhub.providers.{module}", "--port", "{port}",
        "--enable-provider-states", "--drift",
    ]  # fmt: skip


def interactions(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for s in report["services"] for p in s["pacts"] for i in p["interactions"]]


def test_both_reference_providers_verify(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["--config", str(ROOT / "contractgate.toml"), "verify", "--json"], capsys)
    assert err == ""
    assert code == 0
    report = json.loads(out)
    assert report["passed"] is True
    assert [s["service"] for s in report["services"]] == ["user-service", "template-service"]
    checked = interactions(report)
    assert len(checked) == len(load_pact(USER_PACT).interactions) + len(
        load_pact(TEMPLATE_PACT).interactions
    )
    for interaction in checked:
        assert interaction["verdict"] == "passed", interaction
        assert interaction["spec_violations"] == []
        exchange = interaction["exchange"]
        assert exchange["status"] == interaction["expected_status"]
        assert exchange["target"].split("?")[0] == interaction["request"].split(" ", 1)[1]
    # The pacts carry "Bearer test-token": nothing recorded shows it.
    assert "test-token" not in out


def test_terminal_output_lists_every_interaction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, pacts=[USER_PACT])
    code, out, _ = run(["--config", str(config), "verify", "user-service"], capsys)
    assert code == 0
    assert "orchestrator -> user-service: verified" in out
    rows = [line for line in out.splitlines() if re.match(r"  \d  ", line)]
    assert [row.split()[0] for row in rows] == [str(i) for i in range(7)]
    assert all(row.rstrip().endswith("pass") for row in rows)
    assert "GET /v1/users/u-1003" in rows[0]
    assert (
        out.rstrip()
        .splitlines()[-1]
        .startswith("user-service: verified - 7 interactions: 7 passed, 0 failed (")
    )


def test_drift_fails_and_names_the_renamed_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, user_command=drifting("user_service"), pacts=[USER_PACT])
    code, out, err = run(["--config", str(config), "verify", "user-service"], capsys)
    assert err == ""
    assert code == 1
    assert "FAIL #5 a request for user u-1001 (given user u-1001 exists)" in out
    assert "pact body $: Actual map is missing the following keys: username" in out
    assert '"user_name"' in out  # the actual keys, beside the expected ones
    assert "spec body $: 'username' is a required property" in out
    assert "user-service.yaml:" in out
    assert "(at /components/schemas/User/required)" in out
    assert "user-service: FAILED - 7 interactions: 6 passed, 1 failed" in out


def test_drift_in_json_has_expected_and_actual_at_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path, template_command=drifting("template_service"), pacts=[TEMPLATE_PACT]
    )
    code, out, _ = run(["--config", str(config), "verify", "template-service", "--json"], capsys)
    assert code == 1
    failed = [i for i in interactions(json.loads(out)) if i["verdict"] == "failed"]
    assert {i["description"] for i in failed} == {
        "a request for template welcome",
        "a request to render the order_shipped push message",
        "a request to render the welcome email",
    }
    for interaction in failed:
        (mismatch,) = interaction["mismatches"]
        assert mismatch["path"] == "$"
        assert "body" in mismatch["expected"]
        assert "content" in mismatch["actual"]
        assert "body" not in mismatch["actual"]
        (violation,) = interaction["spec_violations"]
        assert violation["message"] == "'body' is a required property"


def test_adhoc_form_with_states_and_spec(capsys: pytest.CaptureFixture[str]) -> None:
    with run_provider("user-service", enable_states=True, drift=True) as provider:
        code, out, _ = run(
            [
                "verify",
                "--pact", str(USER_PACT),
                "--provider-url", provider.base_url,
                "--states-url", provider.base_url + STATES,
                "--spec", str(ROOT / "openapi" / "user-service.yaml"),
                "--json",
            ],
            capsys,
        )  # fmt: skip
    assert code == 1
    service = json.loads(out)["services"][0]
    assert service["provider_url"] == provider.base_url
    assert service["counts"]["failed"] == 1
    (failed,) = [i for i in interactions({"services": [service]}) if i["verdict"] == "failed"]
    assert failed["spec_violations"][0]["message"] == "'username' is a required property"


def test_adhoc_form_without_spec_checks_the_pact_only(capsys: pytest.CaptureFixture[str]) -> None:
    with run_provider("template-service", enable_states=True) as provider:
        code, out, _ = run(
            [
                "verify",
                "--pact", str(TEMPLATE_PACT),
                "--provider-url", provider.base_url,
                "--states-url", provider.base_url + STATES,
                "--json",
            ],
            capsys,
        )  # fmt: skip
    assert code == 0
    service = json.loads(out)["services"][0]
    assert service["spec"] is None
    assert service["counts"]["passed"] == len(load_pact(TEMPLATE_PACT).interactions)


def test_base_url_verifies_a_provider_someone_else_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with run_provider("user-service", enable_states=True) as provider:
        code, out, _ = run(
            ["--config", str(ROOT / "contractgate.toml"), "verify", "user-service",
             "--base-url", provider.base_url, "--json"],
            capsys,
        )  # fmt: skip
    assert code == 0
    assert json.loads(out)["services"][0]["provider_url"] == provider.base_url


def test_an_unknown_provider_state_is_reported_and_the_rest_still_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(USER_PACT.read_text(encoding="utf-8"))
    data["interactions"][0]["providerStates"] = [{"name": "user u-1003 is on holiday"}]
    pact = tmp_path / "renamed-state.json"
    pact.write_text(json.dumps(data), encoding="utf-8")
    config = write_config(tmp_path, pacts=[pact])
    code, out, _ = run(["--config", str(config), "verify", "user-service", "--json"], capsys)
    assert code == 1
    service = json.loads(out)["services"][0]
    assert service["problems"] == []
    first, *rest = interactions({"services": [service]})
    assert first["verdict"] == "failed"
    assert first["error"].startswith(
        "provider state 'user u-1003 is on holiday' could not be set: "
        "the state endpoint answered 400: Unknown provider state 'user u-1003 is on holiday'"
    )
    assert first["exchange"] is None
    assert all(i["verdict"] == "passed" and i["exchange"] for i in rest)


def test_a_provider_that_is_down_is_a_clear_error_in_bounded_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    started = time.monotonic()
    code, out, err = run(
        ["verify", "--pact", str(USER_PACT), "--provider-url", url, "--startup-timeout", "1"],
        capsys,
    )
    assert time.monotonic() - started < 10
    assert code == 3
    assert out == ""
    assert err.startswith(f"error: the provider of 'user-service' at {url} is not answering")
    assert "Connection refused" in err
    assert "Traceback" not in err


def test_a_provider_that_never_gets_ready_names_command_and_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["{python}", "-c", "import sys; sys.exit('cannot open the user database')", "{port}"]
    config = write_config(tmp_path, user_command=command, pacts=[USER_PACT])
    code, out, err = run(["--config", str(config), "verify", "user-service"], capsys)
    assert code == 3
    assert out == ""
    assert "exited with code 1" in err
    assert sys.executable in err
    assert "/v1/health" in err
    assert "cannot open the user database" in err


def test_a_hanging_provider_times_out_and_the_run_ends(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, user_command=["{python}", "-c", HANGING_PROVIDER, "{port}"], pacts=[USER_PACT]
    )
    project = load_project(load_config(config), ["user-service"])
    started = time.monotonic()
    with running_provider(
        "user-service", project.services[0].config.provider, cwd=tmp_path
    ) as provider:
        from contractgate.verify import verify_service

        result = verify_service(project.services[0], provider, timeout=0.5)
        process = provider.process
    elapsed = time.monotonic() - started
    assert process is not None
    assert process.poll() is not None  # stopped with the block
    assert elapsed < 30
    assert not result.passed
    for interaction in result.interactions:
        assert interaction.verdict == "failed"
        assert interaction.error is not None
        assert "did not answer within 0.5s" in interaction.error


def test_the_library_starts_and_stops_each_provider(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    report = verify_project(load_project(load_config(config)))
    assert report.passed
    assert all(i.exchange is not None for s in report.services for i in s.interactions)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "--pact", "x.json"], "give --pact PATH and --provider-url URL"),
        (["verify", "user-service", "--pact", "x.json"], "a SERVICE or --base-url excludes"),
        (["verify", "--provider-url", "http://127.0.0.1:1", "--pact", "missing.json"],
         "missing.json: no such file"),
        (["verify", "nosuch"], "no service named 'nosuch'"),
        (["verify", "--base-url", "http://127.0.0.1:1"], "can stand for one service only"),
        (["verify", "-H", "Authorization"], "'Authorization' is not a header"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_message_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["--config", str(ROOT / "contractgate.toml"), *args], capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err
