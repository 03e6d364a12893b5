"""``contractgate stub`` end to end: foreground until a signal, detached, exported."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from rich.console import Console

from contractgate._commands import stub as stub_command
from contractgate.cli import main
from contractgate.stubs import started_servers

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CONTRACTGATE = Path(sys.executable).parent / "contractgate"
AUTH = {"Authorization": "Bearer test-token"}
COUNTED = re.compile(r"user-service +http\S+ +happy +0 +3\b")
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "PACT_DO_NOT_TRACK": "true"}


def gone(owner: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not started_servers(owner):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A project outside the repository (its state stays in tmp_path)."""
    lines = [f'pacts = ["{ROOT}/contracts/orchestrator-user-service.json"]']
    for name in ("user-service", "template-service"):
        lines += [
            f"[services.{name}]",
            f'spec = "{ROOT}/openapi/{name}.yaml"',
            f'scenarios = "{ROOT}/stubs/{name}.yaml"',
        ]
    path = tmp_path / "contractgate.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_line(child: subprocess.Popen[str]) -> str:
    """The next line the command printed; its error output when it ended instead."""
    assert child.stdout is not None
    line = child.stdout.readline()
    if not line:
        child.wait(timeout=15)
        stderr = child.stderr.read() if child.stderr else ""
        pytest.fail(f"the command ended (exit {child.returncode}) before printing: {stderr}")
    return line.strip()


def start_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(CONTRACTGATE), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["ctrl-c", "sigterm", "sighup"]
)
def test_adhoc_up_prints_the_url_first_and_stops_on_a_signal(sig: signal.Signals) -> None:
    spec = ROOT / "openapi" / "template-service.yaml"
    child = start_cli("stub", "up", "--spec", str(spec), "--scenario", "server-error")
    try:
        assert child.stdout is not None
        url = read_line(child)
        assert url.startswith("http://127.0.0.1:")
        assert "Ctrl-C or SIGTERM stops" in read_line(child)
        assert started_servers(child.pid)
        response = requests.get(f"{url}/v1/templates/welcome", headers=AUTH, timeout=5)
        assert response.status_code == 500
        child.send_signal(sig)
        assert child.wait(timeout=15) == 0
        assert gone(child.pid)
    finally:
        child.kill()
        child.wait()


def test_configured_up_prints_one_line_per_service(config: Path) -> None:
    child = start_cli("--config", str(config), "stub", "up", "--seed", "3")
    try:
        lines = [read_line(child).split() for _ in range(2)]
        assert [line[1] for line in lines] == ["user-service", "template-service"]
        users, templates = (line[0] for line in lines)
        assert requests.get(f"{users}/v1/users/u-1", headers=AUTH, timeout=5).status_code == 200
        assert requests.get(f"{templates}/v1/templates", headers=AUTH, timeout=5).ok
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=15) == 0
        assert child.stderr is not None
        assert "provider state 'the user service is unavailable'" in child.stderr.read()
        assert gone(child.pid)
    finally:
        child.kill()
        child.wait()


def test_foreground_table_counts_requests(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(
        stub_command, "console", Console(file=screen, force_terminal=True, width=100)
    )
    monkeypatch.setattr(stub_command, "_POLL", 0.1)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def drive() -> None:
        url = f"http://127.0.0.1:{port}/v1/users/u-1"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                for _ in range(3):
                    requests.get(url, headers=AUTH, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        while not COUNTED.search(screen.getvalue()) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    helper = threading.Thread(target=drive)
    helper.start()
    code = main(["--config", str(config), "stub", "up", "user-service", "--port", str(port)])
    helper.join()
    assert code == 0
    shown = screen.getvalue()
    assert f"http://127.0.0.1:{port}" in shown
    assert "Ctrl-C stops the stubs" in shown
    assert COUNTED.search(shown)
    assert gone(os.getpid())
    capsys.readouterr()


def test_detached_stubs_from_other_shells(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--config", str(config), "stub"]
    assert main([*base, "up", "--detach", "--scenario", "outage-then-recovery"]) == 0
    out = capsys.readouterr().out
    assert "stop with: contractgate stub down" in out
    state = json.loads((config.parent / ".contractgate" / "stubs.json").read_text("utf-8"))
    supervisor = state["pid"]
    try:
        assert started_servers(supervisor)
        assert main([*base, "up", "--detach"]) == 2
        assert "already running here" in capsys.readouterr().err
        assert main([*base, "ls", "--json"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert [s["name"] for s in listed["stubs"]] == ["user-service", "template-service"]
        users = listed["stubs"][0]["url"]
        codes = [
            requests.get(f"{users}/v1/users/u-7", headers=AUTH, timeout=5).status_code
            for _ in range(3)
        ]
        assert codes == [503, 503, 200]
        assert main([*base, "scenario", "user-service", "forbidden", "--seed", "4"]) == 0
        assert "now plays scenario 'forbidden' with seed 4" in capsys.readouterr().out
        assert requests.get(f"{users}/v1/users/u-7", headers=AUTH, timeout=5).status_code == 403
        assert main([*base, "requests", "user-service", "--json"]) == 0
        recorded = json.loads(capsys.readouterr().out)
        assert [r["path"] for r in recorded] == ["/v1/users/u-7"] * 4
        assert main([*base, "requests", "user-service", "-n", "2"]) == 0
        assert "4 recorded" in capsys.readouterr().out
        assert main([*base, "ls"]) == 0
        table = capsys.readouterr().out
        assert "forbidden" in table
        assert main([*base, "scenario", "user-service", "nope"]) == 2
        assert main([*base, "requests", "billing"]) == 2
        capsys.readouterr()
    finally:
        assert main([*base, "down"]) == 0
    assert "stopped user-service, template-service" in capsys.readouterr().out
    assert gone(supervisor)
    assert not (config.parent / ".contractgate" / "stubs.json").exists()


def test_detached_start_failure_is_reported(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTRACTGATE_MB", "/nonexistent/mb")
    assert main(["--config", str(config), "stub", "up", "--detach"]) == 3
    assert "CONTRACTGATE_MB=/nonexistent/mb is not a file" in capsys.readouterr().err


@pytest.fixture
def free_ports() -> tuple[int, int]:
    with socket.socket() as first, socket.socket() as second:
        first.bind(("127.0.0.1", 0))
        second.bind(("127.0.0.1", 0))
        return (first.getsockname()[1], second.getsockname()[1])


def test_exported_imposters_run_on_a_plain_mountebank(
    config: Path, tmp_path: Path, free_ports: tuple[int, int]
) -> None:
    admin, first = free_ports
    target = tmp_path / "imposters.json"
    assert (
        main(
            [
                "--config",
                str(config),
                "stub",
                "export",
                "user-service",
                "--scenario",
                "unavailable",
                "--port",
                str(first),
                "-o",
                str(target),
            ]
        )
        == 0
    )
    mb = ROOT / "node_modules" / "mountebank" / "bin" / "mb"
    server = subprocess.Popen(
        [
            "node",
            str(mb),
            "start",
            "--configfile",
            str(target),
            "--noParse",
            "--port",
            str(admin),
            "--host",
            "127.0.0.1",
            "--localOnly",
            "--nologfile",
            "--pidfile",
            str(tmp_path / "pid"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = requests.get(
                    f"http://127.0.0.1:{first}/v1/users/u-1", headers=AUTH, timeout=2
                )
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
