"""``contractgate stub``: stubs of the configured services (or of a spec) on Mountebank.

``stub up`` runs in the foreground until Ctrl-C or SIGTERM and then stops the
Mountebank it started; with ``--detach`` a supervising ``stub up`` runs in the
background and records its state in ``.contractgate/stubs.json``, which ``stub ls``,
``stub requests``, ``stub scenario`` and ``stub down`` read from any shell.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
from rich import box
from rich.live import Live
from rich.table import Table
from rich.text import Text

from .._config import find_config
from .._errors import EXIT_OK, InputError, ServiceError
from .._project import Project, Service, adhoc_project, load_project
from ..cli import console, err_console, print_json, state
from ..stubs import (
    Mountebank,
    MountebankClient,
    StubServer,
    export_config,
    live_stubs,
    plan_service,
    plan_service_lazily,
    recorded_requests,
    scenario_catalogue,
    service_scenario,
    service_scenarios,
)
from ..stubs._state import StubRecord, StubState, process_alive, state_path

DEFAULT_JOURNAL = 1000
DETACH_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
_POLL = 0.5
_RUN_CLI = "import sys; from contractgate.cli import main; sys.exit(main(sys.argv[1:]))"

stub_app = typer.Typer(
    name="stub",
    help=(
        "Stubs of the services on Mountebank, generated from their OpenAPI specs and "
        "pacts, with scenarios that inject errors, latency and broken connections."
    ),
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``stub`` and its subcommands to the CLI."""
    app.add_typer(stub_app, name="stub")


# -- shared options ----------------------------------------------------------------------------

ServicesArg = Annotated[
    list[str] | None,
    typer.Argument(help="Configured services to stub (default: all).", show_default=False),
]
ScenarioOpt = Annotated[
    str, typer.Option("--scenario", "-s", help="Scenario: built-in or from the scenario file.")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the scenario's random draws.")]
StateOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--state",
        help=(
            "Where pact interactions share a request, answer the one given this provider "
            "state (repeatable; default: the successful one)."
        ),
        show_default=False,
    ),
]
SpecOpt = Annotated[
    Path | None,
    typer.Option(
        "--spec", help="Stub this OpenAPI file (no configuration needed).", dir_okay=False
    ),
]
PactOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--pact",
        help="With --spec: serve this pact's interactions too (repeatable).",
        dir_okay=False,
        show_default=False,
    ),
]
ScenarioFileOpt = Annotated[
    Path | None,
    typer.Option("--scenario-file", help="With --spec: a scenario file for it.", dir_okay=False),
]


def _project(
    ctx: typer.Context,
    services: Sequence[str],
    spec: Path | None,
    pacts: Sequence[Path],
    scenario_file: Path | None,
) -> Project:
    if spec is None:
        if pacts or scenario_file:
            raise InputError(
                f"{'--pact' if pacts else '--scenario-file'} needs --spec",
                hint="or leave it out to use the configuration",
            )
        return load_project(state(ctx).config(), list(services))
    if services:
        raise InputError(
            "name services or give --spec, not both",
            hint="services come from the configuration; --spec stubs one file",
        )
    project = adhoc_project(spec, list(pacts))
    if scenario_file is not None:
        service = project.services[0]
        config = dataclasses.replace(service.config, scenarios=scenario_file)
        project.services[0] = Service(config, service.spec, service.pacts)
    return project


def _state_root(ctx: typer.Context) -> Path:
    """Where detached stubs keep their state: beside the configuration, else here."""
    config = state(ctx).config_path or find_config()
    return Path(config).resolve().parent if config else Path.cwd()


def _running_state(ctx: typer.Context) -> StubState | None:
    """The state of detached stubs that still run (a stale state file is removed)."""
    recorded = StubState.load(state_path(_state_root(ctx)))
    if recorded is not None and not recorded.alive():
        recorded.remove()
        return None
    return recorded


def _require_state(ctx: typer.Context) -> StubState:
    recorded = _running_state(ctx)
    if recorded is None:
        raise InputError(
            "no detached stubs are running here",
            hint="start them with: contractgate stub up --detach",
        )
    return recorded


