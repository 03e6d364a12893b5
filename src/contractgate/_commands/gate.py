"""``contractgate gate``: every stage for every service, reports, and one exit code for CI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from .._errors import EXIT_FAILED, EXIT_INPUT, EXIT_OK, EXIT_SETUP
from ..cli import console, err_console, print_json, state
from ..gate import (
    DEFAULT_STAGES,
    STAGES,
    GateEvent,
    GateOptions,
    GateResult,
    StageFinished,
    StageResult,
    StageStarted,
    Status,
    run_gate,
)
from ..report import write_reports

_STYLE = {
    Status.PASSED: "green",
    Status.FAILED: "bold red",
    Status.ERROR: "bold yellow",
    Status.SKIPPED: "dim",
    Status.NOT_APPLICABLE: "dim",
}
_MAX_PROBLEMS = 15


def register(app: typer.Typer) -> None:
    """Add ``gate`` to the CLI."""
    app.command(
        "gate",
        help=(
            "Run every stage for every configured service and fail on a broken contract: "
            "lint, diff (with --base), check, verify, fuzz and resilience.\n\n"
            "A stage whose prerequisite failed is skipped with the reason; every other "
            "stage still runs. Writes junit.xml, gate.json, summary.md and index.html "
            "into the reports folder. Exit code 0: passed, 1: a contract failed, "
            "2: bad input (lint failed), 3: a provider or tool could not run."
        ),
    )(gate)


def gate(
    ctx: typer.Context,
    service: Annotated[
        list[str] | None,
        typer.Option("--service", "-s", help="Gate only this service (repeatable)."),
    ] = None,
    stages: Annotated[
        str | None,
        typer.Option(
            "--stages",
            help=f"Comma-separated stages to run, of: {', '.join(STAGES)} "
            f"(default: {','.join(DEFAULT_STAGES)}, plus diff with --base).",
        ),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option("--base", help="Git ref to diff each spec against, e.g. origin/main."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail on breaking changes no consumer relies on.")
    ] = False,
    max_examples: Annotated[
        int | None,
        typer.Option("--max-examples", min=1, help="Fuzz examples per operation."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Fuzz seed.")] = None,
    reports: Annotated[
        Path | None,
        typer.Option("--reports", help="Report folder (default: the config's reports)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print gate.json to stdout; progress goes to stderr.")
    ] = False,
) -> int:
    config = state(ctx).config()
    chosen = tuple(s.strip() for s in stages.split(",") if s.strip()) if stages else DEFAULT_STAGES
    if base is not None and stages is None:
        chosen = ("lint", "diff", *chosen[1:])
    options = GateOptions(
        stages=chosen,
        services=tuple(service or ()),
        base=base,
        strict=strict,
        max_examples=max_examples,
        seed=seed,
    )
    progress = err_console if as_json else console
    with _Progress(progress) as show:
        result = run_gate(config, options, show.event)
    written = write_reports(result, reports or config.reports)
    if as_json:
        print_json(result.to_dict())
    else:
        render(result)
        folder = written["html"].parent
        shown = folder.relative_to(Path.cwd()) if folder.is_relative_to(Path.cwd()) else folder
        console.print(f"reports: {shown}/ (junit.xml, gate.json, summary.md, index.html)")
    return exit_code(result)


def exit_code(result: GateResult) -> int:
    """0 passed; 2 when lint failed (bad input); 1 when a contract failed; 3 when a stage erred."""
    statuses = {(s.stage, s.status) for s in result.stages}
    if ("lint", Status.FAILED) in statuses:
        return EXIT_INPUT
    if any(status is Status.FAILED for _, status in statuses):
        return EXIT_FAILED
    if any(status is Status.ERROR for _, status in statuses):
        return EXIT_SETUP
    return EXIT_OK


class _Progress:
    """Live progress: a spinner on the running stage in a terminal, plain lines elsewhere."""

    def __init__(self, target: Console) -> None:
        self.console = target
        self.live: Live | None = None

    def __enter__(self) -> _Progress:
        if self.console.is_terminal:
            self.live = Live(console=self.console, transient=True, refresh_per_second=8)
            self.live.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.live is not None:
            self.live.stop()

    def event(self, event: GateEvent) -> None:
        if isinstance(event, StageStarted):
            if self.live is not None:
                self.live.update(Spinner("dots", f"{event.stage} · {event.service}"))
        elif isinstance(event, StageFinished):
            self.console.print(_line(event.result), soft_wrap=True)


def _line(result: StageResult) -> Text:
    counts = ", ".join(f"{n} {name}" for name, n in result.counts.items() if n)
    text = Text.assemble(
        (f"{result.status.value:>14}", _STYLE[result.status]),
        f"  {result.stage:<10} {result.service:<20}",
        (f"  {result.duration:.1f}s", "dim"),
    )
    if counts:
        text.append(f"  {counts}")
    if result.reason:
        text.append(f"  ({result.reason.splitlines()[0]})", "dim")
    return text


def render(result: GateResult) -> None:
    """The summary table, then the failures (first few) with their messages."""
    stages = result.stage_names
    table = Table(box=box.SIMPLE_HEAD, title=f"contractgate gate: {result.status.value}")
    table.add_column("service")
    for stage in stages:
        table.add_column(stage)
    for name in result.services:
        cells: list[Text | str] = []
        for stage in stages:
            found = result.find(name, stage)
            cells.append(Text(found.status.value, _STYLE[found.status]) if found else "")
        table.add_row(name, *cells)
    console.print(table)
    problems = [
        (run, case)
        for run in result.stages
        for case in run.cases
        if case.status in (Status.FAILED, Status.ERROR)
    ]
    for run, case in problems[:_MAX_PROBLEMS]:
        who = f"{case.consumer} -> " if case.consumer else ""
        console.print(
            Text.assemble(
                (f"{case.status.value}: ", _STYLE[case.status]),
                f"{run.stage} · {who}{run.service} · {case.name}",
            ),
            soft_wrap=True,
        )
        for line in case.message.splitlines()[:6]:
            console.print(f"    {line}", soft_wrap=True, markup=False, highlight=False)
    if len(problems) > _MAX_PROBLEMS:
        console.print(f"... and {len(problems) - _MAX_PROBLEMS} more (see the reports)")
    seconds = f"{result.duration:.1f}s"
    console.print(f"{len(result.stages)} stage runs in {seconds}: {result.status.value}")
