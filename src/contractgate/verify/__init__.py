"""``contractgate verify``: replay the pacts against a real provider, check it keeps the spec.

pact-python's verifier replays every HTTP interaction a consumer recorded, setting
provider states through the provider's state endpoint; every real response is also
validated against the provider's OpenAPI spec with openapi-core, which catches drift
the pacts do not cover. Failures are results, not exceptions::

    from contractgate._config import load_config
    from contractgate._project import load_project
    from contractgate.verify import verify_project

    project = load_project(load_config("contractgate.toml"), ["user-service"])
    report = verify_project(project)          # starts the provider, stops it after
    report.passed                             # False when an interaction failed
    for interaction in report.services[0].interactions:
        for mismatch in interaction.mismatches:   # pact: expected vs actual at a JSON path
            print(interaction.label, mismatch.path, mismatch.expected, mismatch.actual)

With a provider that already runs, use :func:`verify_pacts` (pacts, optional spec)
or :func:`verify_service` with a :class:`~contractgate._provider.RunningProvider`.
"""

from ._results import (
    Exchange,
    InteractionVerification,
    Mismatch,
    PactVerification,
    ServiceVerification,
    SpecViolation,
    Verdict,
    VerifyReport,
)
from ._verify import (
    DEFAULT_TIMEOUT,
    verify_pacts,
    verify_project,
    verify_service,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "Exchange",
    "InteractionVerification",
    "Mismatch",
    "PactVerification",
    "ServiceVerification",
    "SpecViolation",
    "Verdict",
    "VerifyReport",
    "verify_pacts",
    "verify_project",
    "verify_service",
]
