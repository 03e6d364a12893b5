"""Response schedules: seeded, exact rates, stratified latency, sequences played once."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import pytest

from contractgate.stubs import (
    ConnectionFault,
    DriftFault,
    EdgeDataFault,
    ErrorFault,
    Fault,
    Latency,
    LatencyFault,
    SequenceFault,
    TimeoutFault,
    plan_schedule,
)
from contractgate.stubs._schedule import cycle_length


def outcomes(faults: Sequence[Fault], seed: int = 0, n: int = 100) -> list[int | str]:
    return [s.outcome for s in plan_schedule(faults, seed, "GET /x").take(n)]


def test_same_seed_same_schedule_other_seed_other_schedule() -> None:
    faults = [
        ErrorFault(status=503, rate=0.2),
        LatencyFault(latency=Latency("uniform", low=0, high=100)),
    ]
    first = plan_schedule(faults, 7, "GET /a")
    assert first == plan_schedule(faults, 7, "GET /a")
    assert first != plan_schedule(faults, 8, "GET /a")
    assert first != plan_schedule(faults, 7, "GET /b")  # each stub draws its own


@pytest.mark.parametrize(("rate", "length"), [(0.2, 100), (0.05, 100), (0.005, 200), (0.333, 1000)])
def test_rates_are_exact_over_a_cycle(rate: float, length: int) -> None:
    faults = [ErrorFault(status=500, rate=rate)]
    assert cycle_length(faults) == length
    schedule = plan_schedule(faults, 3, "k")
    assert len(schedule.cycle) == length
    assert sum(s.outcome == 500 for s in schedule.cycle) == round(rate * length)


def test_fixed_answers_need_one_step() -> None:
    assert len(plan_schedule([ErrorFault(status=503)], 0, "k").cycle) == 1
    assert len(plan_schedule([], 0, "k").cycle) == 1
    assert len(plan_schedule([EdgeDataFault()], 0, "k").cycle) == 2


def test_faults_claim_free_steps_in_order() -> None:
    faults = [ErrorFault(status=503, rate=0.5), ConnectionFault(mode="reset", rate=0.5)]
    got = outcomes(faults)
    assert got.count(503) == 50
    assert got.count("reset") == 50
    faults = [ErrorFault(status=503, rate=0.7), ConnectionFault(mode="garbage", rate=0.7)]
    got = outcomes(faults)
    assert got.count(503) == 70
    assert got.count("garbage") == 30  # only what the first left over


def test_drift_and_edge_change_only_normal_answers() -> None:
    faults = [ErrorFault(status=500, rate=0.5), DriftFault(rate=0.2), EdgeDataFault(rate=0.2)]
    steps = plan_schedule(faults, 1, "k").cycle
    assert all(s.outcome == "ok" for s in steps if s.body != "normal")
    assert sum(s.body == "drift" for s in steps) == 20
    edges = [s.variant for s in steps if s.body == "edge"]
    assert edges == list(range(20))


def test_latency_draws_one_per_percentile_band() -> None:
    latency = Latency("lognormal", p50=80, p99=900)
    steps = plan_schedule([LatencyFault(latency=latency)], 11, "k").cycle
    delays = sorted(s.delay_ms for s in steps)
    assert len(delays) == 100
    assert 60 <= statistics.median(delays) <= 100
    assert delays[98] <= 900 <= delays[99] + 1  # exactly one draw in the top 1%


def test_delays_add_up_and_respect_rate() -> None:
    faults = [
        LatencyFault(latency=Latency("fixed", value=100), rate=0.5),
        TimeoutFault(after_ms=2000, rate=0.1),
    ]
    delays = [s.delay_ms for s in plan_schedule(faults, 5, "k").cycle]
    assert sum(d in (100, 2100) for d in delays) == 50
    assert sum(d >= 2000 for d in delays) == 10


def test_sequence_plays_once_before_the_cycle() -> None:
    schedule = plan_schedule([SequenceFault(steps=(503, "ok", 429))], 0, "k")
    assert [s.outcome for s in schedule.take(6)] == [503, "ok", 429, "ok", "ok", "ok"]
    assert schedule.prefix[2].retry_after == 1
