"""What ``check`` returns: findings per interaction, per pact, per service, and usage.

Plain dataclasses with ``to_dict()`` (the ``--json`` shape); the terminal table, the
gate and the reports are renderings of the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .._verdicts import PactOutcome, count_verdicts

Severity = Literal["error", "warning"]
Verdict = Literal["passed", "failed", "not applicable"]


@dataclass(frozen=True)
class Location:
    """A place in a user file: the file, a JSON pointer, and ``line:col`` where known."""

    source: str
    pointer: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        at = f"{self.source}:{self.line}:{self.column}" if self.line else self.source
        return f"{at} {self.pointer or '/'}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "pointer": self.pointer,
            "line": self.line,
            "column": self.column,
        }


@dataclass(frozen=True)
class Finding:
    """One way an interaction and the spec disagree (``code``: see ``RULES``)."""

    code: str
    severity: Severity
    message: str
    pact: Location
    spec: Location | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "pact": self.pact.to_dict(),
            "spec": self.spec.to_dict() if self.spec else None,
        }


@dataclass
class InteractionResult:
    """The verdict on one interaction of a pact."""

    index: int
    description: str
    pointer: str
    provider_states: tuple[str, ...] = ()
    request: str | None = None
    status: int | None = None
    operation: str | None = None
    findings: list[Finding] = field(default_factory=list)
    not_applicable: str | None = None

    @property
    def verdict(self) -> Verdict:
        if self.not_applicable is not None:
            return "not applicable"
        return "failed" if self.errors else "passed"

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "description": self.description,
            "pointer": self.pointer,
            "provider_states": list(self.provider_states),
            "request": self.request,
            "status": self.status,
            "operation": self.operation,
            "verdict": self.verdict,
            "not_applicable": self.not_applicable,
            "findings": [f.to_dict() for f in self.findings],
        }


def _counts(interactions: list[InteractionResult]) -> dict[str, int]:
    return {
        **count_verdicts(interactions, ("passed", "failed", "not applicable")),
        "errors": sum(len(i.errors) for i in interactions),
        "warnings": sum(len(i.warnings) for i in interactions),
    }


class PactResult(PactOutcome[InteractionResult]):
    """One pact file checked against the provider's spec."""

    def counts(self) -> dict[str, int]:
        return _counts(self.interactions)


@dataclass(frozen=True)
class ConsumerUse:
    """How one consumer uses one operation: interactions, statuses, response fields."""

    consumer: str
    pact: str
    interactions: tuple[int, ...]
    statuses: tuple[int, ...]
    response_fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "pact": self.pact,
            "interactions": list(self.interactions),
            "statuses": list(self.statuses),
            "response_fields": list(self.response_fields),
        }


@dataclass(frozen=True)
class OperationUsage:
    """A documented operation and the consumers that rely on it (none: unused)."""

    operation: str
    operation_id: str | None
    pointer: str
    consumers: tuple[ConsumerUse, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "operation_id": self.operation_id,
            "pointer": self.pointer,
            "consumers": [c.to_dict() for c in self.consumers],
        }


@dataclass
class ServiceResult:
    """A provider's spec against every pact that names it, plus the reverse view."""

    service: str
    spec: str
    pacts: list[PactResult]
    operations: list[OperationUsage]

    @property
    def passed(self) -> bool:
        return all(p.passed for p in self.pacts)

    @property
    def unused(self) -> list[OperationUsage]:
        """Documented operations no consumer's pact uses."""
        return [op for op in self.operations if not op.consumers]

    def counts(self) -> dict[str, int]:
        return _counts([i for p in self.pacts for i in p.interactions])

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "spec": self.spec,
            "passed": self.passed,
            "counts": self.counts(),
            "pacts": [p.to_dict() for p in self.pacts],
            "operations": [op.to_dict() for op in self.operations],
            "unused_operations": [op.operation for op in self.unused],
        }


@dataclass
class CheckResult:
    """The outcome of ``check`` over one or more services."""

    services: list[ServiceResult]

    @property
    def passed(self) -> bool:
        """Every pact of every service is compatible with its provider's spec."""
        return all(s.passed for s in self.services)

    def counts(self) -> dict[str, int]:
        counts = _counts([i for s in self.services for p in s.pacts for i in p.interactions])
        return {"pacts": sum(len(s.pacts) for s in self.services), **counts}

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "counts": self.counts(),
            "services": [s.to_dict() for s in self.services],
        }
