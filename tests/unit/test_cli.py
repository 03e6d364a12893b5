"""The CLI shell: version, usage errors, missing configuration, commands loaded lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from contractgate import InputError
from contractgate.cli import _command, app, main
from contractgate.stubs import load_scenario_file


@pytest.fixture(autouse=True)
def plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == "contractgate 0.1.0"


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "No such command 'frobnicate'" in capsys.readouterr().err


def test_missing_config_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "error: no contractgate.toml here or in any parent folder" in err
    assert "--config PATH" in err
    assert "Traceback" not in err


def test_every_command_is_listed_and_built_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    listed = capsys.readouterr().out
    for name in ("lint", "check", "stub", "diff", "verify", "fuzz", "gate"):
        assert f"│ {name} " in listed
        assert _command(name) is _command(name)
    assert app.registered_commands == []  # none is registered on the root app itself


def test_a_command_imports_only_its_own_module(tmp_path: Path) -> None:
    spec = Path(__file__).resolve().parents[2] / "openapi" / "user-service.yaml"
    probe = (
        "import sys\n"
        "from contractgate.cli import main\n"
        f"assert main(['lint', {str(spec)!r}]) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('contractgate._commands.')))\n"
        "print([m in sys.modules for m in ('schemathesis', 'contractgate.gate', 'pytest')])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    *_, modules, heavy = done.stdout.strip().splitlines()
    assert modules == "['contractgate._commands.lint']"
    assert heavy == "[False, False, False]"


def test_latency_distribution_must_be_a_name(tmp_path: Path) -> None:
    path = tmp_path / "scenarios.yaml"
    path.write_text(
        "scenarios:\n  s:\n    faults:\n"
        "      - latency: {distribution: [lognormal], p50: 1ms, p99: 2ms}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="distribution must be a name") as caught:
        load_scenario_file(path)
    assert caught.value.place is not None
    assert caught.value.place.startswith("4:")