# -- stub up -----------------------------------------------------------------------------------


class _Stop(Exception):
    """SIGTERM (or SIGHUP: the terminal closed) asked the foreground ``stub up`` to stop."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Stop


@contextmanager
def _signals_stop() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`_Stop`, so the clean-up code runs."""
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@stub_app.command("up")
def up(
    ctx: typer.Context,
    *,
    services: ServicesArg = None,
    scenario: ScenarioOpt = "happy",
    seed: SeedOpt = 0,
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            help="Port of the first stub (the next ones count up).",
            min=1,
            max=65535,
            show_default="free ports",
        ),
    ] = None,
    states: StateOpt = None,
    mountebank_url: Annotated[
        str | None,
        typer.Option(
            "--mountebank-url", help="Use this running Mountebank instead of starting one."
        ),
    ] = None,
    detach: Annotated[
        bool, typer.Option("--detach", "-d", help="Run in the background; stop with `stub down`.")
    ] = False,
    record: Annotated[
        bool, typer.Option("--record/--no-record", help="Record requests for `stub requests`.")
    ] = True,
    journal: Annotated[
        int,
        typer.Option("--journal", help="Recorded requests kept per stub before clearing.", min=1),
    ] = DEFAULT_JOURNAL,
    spec: SpecOpt = None,
    pact: PactOpt = None,
    scenario_file: ScenarioFileOpt = None,
    state_file: Annotated[Path | None, typer.Option("--state-file", hidden=True)] = None,
) -> int:
    """Start stubs and show them (with live request counts) until Ctrl-C or SIGTERM.

    Without a terminal (a pipe, CI) it prints one plain line per stub, URL first. A
    large spec is served lazily: an operation's stubs go on Mountebank at its first
    request, so Mountebank only ever walks past the stubs of what is called.
    """
    project = _project(ctx, services or [], spec, pact or [], scenario_file)
    for service in project.services:  # bad input fails before any server starts
        service_scenario(service, scenario)
    url = mountebank_url or (project.config.mountebank_url if project.config else None)
    if detach and state_file is None:
        options = {
            "services": services,
            "scenario": scenario,
            "seed": seed,
            "port": port,
            "states": states,
            "url": mountebank_url,
            "record": record,
            "journal": journal,
            "spec": spec,
            "pact": pact,
            "scenario_file": scenario_file,
        }
        return _detach(ctx, project, options)
    root = project.config.root if project.config else None
    with _signals_stop():
        try:
            # Not waiting for Mountebank: the stubs are planned while it starts.
            mountebank = (
                Mountebank.adopt(url) if url else Mountebank.start(search_from=root, wait=False)
            )
        except (KeyboardInterrupt, _Stop):
            return EXIT_OK  # stopped while starting: start() has cleaned up
        try:
            server = StubServer(mountebank, project, record_requests=record)
            try:
                for index, service in enumerate(project.services):
                    server.start(
                        service.name,
                        scenario,
                        seed=seed,
                        states=states,
                        port=port + index if port else None,
                    )
                _show_notes(server)
                if state_file is not None:
                    _record_state(state_file, mountebank, server)
                _serve(server, journal, state_file)
            except (KeyboardInterrupt, _Stop):
                pass
            finally:
                server.close()
        finally:
            mountebank.stop()
            if state_file is not None:
                state_file.unlink(missing_ok=True)
    return EXIT_OK


def _show_notes(server: StubServer) -> None:
    for stub in server.stubs:
        for note in stub.plan.notes:
            _note(f"{stub.name}: {note}")
        if stub.lazy:
            operations = len(stub.service.spec.operations)
            _note(
                f"{stub.name}: {operations} operations, served lazily: an operation's stubs "
                "go on Mountebank at its first request"
            )


def _show_new_notes(server: StubServer) -> None:
    """Notes of lazily served stubs since the last call (stubs made, requests refused)."""
    for stub in server.stubs:
        if stub.materializer is not None:
            for note in stub.materializer.take_notes():
                _note(f"{stub.name}: {note}")


