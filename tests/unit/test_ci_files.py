"""The CI files users copy: they parse, run ci/gate.sh and publish the JUnit report.

The gate itself through ``ci/gate.sh`` runs in the README examples (tests/integration/
test_readme.py); here: what the jobs declare, and gate.sh's refusal to guess where to
install contractgate from.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "ci"


def test_github_workflow_runs_the_gate_and_publishes_junit() -> None:
    workflow = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["gate"]["steps"]
    gate = next(s for s in steps if s.get("name") == "Run the gate")
    assert gate["run"].startswith("ci/gate.sh --base ")
    assert gate["env"]["PACT_DO_NOT_TRACK"] == "true"
    assert gate["env"]["CONTRACTGATE_INSTALL"].startswith("git+https://")
    junit = next(s for s in steps if "junit" in s.get("uses", ""))
    assert junit["with"]["report_paths"] == "reports/junit.xml"
    assert junit["if"] == "always()"


def test_gitlab_job_runs_the_gate_and_publishes_junit() -> None:
    job = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))["contract-gate"]
    assert any(line.startswith("ci/gate.sh --base ") for line in job["script"])
    assert job["variables"]["PACT_DO_NOT_TRACK"] == "true"
    assert job["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    assert job["artifacts"]["when"] == "always"


def test_gate_sh_without_contractgate_or_an_install_source_exits_3(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        ["bash", str(CI / "gate.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 3
    assert "CONTRACTGATE_INSTALL is not set" in done.stderr
    assert not (tmp_path / ".contractgate-venv").exists()
    assert os.access(CI / "gate.sh", os.X_OK)
