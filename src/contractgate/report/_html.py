"""``index.html``: one self-contained page (no network) with the consumer x provider x
stage matrix, the failures with their details, and latency histograms: the provider's
response times in the verify and fuzz stages (any stage's ``samples``)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import jinja2

from ..gate._model import GateResult, StageResult, Status, rollup

_BINS = 24


@dataclass(frozen=True)
class Bar:
    """One histogram bar, already in SVG coordinates."""

    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Histogram:
    """A latency histogram of one sample series."""

    title: str
    bars: tuple[Bar, ...]
    count: int
    p50: float
    p99: float
    min: float
    max: float


def _percentile(ordered: list[float], q: float) -> float:
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def histogram(
    title: str, values: list[float], width: float = 480, height: float = 120
) -> Histogram:
    """Bucket ``values`` into bars scaled to a ``width`` x ``height`` drawing."""
    ordered = sorted(values)
    low, high = ordered[0], ordered[-1]
    span = (high - low) or 1.0
    counts = [0] * _BINS
    for value in ordered:
        counts[min(_BINS - 1, int((value - low) / span * _BINS))] += 1
    peak = max(counts)
    step = width / _BINS
    bars = tuple(
        Bar(
            x=i * step,
            y=height - (c / peak) * height,
            width=step - 1,
            height=(c / peak) * height,
            label=f"{low + i * span / _BINS:.0f}–{low + (i + 1) * span / _BINS:.0f} ms: {c}",
        )
        for i, c in enumerate(counts)
    )
    p50, p99 = _percentile(ordered, 0.5), _percentile(ordered, 0.99)
    return Histogram(title, bars, len(ordered), p50, p99, low, high)


@dataclass(frozen=True)
class Row:
    """A matrix row: a consumer (or the provider alone) against one provider."""

    consumer: str
    provider: str
    cells: tuple[Status | None, ...]


def matrix(result: GateResult) -> list[Row]:
    """Consumers x providers x stages: each cell the status of that consumer's cases."""
    rows = []
    stages = result.stage_names
    for service in result.services:
        found = [result.find(service, stage) for stage in stages]
        consumers = sorted({c for s in found if s for c in s.consumers})
        for consumer in consumers or ["—"]:
            rows.append(Row(consumer, service, tuple(_cell(s, consumer) for s in found)))
    return rows


def _cell(stage: StageResult | None, consumer: str) -> Status | None:
    if stage is None:
        return None
    own = [c for c in stage.cases if c.consumer == consumer]
    if not own or stage.status in (Status.SKIPPED, Status.ERROR):
        return stage.status
    return rollup(own)


def render_html(result: GateResult) -> str:
    """The gate result as a self-contained HTML page."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(files(__package__).joinpath("index.html.j2").read_text("utf-8"))
    histograms = [
        histogram(f"{stage.stage} · {stage.service} · {name}", values)
        for stage in result.stages
        for name, values in stage.samples.items()
        if values
    ]
    return template.render(
        result=result,
        stages=result.stage_names,
        rows=matrix(result),
        histograms=histograms,
        Status=Status,
    )
