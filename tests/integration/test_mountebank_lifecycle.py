"""Mountebank's lifecycle: started on loopback and stopped, adopted, never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from contractgate import InputError, ServiceError, SetupError
from contractgate._project import adhoc_project
from contractgate.stubs import Mountebank, StubServer, find_mountebank, started_servers
from contractgate.stubs import _mountebank as mountebank_module

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = textwrap.dedent(
    """
    import sys, time
    from contractgate.stubs import Mountebank
    with Mountebank.start() as mb:
        print(mb.pid, flush=True)
        time.sleep(60)
    """
)


def gone(pids: set[int], timeout: float = 10.0) -> bool:
    """Whether every process in ``pids`` has exited within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not set(started_servers()) & pids:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(autouse=True, scope="module")
def no_server_left() -> Iterator[None]:
    before = set(started_servers(os.getpid()))
    yield
    assert gone(set(started_servers(os.getpid())) - before)


def test_start_answers_on_loopback_and_stop_ends_the_process() -> None:
    with Mountebank.start() as mb:
        assert mb.owned
        assert mb.url.startswith("http://127.0.0.1:")
        assert mb.pid in started_servers(os.getpid())
        options = mb.client.config()["options"]
        assert options["localOnly"] is True
        assert options["host"] == "127.0.0.1"
        assert not options.get("allowInjection")
        cmdline = Path(f"/proc/{mb.pid}/cmdline").read_bytes().split(b"\0")
        assert Path(cmdline[0].decode()).name == "node"  # the PID is the server's own
        pid = mb.pid
    assert pid is not None
    assert gone({pid})
    assert mb.process is None


def test_adopted_server_is_used_but_never_stopped() -> None:
    with Mountebank.start() as owner:
        adopted = Mountebank.adopt(owner.url)
        assert not adopted.owned
        assert adopted.pid is None
        port = adopted.client.create({"protocol": "http", "host": "127.0.0.1"})
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
        adopted.stop()
        assert owner.client.config()["version"]
        project = adhoc_project(ROOT / "openapi" / "user-service.yaml")
        assert StubServer(owner, project).host == "127.0.0.1"
        by_name = Mountebank.adopt(owner.url.replace("127.0.0.1", "localhost"))
        assert StubServer(by_name, project).host == "localhost"  # where the server is


def test_adopting_nothing_fails_within_the_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(ServiceError, match="did not answer GET /config: connection refused"):
        Mountebank.adopt("http://127.0.0.1:9", timeout=2)
    assert time.monotonic() - started < 5
    with pytest.raises(InputError, match="not an http"):
        Mountebank.adopt("127.0.0.1:2525")


def test_a_taken_imposter_port_is_an_input_error() -> None:
    with Mountebank.start() as mb:
        port = mb.client.create({"protocol": "http", "host": "127.0.0.1"})
        with pytest.raises(InputError, match=f"{port}"):
            mb.client.create({"protocol": "http", "host": "127.0.0.1", "port": port})
        with pytest.raises(ServiceError, match="refused DELETE"):
            mb.client.clear_requests(1)


def test_missing_node_and_missing_mountebank_name_the_set_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SetupError, match="node") as info:
        find_mountebank()
    assert "npm ci" in str(info.value.hint)
    monkeypatch.undo()
    monkeypatch.setattr(mountebank_module, "__file__", str(tmp_path / "stubs" / "_mountebank.py"))
    with pytest.raises(SetupError, match="Mountebank is not installed") as info:
        find_mountebank(tmp_path)
    assert "npm ci" in str(info.value.hint)
    monkeypatch.setenv("CONTRACTGATE_MB", str(tmp_path / "nope"))
    with pytest.raises(SetupError, match="CONTRACTGATE_MB"):
        find_mountebank(tmp_path)


def run_script() -> tuple[subprocess.Popen[str], int]:
    child = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip().isdigit(), line
    return child, int(line)


@pytest.mark.parametrize(
    "sig",
    [signal.SIGINT, signal.SIGTERM, signal.SIGKILL],
    ids=["ctrl-c", "sigterm", "sigkill"],
)
def test_mountebank_dies_with_the_process_that_started_it(sig: signal.Signals) -> None:
    child, mb_pid = run_script()
    try:
        assert mb_pid in started_servers(child.pid)
        child.send_signal(sig)
        child.wait(timeout=15)
        assert gone({mb_pid})
    finally:
        child.kill()
        child.wait()
