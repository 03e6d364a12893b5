"""Response schedules: a scenario's faults drawn from a seed into a fixed cycle of steps.

Mountebank answers a stub's requests with its responses in order and starts again
at the end, so a fault rate becomes a cycle with exactly that share of faulty
steps at seeded positions, and a latency distribution becomes one stratified draw
per step (every percentile band of the distribution is hit once per cycle). The same
seed and stub give the same schedule; no script runs inside Mountebank.

A ``sequence`` fault plays once, before the cycle.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ._scenarios import (
    ConnectionFault,
    DriftFault,
    EdgeDataFault,
    ErrorFault,
    Fault,
    LatencyFault,
    SequenceFault,
    TimeoutFault,
)

DEFAULT_CYCLE = 100
_LONGER_CYCLES = (200, 500, 1000)


@dataclass(frozen=True)
class Step:
    """One response of a schedule.

    ``outcome`` is ``"ok"`` (the stub's normal answer), an HTTP status, or a broken
    connection (``"reset"`` / ``"garbage"``); ``body`` picks the normal, ``drift`` or
    ``edge`` variant of a normal answer (``variant`` numbers the edge variants).
    """

    outcome: int | str = "ok"
    delay_ms: int = 0
    body: str = "normal"
    variant: int = 0
    retry_after: int = 1


@dataclass(frozen=True)
class Schedule:
    """The steps played once (``prefix``), then the ``cycle`` repeated forever."""

    prefix: tuple[Step, ...]
    cycle: tuple[Step, ...]

    def take(self, count: int) -> list[Step]:
        """The first ``count`` steps a stub plays."""
        out = list(self.prefix[:count])
        while len(out) < count:
            out.extend(self.cycle[: count - len(out)])
        return out


def cycle_length(faults: Sequence[Fault]) -> int:
    """A cycle long enough for every rate to be exact: 100 steps, more for rates like 0.005."""
    rates = [f.rate for f in faults if 0 < f.rate < 1]
    for length in (DEFAULT_CYCLE, *_LONGER_CYCLES):
        if all(abs(r * length - round(r * length)) < 1e-6 for r in rates):
            return length
    return _LONGER_CYCLES[-1]


def plan_schedule(faults: Sequence[Fault], seed: int, key: str) -> Schedule:
    """The schedule of one stub under ``faults``, drawn from ``seed``.

    ``key`` names the stub: an operation's ``METHOD /path``, or for a pact
    interaction ``pact/<pointer>/<description>``.

    Faults claim steps in order: an error or connection fault takes ``rate`` of the
    steps no earlier one took; drift and edge data take ``rate`` of the steps still
    answering normally; latency and timeouts add delay to ``rate`` of all steps.
    """
    rng = random.Random(f"{seed}/{key}")
    if any(_random(f) for f in faults):
        length = cycle_length(faults)
    else:  # a fixed answer needs one step; edge data alternates its two variants
        length = 2 if any(isinstance(f, EdgeDataFault) for f in faults) else 1
    steps = [Step() for _ in range(length)]
    prefix: list[Step] = []
    for fault in faults:
        if isinstance(fault, SequenceFault):
            prefix.extend(
                Step(outcome=s, retry_after=fault.retry_after) if s != "ok" else Step()
                for s in fault.steps
            )
            continue
        count = round(fault.rate * length)
        if isinstance(fault, ErrorFault | ConnectionFault):
            outcome = fault.status if isinstance(fault, ErrorFault) else fault.mode
            retry_after = fault.retry_after if isinstance(fault, ErrorFault) else 1
            free = [i for i, s in enumerate(steps) if s.outcome == "ok" and s.body == "normal"]
            for i in rng.sample(free, min(count, len(free))):
                steps[i] = replace(steps[i], outcome=outcome, retry_after=retry_after)
        elif isinstance(fault, DriftFault | EdgeDataFault):
            free = [i for i, s in enumerate(steps) if s.outcome == "ok" and s.body == "normal"]
            chosen = sorted(rng.sample(free, min(count, len(free))))
            for n, i in enumerate(chosen):
                if isinstance(fault, DriftFault):
                    steps[i] = replace(steps[i], body="drift")
                else:
                    steps[i] = replace(steps[i], body="edge", variant=n)
        else:
            delayed = rng.sample(range(length), count)
            for i, delay in zip(delayed, _delays(fault, count, rng), strict=True):
                steps[i] = replace(steps[i], delay_ms=steps[i].delay_ms + delay)
    return Schedule(tuple(prefix), tuple(steps))


def _random(fault: Fault) -> bool:
    """Whether the fault needs more than one step per cycle."""
    if isinstance(fault, LatencyFault):
        return fault.latency.distribution != "fixed" or fault.rate < 1
    return 0 < fault.rate < 1


def _delays(fault: Fault, count: int, rng: random.Random) -> list[int]:
    """``count`` delays, one from each equal-probability band of the distribution, shuffled."""
    if isinstance(fault, TimeoutFault):
        return [round(fault.after_ms)] * count
    assert isinstance(fault, LatencyFault)
    draws = [round(fault.latency.quantile((band + rng.random()) / count)) for band in range(count)]
    rng.shuffle(draws)
    return draws
