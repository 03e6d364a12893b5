"""``contractgate fuzz`` against the reference providers, over real HTTP.

The providers run as real processes on 127.0.0.1 (``run_provider``, or started by
contractgate from a configuration); the hidden defects are the providers' ``--bug``
switch: GET /v1/templates answers 500 when page_size > 50, GET /v1/users/{id} when
the id is longer than 20 characters.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from contractgate._openapi import load_spec
from contractgate.cli import main
from contractgate.fuzz import fuzz_spec
from contractgate.verify._proxy import RecordingProxy
from notifyhub.providers import run_provider

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-token-value"


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def write_config(folder: Path, service: str, *, max_examples: int | None = None) -> Path:
    """A one-service config whose token comes from CG_FUZZ_TOKEN (default: test-token)."""
    module = service.replace("-", "_")
    lines = [
        f"[services.{service}]",
        f'spec = "{ROOT / "openapi" / f"{service}.yaml"}"',
        'headers = { Authorization = "Bearer ${CG_FUZZ_TOKEN:-test-token}" }',
        f"[services.{service}.provider]",
        f'command = ["{{python}}", "-m", "notifyhub.providers.{module}", "--port", "{{port}}"]',
        'health = "/v1/health"',
    ]
    if max_examples is not None:
        lines += ["[fuzz]", f"max_examples = {max_examples}"]
    path = folder / "contractgate.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def replay(command: str, **env: str) -> str:
    """Run a reported reproduction command (in bash, with ``env``); the HTTP status it gets."""
    done = subprocess.run(
        ["bash", "-c", f"{command} --silent --output /dev/null --write-out '%{{http_code}}'"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.stdout


def test_the_hidden_500_is_found_within_the_default_budget_and_reproduces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Default budget (the config's 25 cases), a random seed; the curl replays the 500."""
    monkeypatch.setenv("CG_FUZZ_TOKEN", SECRET)
    monkeypatch.chdir(tmp_path)
    config = write_config(tmp_path, "template-service", max_examples=25)
    with run_provider("template-service", bug=True, tokens=[SECRET]) as provider:
        code, out, err = run(
            ["--config", str(config), "fuzz", "--base-url", provider.base_url, "--json"], capsys
        )
        assert err == ""
        assert code == 1
        service = json.loads(out)["services"][0]
        assert service["max_examples"] == 25
        (failure,) = [f for f in _failures(service) if f["check"] == "not_a_server_error"]
        assert failure["operation"] == "GET /templates"
        assert failure["status"] == 500
        page_size = int(parse_qs(urlsplit(failure["request"]["url"]).query)["page_size"][0])
        assert page_size > 50
        # The secret went out with every request, but is nowhere in what was reported.
        assert SECRET not in out
        assert failure["request"]["headers"]["Authorization"] == "[redacted]"
        assert '"Authorization: Bearer ${CG_FUZZ_TOKEN:-test-token}"' in failure["reproduce"]
        assert replay(failure["reproduce"], CG_FUZZ_TOKEN=SECRET) == "500"
    assert not (tmp_path / ".hypothesis").exists()
    assert not (tmp_path / ".schemathesis").exists()


@pytest.mark.parametrize(
    ("service", "operation", "defect"),
    [
        ("template-service", "GET /templates", "page_size"),
        ("user-service", "GET /users/{userId}", "/v1/users/u-"),
    ],
)
def test_a_small_fixed_seed_budget_finds_each_hidden_500(
    service: str, operation: str, defect: str
) -> None:
    spec = load_spec(ROOT / "openapi" / f"{service}.yaml")
    with run_provider(service, bug=True) as provider:  # type: ignore[arg-type]
        result = fuzz_spec(
            spec,
            provider.base_url,
            headers={"Authorization": "Bearer test-token"},
            max_examples=3,
            seed=1,
        )
        (failure,) = result.failures
        assert (failure.operation, failure.check, failure.status) == (
            operation,
            "not_a_server_error",
            500,
        )
        assert defect in failure.request.url
        assert '"Authorization: ${AUTHORIZATION}"' in failure.reproduce
        assert replay(failure.reproduce, AUTHORIZATION="Bearer test-token") == "500"
    assert result.seed == 1
    assert not result.passed


