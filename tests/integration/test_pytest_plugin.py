"""The pytest plugin, through real pytest runs of generated test projects."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from contractgate.stubs import started_servers

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

USES_STUBS = """
import requests

AUTH = {"Authorization": "Bearer test-token"}


def get(url):
    return requests.get(url, headers=AUTH, timeout=5).status_code


def test_flaky_then_switched(stub):
    users = stub("user-service", scenario="flaky", seed=7)
    codes = [get(f"{users.url}/v1/users/u-1") for _ in range(100)]
    assert codes.count(503) == 20
    assert len(users.requests()) == 100
    users.set_scenario("server-error")
    assert get(f"{users.url}/v1/users/u-1") == 500
    users.reset()
    assert users.requests() == []


def test_both_services_and_states(stub):
    templates = stub("template-service", scenario="render-outage")
    render = f"{templates.url}/v1/templates/welcome/render"
    codes = [requests.post(render, json={"variables": {"name": "A"}}, headers=AUTH,
                           timeout=5).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    users = stub("user-service", states=["the user service is unavailable"])
    headers = {**AUTH, "X-Request-ID": "3f2c9a1e-7d4b-4f7e-9a52-1c2b3d4e5f60"}
    prefs = requests.get(f"{users.url}/v1/users/u-1001/preferences", headers=headers, timeout=5)
    assert prefs.status_code == 503


def test_one_mountebank_per_session(stub, contractgate_mountebank):
    assert stub("user-service").url != stub("template-service").url
    assert contractgate_mountebank.owned
"""


def project(folder: Path, tests: str, *, config: bool = True) -> Path:
    if config:
        lines = [f'pacts = ["{ROOT}/contracts/orchestrator-user-service.json"]']
        for name in ("user-service", "template-service"):
            lines += [
                f"[services.{name}]",
                f'spec = "{ROOT}/openapi/{name}.yaml"',
                f'scenarios = "{ROOT}/stubs/{name}.yaml"',
            ]
        (folder / "contractgate.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if tests:
        (folder / "test_generated.py").write_text(textwrap.dedent(tests), encoding="utf-8")
    return folder


def pytest_run(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    # Hypothesis' and schemathesis' plugins take seconds to import and play no part here.
    quick = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:schemathesis"]
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", *quick, *args, str(folder)],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PACT_DO_NOT_TRACK": "true", **(env or {})},
    )


def finished(child: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = child.communicate(timeout=120)
    return child.returncode, out


def gone(owner: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not started_servers(owner):
            return True
        time.sleep(0.05)
    return False


def test_stub_fixture_in_a_real_session(tmp_path: Path) -> None:
    child = pytest_run(project(tmp_path, USES_STUBS))
    code, out = finished(child)
    assert code == 0, out
    assert "3 passed" in out
    assert gone(child.pid)


def test_failing_tests_leave_no_mountebank(tmp_path: Path) -> None:
    tests = """
    def test_fails(stub):
        stub("user-service")
        assert False, "on purpose"
    """
    child = pytest_run(project(tmp_path, tests))
    code, out = finished(child)
    assert code == 1
    assert "on purpose" in out
    assert gone(child.pid)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "sigkill"])
def test_interrupted_session_leaves_no_mountebank(tmp_path: Path, sig: signal.Signals) -> None:
    marker = tmp_path / "started"
    tests = f"""
    import pathlib, time

    def test_waits(stub):
        stub("user-service")
        pathlib.Path({str(marker)!r}).write_text("yes")
        time.sleep(60)
    """
    child = pytest_run(project(tmp_path, tests))
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline
            assert child.poll() is None
            time.sleep(0.05)
        assert started_servers(child.pid)
        child.send_signal(sig)
        child.wait(timeout=30)
        assert gone(child.pid)
    finally:
        child.kill()
        child.communicate()


def test_sessions_without_the_fixtures_start_nothing(tmp_path: Path) -> None:
    tests = """
    def test_plain(request):
        assert request.config.pluginmanager.hasplugin("contractgate")
    """
    # If the plugin tried to start Mountebank, this would fail the session.
    child = pytest_run(project(tmp_path, tests), env={"CONTRACTGATE_MB": "/nonexistent/mb"})
    code, out = finished(child)
    assert code == 0, out
    assert "1 passed" in out


def test_config_from_the_ini_option_and_clear_errors(tmp_path: Path) -> None:
    sub = tmp_path / "elsewhere"
    sub.mkdir()
    project(sub, tests="")
    tests = """
    def test_uses(stub):
        assert stub("template-service").url.startswith("http://127.0.0.1:")
    """
    project(tmp_path, tests, config=False)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\ncontractgate_config = elsewhere/contractgate.toml\n", encoding="utf-8"
    )
    code, out = finished(pytest_run(tmp_path))
    assert code == 0, out
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    code, out = finished(pytest_run(tmp_path))
    assert code == 1
    assert "contractgate: no contractgate.toml in" in out
    assert "contractgate_config" in out
    assert "Traceback" not in out
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\ncontractgate_config = elsewhere/contractgate.toml\n", encoding="utf-8"
    )
    (tmp_path / "test_generated.py").write_text(
        "def test_bad(stub):\n    stub('user-service', scenario='flakey')\n", encoding="utf-8"
    )
    code, out = finished(pytest_run(tmp_path))
    assert code == 1
    assert "user-service.yaml: no scenario named 'flakey' (did you mean 'flaky'?)" in out
