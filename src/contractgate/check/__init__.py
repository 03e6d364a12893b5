"""Bi-directional contract checking: a consumer's pact against the provider's OpenAPI spec.

Neither service runs. For every HTTP interaction of every pact, :func:`check_service`
asks whether the provider, as its spec describes it, serves what the consumer's
pact relies on:

- the request reaches a documented operation (an unknown path and an undocumented
  method are told apart, the spec's base path considered), its path, query and
  header parameters fit (OpenAPI ``style``/``explode``), it carries the credential
  the operation's ``security`` asks for, its ``Accept`` names a media type the
  operation produces, and its body fits the request body of its media type;
- the response status is documented (exactly, as ``4XX``, or only by ``default``,
  which is said), the response headers the pact expects are documented and valid,
  required ones present, and the body fits the schema of its media type, with
  every field the pact expects declared by the spec.

Values under a matcher are checked by the matcher's example and by its kind.
Message and plugin interactions are reported as not applicable, never as passed.
Each failure carries a stable rule code (table in :mod:`contractgate.check._rules`),
a JSON pointer into the pact and one into the spec, with ``line:col``.

The result also holds the reverse view: which operations (and which response
fields) each consumer relies on, and which documented operations no consumer uses.
"""

from __future__ import annotations

from ._check import check_project, check_service
from ._results import (
    CheckResult,
    ConsumerUse,
    Finding,
    InteractionResult,
    Location,
    OperationUsage,
    PactResult,
    ServiceResult,
)
from ._rules import RULES

__all__ = [
    "RULES",
    "CheckResult",
    "ConsumerUse",
    "Finding",
    "InteractionResult",
    "Location",
    "OperationUsage",
    "PactResult",
    "ServiceResult",
    "check_project",
    "check_service",
]
