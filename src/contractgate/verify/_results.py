"""What ``verify`` returns: a verdict per interaction, per pact, per service.

Plain dataclasses with ``to_dict()`` (the ``--json`` shape); the terminal table, the
gate and the reports are renderings of the same objects. Nothing here holds a secret:
recorded headers are redacted before they get here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .._verdicts import PactOutcome, count_verdicts

Verdict = Literal["passed", "failed", "pending", "not_applicable"]


@dataclass(frozen=True)
class Mismatch:
    """One way the provider's response differs from what the pact expects (pact's verifier).

    ``kind`` is ``status``, ``header``, ``body``, ``body-type``, ``query``, ``metadata``
    or ``error``; ``path`` the JSON path in the body (``$.username``) or the header name.
    """

    kind: str
    message: str
    path: str = ""
    expected: Any = None
    actual: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
        }


@dataclass(frozen=True)
class SpecViolation:
    """One way a real response breaks the provider's OpenAPI spec (openapi-core).

    ``part`` is ``operation``, ``status``, ``content-type``, ``body`` or ``header NAME``;
    ``path`` the JSON path of the value in the body; ``spec`` the place in the spec
    (``file:line:col (at /pointer)``) of the rule that was broken, where known.
    """

    part: str
    message: str
    path: str = ""
    spec: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part, "path": self.path, "message": self.message, "spec": self.spec}


@dataclass(frozen=True)
class Exchange:
    """A request the verifier sent and what the provider answered, as recorded.

    Credential headers are redacted; ``body`` is the parsed JSON or the text of the
    response (cut at a few kilobytes); ``error`` says why there is no answer.
    """

    method: str
    target: str
    status: int | None
    request_headers: dict[str, str]
    response_headers: dict[str, str]
    body: Any
    duration: float
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "target": self.target,
            "status": self.status,
            "request_headers": self.request_headers,
            "response_headers": self.response_headers,
            "body": self.body,
            "duration": round(self.duration, 4),
            "error": self.error,
        }


@dataclass
class InteractionVerification:
    """The verdict on one interaction: pact's mismatches, the spec's violations, or an error.

    ``error`` is set when the interaction could not be checked at all (a provider
    state could not be set, the provider did not answer in time). A failing
    interaction the pact marks *pending* does not fail the run.
    """

    index: int
    description: str
    pointer: str
    provider_states: tuple[str, ...] = ()
    request: str | None = None
    expected_status: int | None = None
    pending: bool = False
    mismatches: list[Mismatch] = field(default_factory=list)
    spec_violations: list[SpecViolation] = field(default_factory=list)
    error: str | None = None
    exchange: Exchange | None = None
    not_applicable: str | None = None
    duration: float = 0.0

    @property
    def broken(self) -> bool:
        """Whether anything is wrong, pending or not."""
        return bool(self.mismatches or self.spec_violations or self.error)

    @property
    def verdict(self) -> Verdict:
        if self.not_applicable is not None:
            return "not_applicable"
        if not self.broken:
            return "passed"
        return "pending" if self.pending else "failed"

    @property
    def label(self) -> str:
        """How reports name the interaction."""
        states = "; ".join(self.provider_states)
        return f"{self.description} (given {states})" if states else self.description

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "description": self.description,
            "pointer": self.pointer,
            "provider_states": list(self.provider_states),
            "request": self.request,
            "expected_status": self.expected_status,
            "verdict": self.verdict,
            "pending": self.pending,
            "error": self.error,
            "not_applicable": self.not_applicable,
            "mismatches": [m.to_dict() for m in self.mismatches],
            "spec_violations": [v.to_dict() for v in self.spec_violations],
            "exchange": self.exchange.to_dict() if self.exchange else None,
            "duration": round(self.duration, 4),
        }


def _counts(interactions: list[InteractionVerification]) -> dict[str, int]:
    return count_verdicts(interactions, ("passed", "failed", "pending", "not_applicable"))


class PactVerification(PactOutcome[InteractionVerification]):
    """One pact file replayed against the provider (pending interactions do not fail it)."""

    def counts(self) -> dict[str, int]:
        return _counts(self.interactions)


@dataclass
class ServiceVerification:
    """Every pact of one provider, verified against one running instance of it.

    ``problems`` are failures of the run rather than of an interaction (the provider
    exited half-way, recorded traffic that could not be matched to interactions).
    """

    service: str
    provider_url: str
    pacts: list[PactVerification]
    spec: str | None = None
    duration: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems and all(p.passed for p in self.pacts)

    @property
    def interactions(self) -> list[InteractionVerification]:
        return [i for p in self.pacts for i in p.interactions]

    def counts(self) -> dict[str, int]:
        return _counts(self.interactions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "provider_url": self.provider_url,
            "spec": self.spec,
            "passed": self.passed,
            "duration": round(self.duration, 4),
            "counts": self.counts(),
            "problems": list(self.problems),
            "pacts": [p.to_dict() for p in self.pacts],
        }


@dataclass
class VerifyReport:
    """The verification of every service a command asked for."""

    services: list[ServiceVerification]

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.services)

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "services": [s.to_dict() for s in self.services]}
