"""``contractgate verify``: replay consumers' pacts against a real provider."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from .._config import ProviderConfig
from .._errors import InputError
from .._pact import load_pact
from .._project import adhoc_project
from .._provider import running_provider
from ..cli import JsonOutput, console, finish
from ..verify import (
    DEFAULT_TIMEOUT,
    InteractionVerification,
    PactVerification,
    ServiceVerification,
    VerifyReport,
    verify_pacts,
    verify_project,
    verify_service,
)
from ._pact_table import pact_table
from ._provider_options import (
    Headers,
    RequestTimeout,
    StartupTimeout,
    configured_project,
    parse_headers,
    refuse_configured,
)

_STYLE = {"passed": "green", "failed": "bold red", "pending": "yellow", "not_applicable": "dim"}
_MARK = {"passed": "pass", "failed": "FAIL", "pending": "pending", "not_applicable": "n/a"}
_SHOWN_VALUE = 200  # characters of an expected or actual value printed on the terminal


def register(app: typer.Typer) -> None:
    """Add ``verify`` to the CLI."""
    app.command(
        "verify",
        help=(
            "Replay consumers' pacts against a running provider (pact-python's verifier) "
            "and check every real response against the provider's OpenAPI spec.\n\n"
            "Starts the provider with the command in the configuration (on a free "
            "loopback port, stopped afterwards) unless --base-url names a running one. "
            "Without a configuration: --pact PATH --provider-url URL [--states-url URL] "
            "[--spec PATH]. Exit code 0: every interaction passed, 1: one failed."
        ),
    )(verify)


def verify(
    ctx: typer.Context,
    *,
    service: Annotated[
        str | None,
        typer.Argument(help="The configured service to verify (default: every one with pacts)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Verify the provider running at this URL instead."),
    ] = None,
    pact: Annotated[
        list[Path] | None,
        typer.Option(
            "--pact", help="A pact file to verify (repeatable; no config).", dir_okay=False
        ),
    ] = None,
    provider_url: Annotated[
        str | None, typer.Option("--provider-url", help="The provider to verify --pact against.")
    ] = None,
    states_url: Annotated[
        str | None,
        typer.Option("--states-url", help="Where the provider sets provider states (POST)."),
    ] = None,
    spec: Annotated[
        Path | None,
        typer.Option(
            "--spec", help="Check every response against this OpenAPI file too.", dir_okay=False
        ),
    ] = None,
    header: Headers = None,
    timeout: RequestTimeout = DEFAULT_TIMEOUT,
    startup_timeout: StartupTimeout = None,
    as_json: JsonOutput = False,
) -> int:
    headers = parse_headers(header)
    if pact or provider_url or states_url or spec:
        refuse_configured(
            service,
            base_url,
            adhoc="--pact, --provider-url, --states-url and --spec",
            hint="verify a configured service, or give pacts and a provider URL",
        )
        if not pact or not provider_url:
            raise InputError(
                "without a configured service, give --pact PATH and --provider-url URL",
                hint="e.g. --pact contracts/web-users.json --provider-url http://127.0.0.1:8001",
            )
        report = _adhoc(
            pact,
            provider_url=provider_url,
            states_url=states_url,
            spec=spec,
            headers=headers,
            timeout=timeout,
            startup_timeout=startup_timeout,
        )
    else:
        report = verify_project(
            configured_project(ctx, service),
            base_url=base_url,
            headers=headers,
            timeout=timeout,
            startup_timeout=startup_timeout,
        )
    return finish(report, render, as_json=as_json)


def _adhoc(
    pacts: list[Path],
    *,
    provider_url: str,
    states_url: str | None,
    spec: Path | None,
    headers: dict[str, str],
    timeout: float,
    startup_timeout: float | None,
) -> VerifyReport:
    loaded = [load_pact(p) for p in pacts]
    name = loaded[0].provider
    config = ProviderConfig(base_url=provider_url, states=states_url)
    with running_provider(name, config, startup_timeout=startup_timeout) as provider:
        if spec is None:
            result = verify_pacts(loaded, provider, headers=headers, timeout=timeout)
        else:
            service = adhoc_project(spec, list(pacts)).services[0]
            result = verify_service(service, provider, headers=headers, timeout=timeout)
    return VerifyReport([result])


def render(report: VerifyReport) -> None:
    """Print a verification: a table per pact, then what failed, in full; then a summary."""
    for service in report.services:
        console.print(Text.assemble(("\n" + service.service, "bold"), f"  {service.provider_url}"))
        for pact in service.pacts:
            console.print(_pact_table(pact))
            for interaction in pact.interactions:
                if interaction.verdict in ("failed", "pending"):
                    for line in _details(interaction):
                        console.print(line, soft_wrap=True)
        for problem in service.problems:
            console.print(Text.assemble(("problem: ", "bold red"), problem), soft_wrap=True)
        console.print(_summary(service), soft_wrap=True)


def _pact_table(pact: PactVerification) -> Table:
    table = pact_table(pact, "verified" if pact.passed else "FAILED")
    table.add_column("Interaction", ratio=4, overflow="fold")
    table.add_column("Request", ratio=5, overflow="fold")
    table.add_column("Status", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    for interaction in pact.interactions:
        table.add_row(
            str(interaction.index),
            interaction.label,
            interaction.request or interaction.not_applicable or "",
            _status(interaction),
            Text(_MARK[interaction.verdict], style=_STYLE[interaction.verdict]),
        )
    return table


def _status(interaction: InteractionVerification) -> str:
    expected = interaction.expected_status
    actual = interaction.exchange.status if interaction.exchange else None
    if expected is None:
        return ""
    if actual is None or actual == expected:
        return str(expected)
    return f"{expected}->{actual}"


def _details(interaction: InteractionVerification) -> list[Text]:
    """Why an interaction failed: pact's mismatches and the spec's violations, at their paths."""
    mark = _MARK[interaction.verdict]
    lines = [
        Text.assemble(
            "  ", (mark, _STYLE[interaction.verdict]), f" #{interaction.index} {interaction.label}"
        )
    ]
    if interaction.error:
        lines.append(Text.assemble("    ", ("error ", "red"), interaction.error))
    for mismatch in interaction.mismatches:
        where = f" {mismatch.path}" if mismatch.path else ""
        lines.append(
            Text.assemble("    ", ("pact ", "red"), f"{mismatch.kind}{where}: ", mismatch.message)
        )
        if mismatch.expected is not None or mismatch.actual is not None:
            lines.append(Text(f"      expected: {_shown(mismatch.expected)}"))
            lines.append(Text(f"      actual:   {_shown(mismatch.actual)}"))
    for violation in interaction.spec_violations:
        where = f" {violation.path}" if violation.path else ""
        line = Text.assemble(
            "    ", ("spec ", "red"), f"{violation.part}{where}: ", violation.message
        )
        if violation.spec:
            line.append(f"  [{violation.spec}]", style="dim")
        lines.append(line)
    return lines


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 3] + "..."


def _summary(service: ServiceVerification) -> Text:
    counts = service.counts()
    parts = [f"{counts['passed']} passed", f"{counts['failed']} failed"]
    parts += [
        f"{counts[k]} {k.replace('_', ' ')}" for k in ("pending", "not_applicable") if counts[k]
    ]
    verdict = ("verified", "bold green") if service.passed else ("FAILED", "bold red")
    return Text.assemble(
        f"{service.service}: ",
        verdict,
        f" - {counts['interactions']} interactions: {', '.join(parts)} ({service.duration:.2f}s)",
    )
