"""The gate's result model: what every report renders.

A :class:`GateResult` holds one :class:`StageResult` per (service, stage); each holds
:class:`Case` entries (an interaction, a check, a fuzzed operation, a test). Statuses
roll up: a stage fails when any case fails, and the gate fails when any stage fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Outcome of a case, a stage or the whole gate."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # the stage could not run (provider down, tool missing)
    SKIPPED = "skipped"  # not run, with the reason (a prerequisite failed)
    NOT_APPLICABLE = "not applicable"  # e.g. a message interaction in an HTTP check


STAGES = ("lint", "diff", "check", "verify", "fuzz", "resilience")


@dataclass
class Case:
    """One checked thing: a pact interaction, a lint file, a fuzzed operation, a test."""

    name: str
    status: Status
    message: str = ""
    consumer: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "message": self.message,
            "consumer": self.consumer,
            "details": self.details,
            "duration": round(self.duration, 4),
        }


@dataclass
class StageResult:
    """One stage run for one service."""

    stage: str
    service: str
    status: Status
    duration: float = 0.0
    cases: list[Case] = field(default_factory=list)
    reason: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)  # e.g. latencies in ms

    @property
    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for case in self.cases:
            out[case.status.value] += 1
        return out

    @property
    def consumers(self) -> list[str]:
        return sorted({c.consumer for c in self.cases if c.consumer})

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "service": self.service,
            "status": self.status.value,
            "duration": round(self.duration, 4),
            "reason": self.reason,
            "counts": self.counts,
            "cases": [c.to_dict() for c in self.cases],
            "samples": self.samples,
        }


def rollup(cases: list[Case]) -> Status:
    """A stage's status from its cases: error beats failed beats passed."""
    statuses = {c.status for c in cases}
    if Status.ERROR in statuses:
        return Status.ERROR
    if Status.FAILED in statuses:
        return Status.FAILED
    return Status.PASSED


@dataclass
class GateResult:
    """Every stage of every service, in run order."""

    stages: list[StageResult]
    started_at: str
    duration: float
    config: str | None = None
    base: str | None = None

    @property
    def status(self) -> Status:
        statuses = {s.status for s in self.stages}
        if Status.ERROR in statuses:
            return Status.ERROR
        if Status.FAILED in statuses:
            return Status.FAILED
        return Status.PASSED

    @property
    def services(self) -> list[str]:
        return list(dict.fromkeys(s.service for s in self.stages))

    @property
    def stage_names(self) -> list[str]:
        present = {s.stage for s in self.stages}
        return [s for s in STAGES if s in present]

    def find(self, service: str, stage: str) -> StageResult | None:
        """The result of ``stage`` for ``service``, if it was part of the run."""
        for result in self.stages:
            if result.service == service and result.stage == stage:
                return result
        return None

    def to_dict(self) -> dict[str, Any]:
        """The document ``reports/gate.json`` holds (schema: ``gate.schema.json``)."""
        return {
            "schema": "contractgate/gate/v1",
            "status": self.status.value,
            "started_at": self.started_at,
            "duration": round(self.duration, 4),
            "config": self.config,
            "base": self.base,
            "services": self.services,
            "stages": [s.to_dict() for s in self.stages],
        }
