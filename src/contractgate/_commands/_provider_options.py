"""What ``verify`` and ``fuzz`` share: the options for a running provider and their reading.

Both commands run against the configured services (a SERVICE, or --base-url for one
someone else runs) or, without a configuration, against files and a URL given ad hoc;
the two ways exclude each other.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .._errors import InputError
from .._project import Project, load_project
from .._provider import parse_header
from ..cli import state

Headers = Annotated[
    list[str] | None,
    typer.Option("--header", "-H", help="'Name: value' sent with every request (repeatable)."),
]
RequestTimeout = Annotated[
    float,
    typer.Option("--timeout", min=0.1, help="Seconds each request may take."),
]
StartupTimeout = Annotated[
    float | None,
    typer.Option(
        "--startup-timeout",
        min=0.1,
        help="Seconds to wait for the provider to answer (default: the config's, or 20).",
    ),
]


def parse_headers(header: list[str] | None) -> dict[str, str]:
    """The ``--header`` options as a mapping of name to value."""
    return dict(parse_header(h) for h in header or [])


def refuse_configured(service: str | None, base_url: str | None, *, adhoc: str, hint: str) -> None:
    """An :class:`InputError` when a SERVICE or --base-url comes with the ``adhoc`` options."""
    if service or base_url:
        raise InputError(f"a SERVICE or --base-url excludes {adhoc}", hint=hint)


def configured_project(ctx: typer.Context, service: str | None) -> Project:
    """The configured service named ``service``, or every one."""
    return load_project(state(ctx).config(), [service] if service else None)
