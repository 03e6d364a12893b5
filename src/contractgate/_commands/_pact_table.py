"""The terminal table of one pact's interactions, as ``check`` and ``verify`` print it."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table

from .._verdicts import PactOutcome


def pact_table(pact: PactOutcome[Any], verdict: str) -> Table:
    """A table titled with the pact and ``verdict``, its first column the interaction's ``#``."""
    table = Table(
        title=f"{pact.consumer} -> {pact.provider}: {verdict} ({pact.source})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        expand=True,
    )
    table.add_column("#", justify="right", no_wrap=True)
    return table
