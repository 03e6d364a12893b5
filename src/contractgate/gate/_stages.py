"""Each stage's library result as gate cases: one adapter per stage, no logic of its own.

The stages stay what they are (``lint``, ``check``, ``diff``, ``verify``, ``fuzz``
return their own rich results); these functions only say which of their parts is a
case, with what status, message and details for the reports.
"""

from __future__ import annotations

from ..check import ServiceResult
from ..diff import DiffResult
from ..fuzz import ServiceFuzz
from ..lint import LintReport
from ..verify import ServiceVerification
from ._model import Case, Status

_CHECK_STATUS = {
    "passed": Status.PASSED,
    "failed": Status.FAILED,
    "not applicable": Status.NOT_APPLICABLE,
}


def lint_cases(report: LintReport) -> list[Case]:
    """A case per file: failed when it has an error (warnings are listed, not failed)."""
    cases = []
    for file in report.files:
        errors = [p for p in file.problems if p.severity == "error"]
        cases.append(
            Case(
                name=file.source,
                status=Status.FAILED if errors else Status.PASSED,
                message="\n".join(str(p) for p in file.problems),
                details={"kind": str(file.kind), "problems": [p.to_dict() for p in file.problems]},
            )
        )
    return cases


def check_cases(result: ServiceResult) -> list[Case]:
    """A case per pact interaction: its verdict against the provider's spec."""
    cases = []
    for pact in result.pacts:
        for interaction in pact.interactions:
            findings = interaction.errors or interaction.warnings
            cases.append(
                Case(
                    name=interaction.description,
                    status=_CHECK_STATUS[interaction.verdict],
                    message=interaction.not_applicable or "\n".join(f.message for f in findings),
                    consumer=pact.consumer,
                    details=interaction.to_dict(),
                )
            )
    unused = [op.operation for op in result.unused]
    if unused and cases:
        cases[0].details = {**cases[0].details, "operations_no_consumer_uses": unused}
    return cases


def diff_cases(result: DiffResult) -> list[Case]:
    """A case per change: failed when it breaks a consumer (or any breaking one, if strict)."""
    failing = {id(c) for c in result.failures}
    cases = []
    for change in result.changes:
        status = Status.FAILED if id(change) in failing else Status.PASSED
        who = ", ".join(change.consumers) if change.consumers else "no consumer relies on it"
        cases.append(
            Case(
                name=f"{change.severity}: {change.rule}",
                status=status,
                message=f"{change.message} ({who})",
                details=change.to_dict(),
            )
        )
    return cases


_VERIFY_STATUS = {
    "passed": Status.PASSED,
    "failed": Status.FAILED,
    "pending": Status.SKIPPED,  # a pending interaction reports, it does not gate
    "not_applicable": Status.NOT_APPLICABLE,
}


def verify_cases(result: ServiceVerification) -> list[Case]:
    """A case per replayed interaction: pact mismatches and spec violations."""
    cases = []
    for pact in result.pacts:
        for interaction in pact.interactions:
            problems = [m.message for m in interaction.mismatches]
            problems += [v.message for v in interaction.spec_violations]
            problems += [interaction.error] if interaction.error else []
            cases.append(
                Case(
                    name=interaction.label,
                    status=_VERIFY_STATUS[interaction.verdict],
                    message=interaction.not_applicable or "\n".join(problems),
                    consumer=pact.consumer,
                    details=interaction.to_dict(),
                    duration=interaction.duration,
                )
            )
    cases += [Case(name="verification", status=Status.ERROR, message=p) for p in result.problems]
    return cases


RESPONSE_TIMES = "provider response time (ms)"
"""The samples of a verify or fuzz stage: what the HTML report draws as a histogram."""


def verify_response_ms(result: ServiceVerification) -> list[float]:
    """How long the provider took to answer each replayed interaction, in milliseconds."""
    return [
        round(i.exchange.duration * 1000, 3)
        for i in result.interactions
        if i.exchange is not None and i.exchange.status is not None
    ]


def fuzz_cases(result: ServiceFuzz) -> list[Case]:
    """A case per operation: its generated cases, and each failure with how to reproduce it."""
    cases = []
    for op in result.operations:
        messages = [f"{f.check}: {f.message}\n  reproduce: {f.reproduce}" for f in op.failures]
        messages += [e.message for e in op.errors]
        status = Status.ERROR if op.errors and not op.failures else Status.FAILED
        cases.append(
            Case(
                name=f"{op.operation} ({op.cases} cases)",
                status=Status.PASSED if op.passed else status,
                message="\n".join(messages),
                details=op.to_dict(),
            )
        )
    cases += [Case(name="fuzz run", status=Status.ERROR, message=e.message) for e in result.errors]
    return cases
