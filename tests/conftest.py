"""Fixtures shared by the test suites: running ``contractgate`` as a user's terminal would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import pytest

from contractgate.cli import main

CONTRACTGATE = Path(sys.executable).with_name("contractgate")
"""The console script installed next to the interpreter running the tests."""

PLAIN_TERMINAL = {"NO_COLOR": "1", "COLUMNS": "80"}
"""A terminal without colours, 80 columns wide: what the expected outputs are written for."""

CliRun = Callable[[Sequence[str]], tuple[int, str, str]]


class ConsoleRun(Protocol):
    def __call__(self, args: Sequence[str], *, cwd: Path) -> subprocess.CompletedProcess[str]: ...


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> CliRun:
    """Call ``contractgate.cli.main`` in process on a plain 80-column terminal.

    The returned function takes the arguments and returns ``(exit code, stdout, stderr)``.
    """
    for name, value in PLAIN_TERMINAL.items():
        monkeypatch.setenv(name, value)

    def run(args: Sequence[str]) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def run_console_script() -> ConsoleRun:
    """Run the real ``contractgate`` process on a plain 80-column terminal.

    The returned function takes the arguments and the working folder (``cwd=``) and
    returns the finished process, its output as text; a non-zero exit is not an error.
    """

    def run(args: Sequence[str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CONTRACTGATE), *args],
            cwd=cwd,
            env={**os.environ, **PLAIN_TERMINAL, "PACT_DO_NOT_TRACK": "true"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run
