"""The stage: every pact of a service against its spec, and the reverse view."""

from __future__ import annotations

from dataclasses import dataclass, field

from .._project import Project, Service
from ._interaction import check_interaction
from ._results import CheckResult, ConsumerUse, OperationUsage, PactResult, ServiceResult
from ._schema import SchemaContext


@dataclass
class _Use:
    interactions: list[int] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    fields: dict[str, None] = field(default_factory=dict)  # ordered set


def check_service(service: Service) -> ServiceResult:
    """Check every HTTP interaction of every pact of ``service`` against its spec."""
    ctx = SchemaContext(service.spec)
    uses: dict[str, dict[tuple[str, str], _Use]] = {}
    pacts = []
    for pact in service.pacts:
        results = []
        for interaction in pact.interactions:
            checked = check_interaction(ctx, pact, interaction)
            results.append(checked.result)
            if checked.operation is not None and checked.result.status is not None:
                use = uses.setdefault(checked.operation.key, {}).setdefault(
                    (pact.consumer, pact.source), _Use()
                )
                use.interactions.append(interaction.index)
                use.statuses.add(checked.result.status)
                use.fields.update(dict.fromkeys(checked.fields))
        pacts.append(
            PactResult(pact.source, pact.consumer, pact.provider, pact.spec_version, results)
        )
    operations = [
        OperationUsage(
            operation=op.key,
            operation_id=op.operation_id,
            pointer=op.pointer,
            consumers=tuple(
                ConsumerUse(
                    consumer=consumer,
                    pact=source,
                    interactions=tuple(use.interactions),
                    statuses=tuple(sorted(use.statuses)),
                    response_fields=tuple(sorted(use.fields)),
                )
                for (consumer, source), use in uses.get(op.key, {}).items()
            ),
        )
        for op in service.spec.operations
    ]
    return ServiceResult(service.name, service.spec.source, pacts, operations)


def check_project(project: Project) -> CheckResult:
    """Check every service of ``project`` (see :func:`check_service`)."""
    return CheckResult([check_service(service) for service in project.services])
