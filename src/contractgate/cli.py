"""The ``contractgate`` command: a thin layer that maps options onto library calls.

Each command lives in its own module under ``contractgate._commands`` and is imported
only when it runs (``contractgate verify`` does not pay for schemathesis or
Mountebank's client); this module holds what they share: the global options, finding
and loading the configuration, the consoles, JSON output and the mapping from
exceptions to exit codes (0 passed, 1 a contract failed, 2 bad input or usage,
3 a tool or server contractgate drives failed). No traceback reaches the user.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from . import __version__
from ._config import CONFIG_NAME, Config, find_config, load_config
from ._errors import EXIT_FAILED, EXIT_INPUT, EXIT_OK, EXIT_SETUP, ContractgateError, InputError

if TYPE_CHECKING:
    from typer._click.core import Command, Context  # typer vendors click; types only

# Command modules, each defining ``register(app)``, in the order ``--help`` lists them.
_COMMANDS: tuple[str, ...] = ("lint", "check", "stub", "diff", "verify", "fuzz", "gate")


@functools.cache
def _command(name: str) -> Command:
    """The click command ``name``, its module imported and registered on first use."""
    scratch = typer.Typer(rich_markup_mode="rich")
    scratch.callback()(lambda: None)  # a callback makes the scratch app a group
    importlib.import_module(f"contractgate._commands.{name}").register(scratch)
    group = typer.main.get_command(scratch)
    assert isinstance(group, typer.core.TyperGroup)
    return group.commands[name]


class _LazyGroup(typer.core.TyperGroup):
    """The root group: knows the command names, imports a command when it is asked for."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        return _command(cmd_name) if cmd_name in _COMMANDS else None


app = typer.Typer(
    name="contractgate",
    cls=_LazyGroup,
    help=(
        "Contract testing and service virtualization from OpenAPI specs and Pact files.\n\n"
        "Exit codes: 0 passed, 1 a contract failed, 2 bad input or usage, "
        "3 a tool or server contractgate drives failed."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class State:
    """Global options, shared by every command through the click context."""

    def __init__(self, config_path: Path | None) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    def config(self) -> Config:
        """The configuration named by ``--config``, else the nearest ``contractgate.toml``."""
        if self._config is None:
            path = self.config_path or find_config()
            if path is None:
                raise InputError(
                    f"no {CONFIG_NAME} here or in any parent folder",
                    hint="run where there is one, pass --config PATH, or give paths as arguments",
                )
            self._config = load_config(path)
        return self._config


def state(ctx: typer.Context) -> State:
    """The :class:`State` of the running command."""
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to standard output (no colour, no wrapping)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


JsonOutput = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


class _Outcome(Protocol):
    @property
    def passed(self) -> bool: ...

    def to_dict(self) -> dict[str, Any]: ...


_O = TypeVar("_O", bound=_Outcome)


def finish(outcome: _O, render: Callable[[_O], None], *, as_json: bool) -> int:
    """Print ``outcome`` as JSON or with ``render``; the exit code: 0 passed, 1 failed."""
    if as_json:
        print_json(outcome.to_dict())
    else:
        render(outcome)
    return EXIT_OK if outcome.passed else EXIT_FAILED


def _version(value: bool) -> None:
    if value:
        console.print(f"contractgate {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help=f"Configuration file (default: the nearest {CONFIG_NAME} upwards).",
            dir_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_version
        ),
    ] = False,
) -> None:
    ctx.obj = State(config)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    try:
        result = app(args=argv, standalone_mode=False)
    except ContractgateError as exc:
        err_console.print(Text.assemble(("error: ", "bold red"), str(exc)), soft_wrap=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err_console.print(Text.assemble(("error: ", "bold red"), str(exc)))
        return EXIT_INPUT
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("interrupted")
        return 130
    return result if isinstance(result, int) else 0


__all__ = [
    "EXIT_SETUP",
    "JsonOutput",
    "app",
    "console",
    "err_console",
    "finish",
    "main",
    "print_json",
    "state",
]
