"""``contractgate diff``: breaking changes between two spec versions, and whom they break."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from .._config import CONFIG_NAME, find_config
from .._errors import InputError
from .._openapi import load_spec
from .._pact import Pact, load_pact
from .._project import load_project
from ..cli import JsonOutput, console, finish, state
from ..diff import Change, DiffReport, DiffResult, diff_against_ref, diff_services, diff_specs

_STYLE = {"breaking": "bold red", "possibly-breaking": "yellow", "safe": "green"}
_SHOWN_PLACES = 3
_USAGE = "give OLD and NEW spec files, or --base REF with one SPEC, or --base REF alone"


def register(app: typer.Typer) -> None:
    """Add the ``diff`` command to ``app``."""

    @app.command("diff")
    def diff(
        ctx: typer.Context,
        *,
        specs: Annotated[
            list[Path] | None,
            typer.Argument(
                help="OLD NEW spec files; or one SPEC with --base; or none with --base "
                f"(every service of the {CONFIG_NAME}).",
                show_default=False,
                metavar="[OLD NEW | SPEC]",
            ),
        ] = None,
        base: Annotated[
            str | None,
            typer.Option("--base", metavar="REF", help="Take the old spec from this git revision."),
        ] = None,
        services: Annotated[
            list[str] | None,
            typer.Option(
                "--service", "-s", help="Only this configured service (repeatable).", metavar="NAME"
            ),
        ] = None,
        pacts: Annotated[
            list[Path] | None,
            typer.Option(
                "--pact",
                metavar="FILE",
                help="A consumer's pact file (repeatable); default: the configured service's.",
                dir_okay=False,
            ),
        ] = None,
        strict: Annotated[
            bool,
            typer.Option("--strict", help="Fail on every breaking change, relied on or not."),
        ] = False,
        as_json: JsonOutput = False,
    ) -> int:
        """Classify every change between two versions of a spec; name the consumers it breaks.

        Each change is breaking, possibly breaking or safe, by a rule code. The pacts of
        the consumers (the configured service's, or --pact) say who relies on it.
        Exit code 1 when a breaking change breaks a consumer (with --strict: any
        breaking change), 0 otherwise, 2 on bad input.
        """
        paths = specs or []
        if base is None and len(paths) == 2:
            report = DiffReport(
                [_two_files(ctx, paths[0], paths[1], services=services, pacts=pacts, strict=strict)]
            )
        elif base is not None and len(paths) == 1:
            report = DiffReport(
                [_at_ref(ctx, paths[0], base, services=services, pacts=pacts, strict=strict)]
            )
        elif base is not None and not paths:
            if pacts:
                raise InputError(
                    "--pact goes with spec files",
                    source="--pact",
                    hint="with --base alone, each configured service's pacts are used",
                )
            project = load_project(state(ctx).config(), services)
            report = diff_services(project.services, base, strict=strict)
        else:
            raise InputError(f"{len(paths)} spec file(s) given", source="diff", hint=_USAGE)
        return finish(report, _render, as_json=as_json)


def _two_files(
    ctx: typer.Context,
    old: Path,
    new: Path,
    *,
    services: list[str] | None,
    pacts: list[Path] | None,
    strict: bool,
) -> DiffResult:
    name, loaded = _pacts(ctx, [new, old], services, pacts)
    return diff_specs(load_spec(old), load_spec(new), loaded, strict=strict, service=name)


def _at_ref(
    ctx: typer.Context,
    spec: Path,
    ref: str,
    *,
    services: list[str] | None,
    pacts: list[Path] | None,
    strict: bool,
) -> DiffResult:
    new = load_spec(spec)
    name, loaded = _pacts(ctx, [spec], services, pacts)
    return diff_against_ref(spec, ref, loaded, new=new, strict=strict, service=name)


def _pacts(
    ctx: typer.Context, specs: list[Path], services: list[str] | None, pacts: list[Path] | None
) -> tuple[str | None, list[Pact]]:
    """The service (if known) and the consumers' pacts for specs given as files.

    ``--pact`` files win; else the configured service named by ``--service``, or the
    one whose spec is one of ``specs`` (in order); else no pacts (nothing is known to
    rely on anything).
    """
    if services and len(services) > 1:
        raise InputError("one --service at most with spec files", source="--service", hint=_USAGE)
    if pacts:
        loaded = [load_pact(p) for p in pacts]
        return (services[0] if services else loaded[0].provider), loaded
    if not services and state(ctx).config_path is None and find_config() is None:
        return None, []
    config = state(ctx).config()
    if services:
        name = config.service(services[0]).name
    else:
        by_spec = {s.spec.resolve(): s.name for s in config.services.values()}
        found = [by_spec[p.resolve()] for p in specs if p.resolve() in by_spec]
        if not found:
            return None, []
        name = found[0]
    return name, load_project(config, [name]).services[0].pacts


def _render(report: DiffReport) -> None:
    for result in report.results:
        _print(result)


def _print(result: DiffResult) -> None:
    title = f"{result.service}: " if result.service else ""
    console.print(Text(f"{title}{result.old} -> {result.new}", style="bold"), soft_wrap=True)
    if result.note:
        console.print(result.note, soft_wrap=True)
        return
    if not result.changes:
        console.print("no changes")
    else:
        table = Table(box=box.SIMPLE_HEAD, show_lines=True, pad_edge=False, expand=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("rule / change", ratio=4, overflow="fold")
        table.add_column("location (-old +new)", ratio=3, overflow="fold")
        table.add_column("affected", ratio=3, overflow="fold")
        for change in result.changes:
            table.add_row(
                Text(change.severity.replace("-", "\n"), style=_STYLE[change.severity]),
                _what(change),
                _where(change, result),
                _affected(change),
            )
        console.print(table)
    if not result.consumers:
        console.print(
            "no pacts: who relies on what is unknown (breaking changes fail with --strict)",
            style="dim",
            soft_wrap=True,
        )
    for item in result.unmatched:
        console.print(
            f"{item.consumer}: {item.description}: {item.relies_on} (see contractgate check)",
            style="dim",
            soft_wrap=True,
        )
    console.print(_summary(result), soft_wrap=True)


def _what(change: Change) -> Text:
    text = Text(change.rule, style="bold")
    text.append(f"\n{change.message}")
    places = [f"at {t.describe()}" for t in change.targets]
    shown = places[:_SHOWN_PLACES]
    if len(places) > len(shown):
        shown.append(f"and {len(places) - len(shown)} more")
    text.append("\n" + "\n".join(shown), style="dim")
    return text


def _where(change: Change, result: DiffResult) -> Text:
    text = Text()
    for sign, loc, label in (("-", change.old, result.old), ("+", change.new, result.new)):
        if loc is not None:
            line = f"{loc.line} " if loc.line else ""
            source = f"{loc.source} " if loc.source != label else ""
            text.append(f"{sign} {source}{line}{loc.pointer or '/'}\n")
    text.rstrip()
    return text


def _affected(change: Change) -> Text:
    if not change.affected:
        if change.severity == "safe":
            return Text("")
        return Text("no consumer relies on it", style="dim")
    text = Text()
    for consumer in change.consumers:
        text.append(f"{consumer}:", style="bold")
        for item in change.affected:
            if item.consumer == consumer:
                text.append(f"\n- {item.description}: ")
                text.append(item.relies_on, style="dim")
    return text


def _summary(result: DiffResult) -> Text:
    counts = result.counts()
    text = Text(
        f"{counts['breaking']} breaking ({counts['breaking_relied_upon']} relied on by a "
        f"consumer), {counts['possibly-breaking']} possibly breaking, {counts['safe']} safe: "
    )
    if result.passed:
        text.append("passed", style="bold green")
    else:
        broken = sorted({c for change in result.failures for c in change.consumers})
        why = f"breaks {', '.join(broken)}" if broken else "breaking changes with --strict"
        text.append(f"failed ({why})", style="bold red")
    return text
