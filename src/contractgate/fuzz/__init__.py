"""``contractgate fuzz``: schema-driven tests (schemathesis) against a running provider.

From the provider's OpenAPI spec, schemathesis generates valid and invalid requests
per operation (explicit examples, boundary values, random data, and sequences along
the spec's links) and checks every answer: no server error, a documented status, a
documented content type, a body and headers that match the spec, invalid input
rejected. A seed makes a run repeatable; every failure comes with a curl command that
sends the failing request again::

    from contractgate._config import load_config
    from contractgate._project import load_project
    from contractgate.fuzz import fuzz_project

    project = load_project(load_config("contractgate.toml"), ["template-service"])
    report = fuzz_project(project, seed=1)    # starts the provider, stops it after
    for failure in report.services[0].failures:
        print(failure.operation, failure.check, failure.reproduce)
"""

from ._engine import DEFAULT_CHECKS
from ._fuzz import DEFAULT_MAX_EXAMPLES, DEFAULT_TIMEOUT, fuzz_project, fuzz_service, fuzz_spec
from ._reproduce import curl_command
from ._results import (
    FuzzError,
    FuzzFailure,
    FuzzReport,
    FuzzRequest,
    OperationFuzz,
    ServiceFuzz,
)

__all__ = [
    "DEFAULT_CHECKS",
    "DEFAULT_MAX_EXAMPLES",
    "DEFAULT_TIMEOUT",
    "FuzzError",
    "FuzzFailure",
    "FuzzReport",
    "FuzzRequest",
    "OperationFuzz",
    "ServiceFuzz",
    "curl_command",
    "fuzz_project",
    "fuzz_service",
    "fuzz_spec",
]
