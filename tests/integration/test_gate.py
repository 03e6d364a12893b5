"""`contractgate gate` end to end on the example system: passes as shipped, and fails with
exit 1 and a report naming the cause when a contract is broken on purpose."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from contractgate.report import GATE_SCHEMA_PATH

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CONTRACTGATE = str(Path(sys.executable).with_name("contractgate"))
JUNIT_XSD = ROOT / "tests" / "data" / "junit.xsd"


def gate(*args: str, cwd: Path = ROOT, timeout: float = 400) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "PACT_DO_NOT_TRACK": "true"}
    return subprocess.run(
        [CONTRACTGATE, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def example_copy(tmp_path: Path) -> Path:
    """The example system's contracts and config in a scratch folder (code stays installed)."""
    for folder in ("openapi", "contracts", "stubs", "tests/resilience"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "contractgate.toml", tmp_path / "contractgate.toml")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    return tmp_path


def test_gate_passes_on_the_example_and_writes_valid_reports(tmp_path: Path) -> None:
    done = gate("gate", "--reports", str(tmp_path))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "contractgate gate: passed" in done.stdout
    assert re.search(r"user-service\s+passed\s+passed\s+passed\s+passed\s+passed", done.stdout)
    xmlschema.XMLSchema(JUNIT_XSD).validate(tmp_path / "junit.xml")
    report = json.loads((tmp_path / "gate.json").read_text("utf-8"))
    jsonschema.validate(report, json.loads(GATE_SCHEMA_PATH.read_text("utf-8")))
    stages = {(s["service"], s["stage"]): s for s in report["stages"]}
    assert set(stages) == {
        (service, stage)
        for service in ("user-service", "template-service")
        for stage in ("lint", "check", "verify", "fuzz", "resilience")
    }
    assert all(s["status"] == "passed" for s in report["stages"])
    assert stages[("user-service", "verify")]["counts"]["passed"] == 7
    assert "| user-service |" in (tmp_path / "summary.md").read_text("utf-8")
    # Response times of the live stages, drawn as histograms in the HTML report.
    times = "provider response time (ms)"
    assert len(stages[("user-service", "verify")]["samples"][times]) == 7
    assert len(stages[("user-service", "fuzz")]["samples"][times]) > 50
    assert all(v > 0 for v in stages[("template-service", "fuzz")]["samples"][times])
    html = (tmp_path / "index.html").read_text("utf-8")
    assert html.count('aria-label="latency histogram"') == 4
    assert "fuzz · user-service · provider response time (ms)" in html


def test_drifted_provider_fails_verify_and_names_the_field(tmp_path: Path) -> None:
    project = example_copy(tmp_path)
    config = project / "contractgate.toml"
    config.write_text(
        config.read_text("utf-8").replace(
            '"notifyhub.providers.user_service", "--port", "{port}"',
            '"notifyhub.providers.user_service", "--drift", "--port", "{port}"',
        ),
        "utf-8",
    )

    done = gate("gate", "--service", "user-service", "--stages", "lint,verify", cwd=project)

    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "failed: verify · orchestrator -> user-service · a request for user u-1001" in done.stdout
    )
    assert "username" in done.stdout
    junit = (project / "reports" / "junit.xml").read_text("utf-8")
    assert "username" in junit


def test_edited_pact_fails_check_and_skips_resilience(tmp_path: Path) -> None:
    project = example_copy(tmp_path)
    pact = project / "contracts" / "orchestrator-user-service.json"
    pact.write_text(pact.read_text("utf-8").replace('"username"', '"user_name"'), "utf-8")

    done = gate("gate", "--stages", "lint,check,resilience", "--json", cwd=project)

    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    stages = {(s["service"], s["stage"]): s for s in report["stages"]}
    check = stages[("user-service", "check")]
    assert check["status"] == "failed"
    assert any("user_name" in c["message"] for c in check["cases"] if c["status"] == "failed")
    assert stages[("user-service", "resilience")]["status"] == "skipped"
    assert "check" in stages[("user-service", "resilience")]["reason"]
    assert stages[("template-service", "resilience")]["status"] == "passed"


def test_broken_spec_fails_lint_with_exit_2_and_skips_the_rest(tmp_path: Path) -> None:
    project = example_copy(tmp_path)
    spec = project / "openapi" / "template-service.yaml"
    spec.write_text(
        spec.read_text("utf-8").replace("  /templates:\n", "  /templates:\n   - oops\n", 1), "utf-8"
    )

    done = gate(
        "gate", "--service", "template-service", "--stages", "lint,check,verify", cwd=project
    )

    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert re.search(r"failed\s+lint\s+template-service", done.stdout)
    assert re.search(r"skipped\s+check\s+template-service.*lint found problems", done.stdout)
    assert "template-service.yaml" in done.stdout


def test_provider_that_is_down_is_an_error_within_bounded_time(tmp_path: Path) -> None:
    project = example_copy(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = project / "contractgate.toml"
    text = config.read_text("utf-8")
    start = text.index("[services.user-service.provider]")
    end = text.index("[services.template-service]")
    text = (
        text[:start]
        + f'[services.user-service.provider]\nbase_url = "http://127.0.0.1:{port}"\n'
        + 'health = "/v1/health"\nstartup_timeout = 2\n\n'
        + text[end:]
    )
    config.write_text(text, "utf-8")

    done = gate(
        "gate", "--service", "user-service", "--stages", "verify,fuzz", cwd=project, timeout=60
    )

    assert done.returncode == 3, done.stdout + done.stderr
    assert re.search(r"error\s+verify\s+user-service", done.stdout)
    assert re.search(r"error\s+fuzz\s+user-service", done.stdout)
    assert f"127.0.0.1:{port}" in done.stdout


def test_base_diff_fails_a_change_that_breaks_the_consumer(tmp_path: Path) -> None:
    project = example_copy(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run(
        [*git, "add", "openapi", "contracts", "contractgate.toml"], cwd=project, check=True
    )
    subprocess.run([*git, "commit", "-qm", "base"], cwd=project, check=True)
    spec = project / "openapi" / "user-service.yaml"
    spec.write_text(
        spec.read_text("utf-8").replace("        username:\n", "        login:\n"), "utf-8"
    )

    done = gate("gate", "--base", "HEAD", "--stages", "diff", "--json", cwd=project)

    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    diff = next(s for s in report["stages"] if s["service"] == "user-service")
    assert diff["stage"] == "diff"
    assert diff["status"] == "failed"
    failed = [c for c in diff["cases"] if c["status"] == "failed"]
    assert failed
    assert all("orchestrator" in c["message"] for c in failed)
