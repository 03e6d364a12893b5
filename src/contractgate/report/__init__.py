"""Reports: renderings of one :class:`~contractgate.gate.GateResult`.

``junit.xml`` for CI test tabs, ``gate.json`` for machines (its JSON Schema ships as
``gate.schema.json``), ``summary.md`` for a CI step summary, and a self-contained
``index.html`` for people. :func:`write_reports` writes all four.
"""

from __future__ import annotations

from pathlib import Path

from ..gate._model import GateResult
from ._html import render_html
from ._json import GATE_SCHEMA_PATH, render_json
from ._junit import render_junit
from ._markdown import render_markdown

__all__ = [
    "GATE_SCHEMA_PATH",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "write_reports",
]


def write_reports(result: GateResult, directory: Path) -> dict[str, Path]:
    """Write every report into ``directory``; returns the paths by report kind."""
    directory.mkdir(parents=True, exist_ok=True)
    outputs = {
        "junit": ("junit.xml", render_junit(result)),
        "json": ("gate.json", render_json(result)),
        "markdown": ("summary.md", render_markdown(result)),
        "html": ("index.html", render_html(result)),
    }
    written = {}
    for kind, (name, text) in outputs.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written[kind] = path
    return written
