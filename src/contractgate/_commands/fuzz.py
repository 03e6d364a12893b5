"""``contractgate fuzz``: schema-driven tests (schemathesis) against a running provider."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from .._config import ProviderConfig
from .._errors import InputError
from .._openapi import load_spec
from .._provider import running_provider
from ..cli import JsonOutput, console, finish
from ..fuzz import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_TIMEOUT,
    FuzzFailure,
    FuzzReport,
    ServiceFuzz,
    fuzz_project,
    fuzz_spec,
)
from ._provider_options import (
    Headers,
    RequestTimeout,
    StartupTimeout,
    configured_project,
    parse_headers,
    refuse_configured,
)


def register(app: typer.Typer) -> None:
    """Add ``fuzz`` to the CLI."""
    app.command(
        "fuzz",
        help=(
            "Fuzz a running provider from its OpenAPI spec with schemathesis: valid and "
            "invalid requests per operation, every answer checked (no server error, "
            "documented status, content type, body and headers; invalid input rejected).\n\n"
            "Starts the provider with the command in the configuration unless --base-url "
            "names a running one. Without a configuration: --spec PATH --url URL. Every "
            "failure comes with a curl command that repeats it; --seed repeats a run. "
            "Exit code 0: no failure, 1: a check failed or the provider stopped answering."
        ),
    )(fuzz)


def fuzz(
    ctx: typer.Context,
    *,
    service: Annotated[
        str | None,
        typer.Argument(help="The configured service to fuzz (default: every one)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Fuzz the provider running at this URL instead."),
    ] = None,
    spec: Annotated[
        str | None,  # not Path: it would fold https:// into https:/
        typer.Option("--spec", help="The OpenAPI file to fuzz from (no config)."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="The provider to fuzz from --spec (its base path optional)."),
    ] = None,
    max_examples: Annotated[
        int | None,
        typer.Option(
            "--max-examples",
            "-n",
            min=1,
            help="Cases per operation and phase (default: the config's fuzz.max_examples, or 25).",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Repeat a run: same seed, same cases (default: random)."),
    ] = None,
    header: Headers = None,
    timeout: RequestTimeout = DEFAULT_TIMEOUT,
    startup_timeout: StartupTimeout = None,
    as_json: JsonOutput = False,
) -> int:
    headers = parse_headers(header)
    if spec is not None or url is not None:
        refuse_configured(
            service,
            base_url,
            adhoc="--spec and --url",
            hint="fuzz a configured service, or give a spec and a URL",
        )
        if spec is None or url is None:
            raise InputError(
                "without a configured service, give --spec PATH and --url URL",
                hint="e.g. --spec openapi/users.yaml --url http://127.0.0.1:8001",
            )
        loaded = load_spec(spec)
        config = ProviderConfig(base_url=url)
        with running_provider(loaded.title, config, startup_timeout=startup_timeout) as provider:
            result = fuzz_spec(
                loaded,
                provider.base_url,
                headers=headers,
                max_examples=max_examples or DEFAULT_MAX_EXAMPLES,
                seed=seed,
                timeout=timeout,
            )
        report = FuzzReport([result])
    else:
        report = fuzz_project(
            configured_project(ctx, service),
            base_url=base_url,
            headers=headers,
            max_examples=max_examples,
            seed=seed,
            timeout=timeout,
            startup_timeout=startup_timeout,
        )
    return finish(report, render, as_json=as_json)


def render(report: FuzzReport) -> None:
    """Print a fuzz run: a table of operations, each failure with its curl, a summary."""
    for result in report.services:
        console.print(
            Text.assemble(
                ("\n" + result.service, "bold"),
                f"  {result.base_url}  seed {result.seed}, {result.max_examples} examples",
            )
        )
        console.print(_table(result))
        for failure in result.failures:
            for line in _details(failure):
                console.print(line, soft_wrap=True)
        for operation in result.operations:
            for error in operation.errors:
                console.print(
                    Text.assemble(("error ", "red"), f"{operation.operation}: {error.message}"),
                    soft_wrap=True,
                )
        for error in result.errors:
            console.print(Text.assemble(("error ", "bold red"), error.message), soft_wrap=True)
        console.print(_summary(result), soft_wrap=True)


def _table(result: ServiceFuzz) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True)
    table.add_column("Operation", ratio=1, overflow="fold")
    table.add_column("Cases", justify="right", no_wrap=True)
    table.add_column("Failures", justify="right", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    for operation in result.operations:
        verdict = ("pass", "green") if operation.passed else ("FAIL", "bold red")
        table.add_row(
            operation.operation,
            str(operation.cases),
            str(len(operation.failures)),
            Text(verdict[0], style=verdict[1]),
        )
    return table


def _details(failure: FuzzFailure) -> list[Text]:
    times = f" x{failure.count}" if failure.count > 1 else ""
    lines = [
        Text.assemble(
            "  ",
            ("FAIL", "bold red"),
            f" {failure.operation}: {failure.check} ({failure.code} {failure.title}){times},"
            f" found in {failure.phase}",
        )
    ]
    for line in failure.message.splitlines()[:6]:
        if line.strip():
            lines.append(Text(f"    {line}"))
    if failure.status is not None:
        lines.append(Text(f"    answered {failure.status}: {failure.response or '(no body)'}"))
    lines.append(Text.assemble("    reproduce: ", (failure.reproduce, "cyan")))
    return lines


def _summary(result: ServiceFuzz) -> Text:
    verdict = ("passed", "bold green") if result.passed else ("FAILED", "bold red")
    rate = f", {result.cases / result.duration:.0f} cases/s" if result.duration else ""
    failures = len(result.failures)
    return Text.assemble(
        f"{result.service}: ",
        verdict,
        f" - {result.cases} cases, {failures} failure{'s' if failures != 1 else ''} "
        f"({result.duration:.1f}s{rate}); repeat with --seed {result.seed}",
    )