def test_the_reference_providers_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No false alarm: valid and invalid input, every check, both clean providers."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(
        ["--config", str(ROOT / "contractgate.toml"), "fuzz", "-n", "10", "--seed", "7"], capsys
    )
    assert err == ""
    assert code == 0, out
    lines = out.splitlines()
    assert any(line.startswith("user-service: passed - ") for line in lines)
    assert any(line.startswith("template-service: passed - ") for line in lines)
    assert "repeat with --seed 7" in out
    assert not (tmp_path / ".hypothesis").exists()


def test_the_same_seed_sends_the_same_cases() -> None:
    spec = load_spec(ROOT / "openapi" / "user-service.yaml")
    with run_provider("user-service") as provider:
        first, first_sent = _fuzz_recorded(spec, provider.base_url, seed=11)
        second, second_sent = _fuzz_recorded(spec, provider.base_url, seed=11)
        other, other_sent = _fuzz_recorded(spec, provider.base_url, seed=12)
    assert len(first_sent) > 50
    assert first_sent == second_sent
    assert first.fingerprint == second.fingerprint
    assert other_sent != first_sent
    assert other.fingerprint != first.fingerprint


def _fuzz_recorded(spec: Any, base_url: str, *, seed: int) -> tuple[Any, list[tuple[Any, ...]]]:
    """Fuzz through a recording proxy: the run, and every request the provider received."""
    proxy = RecordingProxy(base_url, states_url=None, timeout=10)
    with proxy.running():
        result = fuzz_spec(
            spec,
            proxy.url,
            headers={"Authorization": "Bearer test-token"},
            max_examples=5,
            seed=seed,
        )
    sent = [
        (
            r.method,
            r.target,
            r.request_body,
            sorted(
                (k.lower(), v)
                for k, v in r.request_headers
                if k.lower() not in ("host", "x-schemathesis-testcaseid")
            ),
        )
        for r in proxy.records
    ]
    return result, sent


def test_a_provider_that_is_down_is_a_clear_error_in_bounded_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    started = time.monotonic()
    code, out, err = run(
        ["fuzz", "--spec", str(ROOT / "openapi" / "user-service.yaml"), "--url", url,
         "--startup-timeout", "1"],
        capsys,
    )  # fmt: skip
    assert time.monotonic() - started < 10
    assert code == 3
    assert out == ""
    assert f"at {url} is not answering within 1s" in err
    assert "Connection refused" in err


@contextmanager
def hanging_provider() -> Iterator[str]:
    """Answers GET / (reachable) and the health path, then hangs on every other request."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            if self.path in ("/", "/v1/health"):
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")
            else:
                release.wait(60)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_hanging_provider_stops_the_run_in_bounded_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with hanging_provider() as url:
        started = time.monotonic()
        code, out, err = run(
            ["fuzz", "--spec", str(ROOT / "openapi" / "user-service.yaml"), "--url", url,
             "--timeout", "0.5", "--seed", "1", "-n", "5"],
            capsys,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert err == ""
    assert code == 1
    assert elapsed < 40
    assert "the provider stopped answering" in out
    assert "Read timed out" in out


def test_a_provider_that_dies_mid_run_stops_it_with_an_error() -> None:
    spec = load_spec(ROOT / "openapi" / "user-service.yaml")
    with run_provider("user-service") as provider:
        crash = threading.Timer(1.0, provider.process.kill)  # a run takes several seconds
        crash.start()
        try:
            started = time.monotonic()
            result = fuzz_spec(
                spec,
                provider.base_url,
                headers={"Authorization": "Bearer test-token"},
                max_examples=25,
                seed=1,
                timeout=1,
            )
            elapsed = time.monotonic() - started
        finally:
            crash.cancel()
        assert provider.process.poll() is not None
    assert elapsed < 30
    assert not result.passed
    (error,) = result.errors  # contractgate's or schemathesis's outage detection, first wins
    assert re.search(r"stopped (answering|responding)", error.message)


def test_usage_errors_are_one_message_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["fuzz", "--spec", str(ROOT / "openapi" / "user-service.yaml")], capsys)
    assert code == 2
    assert out == ""
    assert "give --spec PATH and --url URL" in err


def _failures(service: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for o in service["operations"] for f in o["failures"]]