def _note(text: str) -> None:
    err_console.print(Text.assemble(("note: ", "yellow"), text), soft_wrap=True)


def _record_state(path: Path, mountebank: Mountebank, server: StubServer) -> None:
    StubState(
        path=path,
        pid=os.getpid(),
        mountebank_url=mountebank.url,
        owned=mountebank.owned,
        stubs=[StubRecord.of(stub) for stub in server.stubs],
    ).save()


def _serve(server: StubServer, journal: int, state_file: Path | None) -> None:
    """Show the stubs until interrupted, keeping every request journal bounded."""
    where = server.mountebank.url + ("" if server.mountebank.owned else " (adopted)")
    if not console.is_terminal:
        for stub in server.stubs:
            line = stub.url if len(server.stubs) == 1 else f"{stub.url} {stub.name}"
            console.print(line, soft_wrap=True, markup=False)
        console.print(
            f"stubbing {', '.join(s.name for s in server.stubs)} on Mountebank {where}; "
            "Ctrl-C or SIGTERM stops",
            soft_wrap=True,
            markup=False,
        )
        sys.stdout.flush()
        while True:
            time.sleep(_POLL)
            _poll(server, journal, state_file)
    console.print(f"Mountebank {where}. Ctrl-C stops the stubs.")
    with Live(_table(server, {}), console=console, refresh_per_second=4) as live:
        while True:
            time.sleep(_POLL)
            live.update(_table(server, _poll(server, journal, state_file)))


def _poll(server: StubServer, journal: int, state_file: Path | None) -> dict[int, int]:
    counts = server.request_counts(journal_limit=journal)
    _show_new_notes(server)
    if state_file is not None:  # so `stub ls` in another shell counts as this one does
        offsets = {stub.port: stub.count_offset() for stub in server.stubs}
        recorded = StubState.load(state_file)
        if recorded is not None and any(
            r.carried != offsets.get(r.port, r.carried) for r in recorded.stubs
        ):
            for record in recorded.stubs:
                record.carried = offsets.get(record.port, record.carried)
            recorded.save()
    return counts


def _table(server: StubServer, counts: dict[int, int]) -> Table:
    return _stub_table(
        (s.name, s.url, s.scenario, s.seed, counts.get(s.port, 0)) for s in server.stubs
    )


def _stub_table(rows: Iterable[tuple[str, str, str, int, int]]) -> Table:
    """Service, URL, scenario, seed and request count of each stub."""
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Service", overflow="fold")
    table.add_column("URL", no_wrap=True)
    table.add_column("Scenario", overflow="fold")
    table.add_column("Seed", justify="right")
    table.add_column("Requests", justify="right", no_wrap=True)
    for name, url, scenario, seed, count in rows:
        table.add_row(name, url, scenario, str(seed), str(count))
    return table


