"""Consumer-aware breaking-change detection between two versions of a spec.

Every difference between an old and a new OpenAPI document is classified as
*breaking*, *possibly breaking* or *safe* by a stable rule code (table in
:mod:`contractgate.diff._rules`), direction-aware: narrowing what a request may hold
breaks consumers, widening what a response may hold may surprise them. ``$ref`` is
resolved before comparing, so moving a schema to a component or renaming one is no
change. Then each interaction of the consumers' pacts says whether it relies on what
changed (the operation, the parameters and body fields it sends, the status, headers
and body fields it expects), so a breaking change lists whom it breaks, and one that
no consumer relies on does not fail unless ``strict``::

    from contractgate._openapi import load_spec
    from contractgate._pact import load_pact
    from contractgate.diff import diff_against_ref, diff_specs

    pacts = [load_pact("contracts/orchestrator-user-service.json")]
    result = diff_specs(load_spec("old.yaml"), load_spec("openapi/user-service.yaml"), pacts)
    # or: the spec file as it is now against its version at a git revision
    result = diff_against_ref("openapi/user-service.yaml", "HEAD", pacts)
    for change in result.failures:
        print(change.severity, change.rule, change.message, change.consumers)
    result.passed      # False when a breaking change breaks a consumer

For a configured project, :func:`diff_services` diffs every service against a
revision (what ``contractgate diff --base REF`` does).
"""

from ._diff import diff_against_ref, diff_service, diff_services, diff_specs
from ._git import SpecAtRef, spec_at_ref
from ._results import Affected, Change, DiffReport, DiffResult, Target
from ._rules import RULES, Severity

__all__ = [
    "RULES",
    "Affected",
    "Change",
    "DiffReport",
    "DiffResult",
    "Severity",
    "SpecAtRef",
    "Target",
    "diff_against_ref",
    "diff_service",
    "diff_services",
    "diff_specs",
    "spec_at_ref",
]
