"""Starting and reaching a provider: placeholders, redaction, and every way it can fail.

The failure cases run real (tiny) processes: a provider that exits, one that never
answers, one that ignores SIGTERM. None of them serves HTTP; the ones that do are in
tests/integration/test_verify_provider.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contractgate._config import ProviderConfig
from contractgate._errors import InputError, ServiceError, SetupError
from contractgate._provider import (
    REDACTED,
    free_port,
    is_secret_header,
    join_url,
    parse_header,
    provider_command,
    redact_headers,
    running_provider,
    stop_process,
)


def test_placeholders_are_filled_in_every_argument() -> None:
    argv = provider_command(
        ["{python}", "-m", "app", "--port={port}", "--bind", "{host}:{port}", "{other}"], port=4321
    )
    assert argv == [
        sys.executable,
        "-m",
        "app",
        "--port=4321",
        "--bind",
        "127.0.0.1:4321",
        "{other}",
    ]


@pytest.mark.parametrize(
    "name",
    ["Authorization", "authorization", "Cookie", "Set-Cookie", "X-Api-Key", "X-Auth-Token",
     "Proxy-Authorization", "X-Session-Id", "Client-Secret"],
)  # fmt: skip
def test_credential_headers_are_secret(name: str) -> None:
    assert is_secret_header(name)


@pytest.mark.parametrize("name", ["Content-Type", "X-Request-ID", "Accept", "Retry-After"])
def test_ordinary_headers_are_not_secret(name: str) -> None:
    assert not is_secret_header(name)


def test_redaction_keeps_names_and_hides_values() -> None:
    headers = {"Authorization": "Bearer abc", "Accept": "application/json", "X-Api-Key": "k"}
    assert redact_headers(headers) == {
        "Authorization": REDACTED,
        "Accept": "application/json",
        "X-Api-Key": REDACTED,
    }


def test_header_option_parses_name_and_value() -> None:
    assert parse_header("Authorization:  Bearer a:b ") == ("Authorization", "Bearer a:b")


@pytest.mark.parametrize("text", ["no colon", ": value", "Two Words: x"])
def test_malformed_header_option_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="is not a header") as caught:
        parse_header(text)
    assert caught.value.source == "--header"
    assert caught.value.exit_code == 2


def test_paths_join_below_the_base_url_and_urls_stay() -> None:
    assert join_url("http://h:1/api/", "/v1/health") == "http://h:1/api/v1/health"
    assert join_url("http://h:1", "states") == "http://h:1/states"
    assert join_url("http://h:1", "http://other:2/s") == "http://other:2/s"


def test_free_port_is_bindable() -> None:
    import socket

    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_no_command_and_no_url_is_an_input_error() -> None:
    with (
        pytest.raises(InputError, match="no provider to verify against") as caught,
        running_provider("users", None, source="contractgate.toml"),
    ):
        pass
    assert caught.value.place == "services.users.provider"
    assert caught.value.source == "contractgate.toml"


def test_a_command_without_a_port_placeholder_is_refused() -> None:
    config = ProviderConfig(command=("{python}", "-m", "app"))
    with (
        pytest.raises(InputError, match=r"no \{port\} placeholder") as caught,
        running_provider("users", config, source="c.toml"),
    ):
        pass
    assert caught.value.place == "services.users.provider.command"


def test_a_command_that_does_not_exist_is_a_setup_error() -> None:
    config = ProviderConfig(command=("/nonexistent/provider-binary", "--port", "{port}"))
    with (
        pytest.raises(SetupError, match="/nonexistent/provider-binary") as caught,
        running_provider("users", config),
    ):
        pass
    assert caught.value.exit_code == 3


def test_a_provider_that_exits_names_command_health_url_and_stderr() -> None:
    script = "import sys; print('boom: database unreachable', file=sys.stderr); sys.exit(4)"
    config = ProviderConfig(command=("{python}", "-c", script, "{port}"), health="/v1/health")
    started = time.monotonic()
    with pytest.raises(ServiceError) as caught, running_provider("users", config):
        pass
    message = str(caught.value)
    assert time.monotonic() - started < 10
    assert "exited with code 4" in message
    assert sys.executable in message
    assert "/v1/health" in message
    assert "boom: database unreachable" in message


def test_a_provider_that_never_answers_times_out(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = (
        "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); "
        "print('still warming up', file=sys.stderr, flush=True); time.sleep(60)"
    )
    config = ProviderConfig(command=("{python}", "-c", script, str(pid_file), "{port}"))
    started = time.monotonic()
    with (
        pytest.raises(ServiceError) as caught,
        running_provider("users", config, startup_timeout=1),
    ):
        pass
    assert time.monotonic() - started < 8
    message = str(caught.value)
    assert "did not get ready within 1s" in message
    assert "Connection refused" in message
    assert "still warming up" in message
    _assert_gone(int(pid_file.read_text()))


def test_an_adopted_url_that_is_down_fails_within_the_timeout() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with (
        pytest.raises(ServiceError, match="is not answering within 1s") as caught,
        running_provider("users", ProviderConfig(), base_url=url, startup_timeout=1),
    ):
        pass
    assert time.monotonic() - started < 5
    assert url in str(caught.value)
    assert "Connection refused" in str(caught.value)


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://host/x", "http://"])
def test_an_adopted_url_must_be_http(url: str) -> None:
    with (
        pytest.raises(InputError, match="is not an http"),
        running_provider("users", ProviderConfig(), base_url=url),
    ):
        pass


def test_a_missing_environment_variable_in_env_names_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CG_TEST_UNSET", raising=False)
    config = ProviderConfig(
        command=("{python}", "-c", "pass", "{port}"), env={"DB": "${CG_TEST_UNSET}"}
    )
    with (
        pytest.raises(InputError, match="CG_TEST_UNSET is not set") as caught,
        running_provider("users", config, source="c.toml"),
    ):
        pass
    assert caught.value.place == "services.users.provider.env.DB"


def test_a_process_ignoring_sigterm_is_killed_with_its_children(tmp_path: Path) -> None:
    """SIGTERM goes to the whole process group, SIGKILL after the grace period."""
    pids = tmp_path / "pids"
    script = (
        "import os, signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "open(sys.argv[1], 'w').write(f'{os.getpid()} {child.pid}')\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(pids)], start_new_session=True)
    deadline = time.monotonic() + 10
    while not pids.exists() or len(pids.read_text().split()) < 2:
        assert time.monotonic() < deadline, "the test process did not start"
        time.sleep(0.02)
    started = time.monotonic()
    stop_process(process, grace=0.3)
    assert time.monotonic() - started < 3
    assert process.returncode == -signal.SIGKILL
    for pid in pids.read_text().split():
        _assert_gone(int(pid))


def _assert_gone(pid: int) -> None:
    """The process no longer runs (reaped, or a zombie about to be)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ", 1)[1].startswith("Z"):
                    return
        except FileNotFoundError:
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    raise AssertionError(f"process {pid} outlived the provider block")