def _detach(ctx: typer.Context, project: Project, options: dict[str, Any]) -> int:
    """Run ``stub up`` as a background supervisor and wait until its stubs answer."""
    root = _state_root(ctx)
    path = state_path(root)
    running = _running_state(ctx)
    if running is not None:
        raise InputError(
            f"detached stubs are already running here (pid {running.pid})",
            hint="stop them first: contractgate stub down",
        )
    args = _child_args(project, options, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    log = path.parent / "stub-up.log"
    with log.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, "-c", _RUN_CLI, *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        recorded = _wait_detached(child, path, log)
    except BaseException:  # Ctrl-C or a timeout while waiting: take the supervisor down
        child.terminate()
        raise
    if recorded is None:
        err_console.print(log.read_text(errors="replace").rstrip(), markup=False)
        return child.returncode or 3
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("note: "):
            _note(line.removeprefix("note: "))
    _print_records(recorded, {})
    console.print(f"running in the background (pid {child.pid}); stop with: contractgate stub down")
    return EXIT_OK


def _wait_detached(child: subprocess.Popen[bytes], path: Path, log: Path) -> StubState | None:
    """The supervisor's state once its stubs answer; None if it exited first."""
    deadline = time.monotonic() + DETACH_TIMEOUT
    while child.poll() is None:
        recorded = StubState.load(path)
        if recorded is not None and recorded.pid == child.pid:
            return recorded
        if time.monotonic() > deadline:
            raise ServiceError(
                f"the detached stubs did not start within {DETACH_TIMEOUT:g} s", hint=f"see {log}"
            )
        time.sleep(0.1)
    return None


def _child_args(project: Project, options: dict[str, Any], path: Path) -> list[str]:
    """The ``stub up`` command line of the background supervisor."""
    args: list[str] = []
    if project.config is not None and project.config.path is not None:
        args += ["--config", str(project.config.path)]
    args += ["stub", "up", *(options["services"] or [])]
    args += ["--scenario", options["scenario"], "--seed", str(options["seed"])]
    if options["port"]:
        args += ["--port", str(options["port"])]
    for name in options["states"] or []:
        args += ["--state", name]
    if options["url"]:
        args += ["--mountebank-url", options["url"]]
    args += [
        "--record" if options["record"] else "--no-record",
        "--journal",
        str(options["journal"]),
    ]
    if options["spec"] is not None:
        args += ["--spec", str(Path(options["spec"]).resolve())]
        for pact in options["pact"] or []:
            args += ["--pact", str(Path(pact).resolve())]
        if options["scenario_file"] is not None:
            args += ["--scenario-file", str(Path(options["scenario_file"]).resolve())]
    return [*args, "--state-file", str(path)]


# -- stub ls / down / requests / scenario ---------------------------------------------------------


def _print_records(recorded: StubState, counts: dict[int, int]) -> None:
    rows = (
        (r.name, r.url, r.scenario, r.seed, r.carried + counts.get(r.port, 0))
        for r in recorded.stubs
    )
    console.print(_stub_table(rows))


@stub_app.command("ls")
def ls(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> int:
    """List the detached stubs running here, with their request counts."""
    recorded = _running_state(ctx)
    if recorded is None:
        if as_json:
            print_json({"running": False, "stubs": []})
        else:
            console.print("no detached stubs are running here")
        return EXIT_OK
    live = MountebankClient(recorded.mountebank_url).imposters()
    counts = {int(i["port"]): int(i.get("numberOfRequests", 0)) for i in live}
    if as_json:
        stubs = [
            {**dataclasses.asdict(r), "requests": r.carried + counts.get(r.port, 0)}
            for r in recorded.stubs
        ]
        print_json(
            {
                "running": True,
                "pid": recorded.pid,
                "mountebank_url": recorded.mountebank_url,
                "stubs": stubs,
            }
        )
        return EXIT_OK
    console.print(f"Mountebank {recorded.mountebank_url}, supervised by pid {recorded.pid}")
    _print_records(recorded, counts)
    return EXIT_OK


@stub_app.command("down")
def down(ctx: typer.Context) -> int:
    """Stop the detached stubs running here (and the Mountebank they started)."""
    recorded = _running_state(ctx)
    if recorded is None:
        console.print("no detached stubs are running here")
        return EXIT_OK
    os.kill(recorded.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while process_alive(recorded.pid):
        if time.monotonic() > deadline:
            os.kill(recorded.pid, signal.SIGKILL)  # Mountebank dies with it (PDEATHSIG)
            break
        time.sleep(0.1)
    recorded.remove()
    console.print(f"stopped {', '.join(r.name for r in recorded.stubs)} (pid {recorded.pid})")
    return EXIT_OK


@stub_app.command("requests")
def requests_(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="The stubbed service.")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="Show the last N.", min=1)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (all of them).")] = False,
) -> int:
    """Show the requests a detached stub recorded (the last ones first)."""
    recorded = _require_state(ctx)
    record = recorded.record(service)
    seen = recorded_requests(MountebankClient(recorded.mountebank_url).requests(record.port))
    if as_json:
        print_json([r.to_dict() for r in seen])
        return EXIT_OK
    table = Table(
        box=box.SIMPLE_HEAD, title=f"{service}: {len(seen)} recorded", title_justify="left"
    )
    for column in ("Time", "Method", "Path", "Query"):
        table.add_column(column, overflow="fold")
    for request in reversed(seen[-limit:]):
        query = "&".join(f"{k}={v}" for k, v in request.query.items())
        table.add_row(request.timestamp, request.method, request.path, query)
    console.print(table)
    return EXIT_OK


@stub_app.command("scenario")
def scenario_(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="The stubbed service.")],
    name: Annotated[str, typer.Argument(help="The scenario to switch to.")],
    seed: Annotated[
        int | None, typer.Option("--seed", help="New seed (default: keep).", show_default=False)
    ] = None,
) -> int:
    """Switch a detached stub to another scenario, without restarting it."""
    recorded = _require_state(ctx)
    record = recorded.record(service)
    new_seed = record.seed if seed is None else seed
    rebuilt = record.service()
    plan = plan_service_lazily(rebuilt, name, seed=new_seed, states=record.states)
    stubs = live_stubs(
        plan if record.materializer else plan.complete(), rebuilt.spec, record.materializer
    )
    MountebankClient(recorded.mountebank_url).replace_stubs(record.port, stubs)
    record.scenario, record.seed = name, new_seed
    recorded.save()
    for note in plan.notes:
        _note(note)
    console.print(f"{service} ({record.url}) now plays scenario {name!r} with seed {new_seed}")
    return EXIT_OK


