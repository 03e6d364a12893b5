"""``contractgate lint [PATH...] [--json]``: check specs, pacts, scenarios and config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from .._config import CONFIG_NAME, find_config
from .._errors import EXIT_INPUT, EXIT_OK, InputError
from ..cli import console, print_json, state
from ..lint import LintReport, Problem, lint_paths

_STYLE = {"error": "bold red", "warning": "yellow"}


def register(app: typer.Typer) -> None:
    """Add the ``lint`` command to ``app``."""

    @app.command("lint")
    def lint(
        ctx: typer.Context,
        paths: Annotated[
            list[str] | None,  # not Path: it would fold https:// into https:/
            typer.Argument(
                help=f"Files to lint (default: the {CONFIG_NAME} and every file it names).",
                metavar="PATH",
                show_default=False,
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> int:
        """Check specs, pacts, scenario files and the configuration; report every problem.

        One line per problem: file:line:col: error: message (hint).

        Exit code 0 when no file has an error (warnings allowed), 2 otherwise.
        """
        report = lint_paths(paths or [_config_path(ctx)])
        if as_json:
            print_json(report.to_dict())
        else:
            _print(report)
        return EXIT_OK if report.ok else EXIT_INPUT


def _config_path(ctx: typer.Context) -> Path:
    path = state(ctx).config_path or find_config()
    if path is None:
        raise InputError(
            f"no {CONFIG_NAME} here or in any parent folder",
            hint="run where there is one, pass --config PATH, or give files to lint",
        )
    return path


def _print(report: LintReport) -> None:
    for problem in report.problems():
        console.print(_line(problem), soft_wrap=True)
    console.print(report.summary(), soft_wrap=True)


def _line(problem: Problem) -> Text:
    where = ":".join(part for part in (problem.source, problem.place) if part)
    line = Text.assemble(f"{where}: ", (problem.severity, _STYLE[problem.severity]), ": ")
    line.append(problem.message)
    if problem.hint:
        line.append(f" ({problem.hint})", style="dim")
    return line
