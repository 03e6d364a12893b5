"""``contractgate check``: consumers' pacts against providers' OpenAPI specs, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from .._errors import InputError
from .._project import Project, adhoc_project, load_project
from ..check import CheckResult, InteractionResult, PactResult, ServiceResult, check_project
from ..cli import JsonOutput, console, finish, state
from ._pact_table import pact_table

# A pact with more passing interactions than this lists the failing ones only.
_LIST_PASSED = 100
# Unused operations named in the summary (--json has them all).
_LIST_UNUSED = 10
# Response fields shown per operation and consumer (--json has them all).
_LIST_FIELDS = 12
_STYLE = {"passed": "green", "failed": "bold red", "not applicable": "dim"}
_MARK = {"passed": "pass", "failed": "FAIL", "not applicable": "n/a"}


def register(app: typer.Typer) -> None:
    """Add ``check`` to the CLI."""
    app.command(
        "check",
        help=(
            "Check consumers' pacts against providers' OpenAPI specs, without running "
            "either service (bi-directional contract testing).\n\n"
            "Uses every configured service, or only those named with --service; or, "
            "with --spec and --pact, the files given (no configuration needed). "
            "Exit code 0: compatible, 1: a pact relies on what the spec does not promise."
        ),
    )(check)


def check(
    ctx: typer.Context,
    service: Annotated[
        list[str] | None,
        typer.Option("--service", "-s", help="Check this configured service (repeatable)."),
    ] = None,
    spec: Annotated[
        str | None,
        typer.Option(
            "--spec",
            help="An OpenAPI file (a path or a file:// URL) to check pacts against (no config).",
        ),
    ] = None,
    pact: Annotated[
        list[str] | None,
        typer.Option("--pact", help="A pact file to check against --spec (repeatable)."),
    ] = None,
    as_json: JsonOutput = False,
) -> int:
    project = _project(ctx, service or [], spec, pact or [])
    return finish(check_project(project), render, as_json=as_json)


def _project(
    ctx: typer.Context, services: list[str], spec: str | None, pacts: list[str]
) -> Project:
    if spec is not None:
        if services:
            raise InputError(
                "--service and --spec exclude each other",
                hint="name configured services, or give a spec and pacts",
            )
        if not pacts:
            raise InputError(
                "--spec needs at least one --pact", hint="e.g. --pact contracts/my-pact.json"
            )
        return adhoc_project(spec, list(pacts))
    if pacts:
        raise InputError("--pact needs --spec", hint="or leave both out to use the configuration")
    return load_project(state(ctx).config(), services)


def render(result: CheckResult) -> None:
    """Print a check result: a table per pact, where each failure points, usage, summary."""
    for service in result.services:
        console.print(Text.assemble(("\n" + service.service, "bold"), f"  {service.spec}"))
        if not service.pacts:
            console.print("no pact names this provider: nothing to check")
        for pact in service.pacts:
            console.print(_pact_table(pact))
            for line in _places(pact):
                console.print(line)
            console.print()
        console.print(_usage_table(service))
    console.print(_summary(result))


def _pact_table(pact: PactResult) -> Table:
    table = pact_table(pact, "compatible" if pact.passed else "INCOMPATIBLE")
    table.add_column("Interaction / operation", ratio=7, overflow="fold")
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Reason", ratio=6, overflow="fold")
    quiet = [i for i in pact.interactions if i.verdict == "passed" and not i.findings]
    hide_quiet = len(quiet) > _LIST_PASSED
    for interaction in pact.interactions:
        if hide_quiet and interaction.verdict == "passed" and not interaction.findings:
            continue
        table.add_row(
            str(interaction.index),
            _label(interaction),
            Text(_MARK[interaction.verdict], style=_STYLE[interaction.verdict]),
            _reason(interaction),
        )
    if hide_quiet:
        table.add_row("", f"{len(quiet)} passed interactions not listed (--json has them)")
    return table


def _label(interaction: InteractionResult) -> Text:
    text = Text(interaction.description)
    if interaction.provider_states:
        text.append(f" (given {'; '.join(interaction.provider_states)})")
    operation = interaction.operation or interaction.request
    if operation:
        text.append(f"\n{operation}", style="dim")
    return text


def _reason(interaction: InteractionResult) -> Text:
    if interaction.not_applicable:
        return Text(interaction.not_applicable, style="dim")
    lines = []
    for finding in interaction.errors + interaction.warnings:
        style = "red" if finding.severity == "error" else "yellow"
        lines.append(Text.assemble((finding.code, style), "\n", finding.message))
    return Text("\n").join(lines)


def _places(pact: PactResult) -> list[Text]:
    """Where each finding stands, in the pact and in the spec: file:line:col, then pointer."""
    out = []
    for interaction in pact.interactions:
        for finding in interaction.errors + interaction.warnings:
            style = "red" if finding.severity == "error" else "yellow"
            out.append(Text.assemble(f"#{interaction.index} ", (finding.code, style)))
            for side, location in (("pact", finding.pact), ("spec", finding.spec)):
                if location is not None:
                    at = location.source
                    if location.line:
                        at += f":{location.line}:{location.column}"
                    out.append(
                        Text(f"   {side} {at}\n        {location.pointer or '/'}", style="dim")
                    )
    return out


def _usage_table(service: ServiceResult) -> Table:
    """The operations consumers use, with the response fields they read."""
    table = Table(
        title=f"{service.service}: what consumers rely on",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        expand=True,
    )
    table.add_column("Operation", ratio=1, overflow="fold")
    table.add_column("Used by (statuses): response fields", ratio=1, overflow="fold")
    for op in service.operations:
        consumers = [use.consumer for use in op.consumers]
        for use in op.consumers:
            who = use.consumer
            if consumers.count(who) > 1:  # one consumer, several pacts: tell them apart
                who += f" [{Path(use.pact).name}]"
            statuses = ", ".join(str(s) for s in use.statuses)
            fields = " ".join(use.response_fields[:_LIST_FIELDS])
            if len(use.response_fields) > _LIST_FIELDS:
                fields += f" (+{len(use.response_fields) - _LIST_FIELDS} more)"
            table.add_row(op.operation, f"{who} ({statuses}): {fields}".rstrip(": "))
    return table


def _summary(result: CheckResult) -> Text:
    counts = result.counts()
    text = Text(
        f"\n{_count(counts['pacts'], 'pact')}, {_count(counts['interactions'], 'interaction')}: "
        f"{counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['not_applicable']} not applicable, {_count(counts['warnings'], 'warning')}\n"
    )
    for service in result.services:
        if service.unused:
            names = [op.operation for op in service.unused]
            more = f" and {len(names) - _LIST_UNUSED} more" if len(names) > _LIST_UNUSED else ""
            unused = ", ".join(names[:_LIST_UNUSED]) + more
            text.append(f"{service.service}: not used by any consumer: {unused}\n")
    if result.passed:
        text.append("compatible", style="bold green")
    else:
        text.append("INCOMPATIBLE", style="bold red")
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