# -- stub export / scenarios ----------------------------------------------------------------------


@stub_app.command("export")
def export(
    ctx: typer.Context,
    *,
    services: ServicesArg = None,
    scenario: ScenarioOpt = "happy",
    seed: SeedOpt = 0,
    port: Annotated[
        int, typer.Option("--port", help="Port of the first imposter.", min=1, max=65535)
    ] = 4545,
    host: Annotated[str, typer.Option("--host", help="Address the imposters listen on.")] = (
        "127.0.0.1"
    ),
    states: StateOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file (default: stdout).", dir_okay=False
        ),
    ] = None,
    spec: SpecOpt = None,
    pact: PactOpt = None,
    scenario_file: ScenarioFileOpt = None,
) -> int:
    """Write the imposters as JSON for `mb --configfile FILE --noParse` (your own Mountebank)."""
    project = _project(ctx, services or [], spec, pact or [], scenario_file)
    plans = []
    for index, service in enumerate(project.services):
        plan = plan_service(
            service, scenario, seed=seed, states=states, port=port + index, host=host
        )
        plans.append(plan)
        for note in plan.notes:
            _note(f"{service.name}: {note}")
    text = json.dumps(export_config(plans, first_port=port), indent=2, ensure_ascii=False)
    if output is None:
        sys.stdout.write(text + "\n")
        return EXIT_OK
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", source=str(output)) from None
    ports = ", ".join(f"{p.service} :{p.imposter['port']}" for p in plans)
    err_console.print(
        f"wrote {output} ({ports}); run: mb --configfile {output} --noParse",
        soft_wrap=True,
        markup=False,
    )
    return EXIT_OK


@stub_app.command("scenarios")
def scenarios(
    ctx: typer.Context,
    services: ServicesArg = None,
    spec: SpecOpt = None,
    scenario_file: ScenarioFileOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> int:
    """List the scenarios each service can play: its scenario file's, then the built-in ones."""
    project = _project(ctx, services or [], spec, [], scenario_file)
    listing = {}
    for service in project.services:
        listing[service.name] = list(scenario_catalogue(service_scenarios(service)).values())
    if as_json:
        print_json({name: [s.to_dict() for s in found] for name, found in listing.items()})
        return EXIT_OK
    for name, found in listing.items():
        table = Table(box=box.SIMPLE_HEAD, title=name, title_justify="left", expand=True)
        table.add_column("Scenario", no_wrap=True)
        table.add_column("From", no_wrap=True)
        table.add_column("Description", ratio=1, overflow="fold")
        for item in found:
            source = "built-in" if item.source == "built-in" else Path(item.source).name
            table.add_row(item.name, source, item.description)
        console.print(table)
    return EXIT_OK
