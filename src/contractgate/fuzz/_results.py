"""What ``fuzz`` returns: per operation, the cases sent and the failures found.

Plain dataclasses with ``to_dict()`` (the ``--json`` shape). Every failure carries the
request that caused it (credentials redacted) and a command that sends it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FuzzRequest:
    """A request as it was sent (credential headers redacted, body as text)."""

    method: str
    url: str
    headers: dict[str, str]
    body: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "headers": self.headers, "body": self.body}


@dataclass(frozen=True)
class FuzzFailure:
    """A check that failed on an operation, with one request that makes it fail.

    ``check`` is schemathesis's check name (``not_a_server_error``, ...), ``code`` its
    stable failure code (``ST101``); ``reproduce`` is a shell command (curl) that sends
    the failing request again, credentials as shell variables; ``count`` how many
    generated cases failed the same way.
    """

    operation: str
    check: str
    code: str
    title: str
    message: str
    severity: str
    phase: str
    status: int | None
    request: FuzzRequest
    reproduce: str
    response: str | None = None
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "check": self.check,
            "code": self.code,
            "title": self.title,
            "message": self.message,
            "severity": self.severity,
            "phase": self.phase,
            "status": self.status,
            "response": self.response,
            "count": self.count,
            "request": self.request.to_dict(),
            "reproduce": self.reproduce,
        }


@dataclass(frozen=True)
class FuzzError:
    """Something that kept cases from running (network errors, timeouts, schema problems)."""

    message: str
    operation: str | None = None
    phase: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "phase": self.phase, "message": self.message}


@dataclass
class OperationFuzz:
    """One operation of the spec: how many cases reached it, what failed, what went wrong."""

    operation: str
    cases: int = 0
    failures: list[FuzzFailure] = field(default_factory=list)
    errors: list[FuzzError] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "passed": self.passed,
            "cases": self.cases,
            "failures": [f.to_dict() for f in self.failures],
            "errors": [e.to_dict() for e in self.errors],
        }


@dataclass
class ServiceFuzz:
    """A fuzz run against one provider.

    ``seed`` reproduces the run (same seed, spec and provider: same cases, which
    ``fingerprint`` summarizes); ``errors`` are run-wide problems (the provider
    stopped answering, schemathesis could not go on).
    """

    service: str
    base_url: str
    spec: str
    seed: int
    max_examples: int
    checks: tuple[str, ...]
    operations: list[OperationFuzz]
    errors: list[FuzzError] = field(default_factory=list)
    duration: float = 0.0
    fingerprint: str = ""
    response_ms: list[float] = field(default_factory=list, repr=False)
    """The provider's response time of every answered request, in milliseconds."""

    @property
    def cases(self) -> int:
        return sum(o.cases for o in self.operations)

    @property
    def failures(self) -> list[FuzzFailure]:
        return [f for o in self.operations for f in o.failures]

    @property
    def passed(self) -> bool:
        return not self.errors and all(o.passed for o in self.operations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "base_url": self.base_url,
            "spec": self.spec,
            "passed": self.passed,
            "seed": self.seed,
            "max_examples": self.max_examples,
            "checks": list(self.checks),
            "cases": self.cases,
            "duration": round(self.duration, 4),
            "cases_per_second": round(self.cases / self.duration, 1) if self.duration else None,
            "fingerprint": self.fingerprint,
            "errors": [e.to_dict() for e in self.errors],
            "operations": [o.to_dict() for o in self.operations],
        }


@dataclass
class FuzzReport:
    """The fuzz runs of every service a command asked for."""

    services: list[ServiceFuzz]

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.services)

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "services": [s.to_dict() for s in self.services]}
