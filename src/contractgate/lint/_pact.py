"""Linting a Pact file: the model's own checks plus what a loader can let pass.

:func:`contractgate._pact.read_pact` refuses a broken structure (names, specification
version, interactions, matchers, regexes, bounds) at the first problem. Before it,
every interaction is checked for what it accepts but a provider would not: a method
that is no HTTP method, a status written as a string, matching rules in the other
specification version's layout, and the same interaction written twice.
"""

from __future__ import annotations

import json
from typing import Any

from .._documents import Document, json_pointer, split_pointer
from .._errors import InputError
from .._pact import Pact, _spec_version, read_pact
from .._pact import _interaction as read_interaction
from ._report import Problem

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")
_V2_VERSIONS = ("1.0.0", "1.1.0", "2.0.0")
_V2_CATEGORIES = ("body", "header", "headers", "query", "path", "status")


def check_pact(document: Document) -> tuple[list[Problem], Pact | None]:
    """Every problem found in the pact in ``document``, and the model when it loads."""
    problems: list[Problem] = []

    def add(error: InputError) -> None:
        found = Problem.from_error(error)  # the model's errors all have a pointer
        errors = [p for p in problems if p.severity == "error"]
        if not any(_covers(p.pointer or "", found.pointer or "") for p in errors):
            problems.append(found)

    try:
        version: str | None = _spec_version(document)
    except InputError:  # read_pact reports it below
        version = None
    interactions = document.data.get("interactions")
    if isinstance(interactions, list):
        problems += _duplicates(document, interactions)
        for index, raw in enumerate(interactions):
            if isinstance(raw, dict):
                problems += _http_checks(document, raw, f"/interactions/{index}", version)
        if version is not None:  # the model's checks, interaction by interaction
            for index, raw in enumerate(interactions):
                try:
                    read_interaction(document, raw, index, version, version in _V2_VERSIONS)
                except InputError as exc:
                    add(exc)
    try:
        pact = read_pact(document)
    except InputError as exc:
        add(exc)
        return problems, None
    return problems, pact


def _http_checks(
    doc: Document, raw: dict[str, Any], pointer: str, version: str | None
) -> list[Problem]:
    problems = []
    request, response = raw.get("request"), raw.get("response")
    if isinstance(request, dict):
        method = request.get("method")
        if isinstance(method, str) and method and method.upper() not in HTTP_METHODS:
            problems.append(
                Problem.at(
                    doc,
                    f"request method {method!r} is not an HTTP method",
                    f"{pointer}/request/method",
                    "use one of " + ", ".join(HTTP_METHODS),
                )
            )
    if isinstance(response, dict) and "status" in response:
        status = response["status"]
        if isinstance(status, bool) or not isinstance(status, int):
            hint = (
                f"write it as a number: {status.strip()}"
                if isinstance(status, str) and status.strip().isdigit()
                else "write the status code as a number, e.g. 200"
            )
            problems.append(
                Problem.at(
                    doc,
                    f"response status {status!r} is not a number",
                    f"{pointer}/response/status",
                    hint,
                )
            )
    if version is not None:
        for part, value in (("request", request), ("response", response)):
            if isinstance(value, dict) and isinstance(value.get("matchingRules"), dict):
                rules_pointer = f"{pointer}/{part}/matchingRules"
                problems += _rule_layout(doc, value["matchingRules"], rules_pointer, version)
    return problems


def _rule_layout(doc: Document, rules: dict[str, Any], pointer: str, version: str) -> list[Problem]:
    """V2 keys (``$.body.name``) in a V3/V4 pact, or V3/V4 categories in a V2 one."""
    v2 = version in _V2_VERSIONS
    problems = []
    for key, value in rules.items():
        where = json_pointer((*split_pointer(pointer), key))
        if not v2 and str(key).startswith("$"):
            problems.append(
                Problem.at(
                    doc,
                    f"V2-style matching rule key {key!r} in a V{version[0]} pact",
                    where,
                    'V3 and V4 group rules by category: {"body": {"$.name": {"matchers": [...]}}}',
                    at_key=True,
                )
            )
        elif v2 and key in _V2_CATEGORIES and isinstance(value, dict):
            problems.append(
                Problem.at(
                    doc,
                    f"V3-style matching rules {key!r} in a V{version[0]} pact",
                    where,
                    'V2 keys are paths such as "$.body.name", or declare '
                    "metadata.pactSpecification.version 3.0.0",
                    at_key=True,
                )
            )
    return problems


def _duplicates(doc: Document, interactions: list[Any]) -> list[Problem]:
    """The same description under the same provider states: a replay cannot tell them apart."""
    first: dict[tuple[str, str], int] = {}
    problems = []
    for index, raw in enumerate(interactions):
        if not isinstance(raw, dict) or not isinstance(raw.get("description"), str):
            continue
        states = raw.get("providerStates", raw.get("providerState", raw.get("provider_state")))
        key = (raw["description"], json.dumps(states, sort_keys=True, default=str))
        if key in first:
            problems.append(
                Problem.at(
                    doc,
                    f"interaction {raw['description']!r} repeats interaction {first[key]}: "
                    "same description and provider states",
                    f"/interactions/{index}/description",
                    "give each interaction its own description",
                    severity="warning",
                )
            )
        else:
            first[key] = index
    return problems


def _covers(outer: str, inner: str) -> bool:
    """True when ``inner`` is ``outer`` or lies below it."""
    a, b = split_pointer(outer), split_pointer(inner)
    return b[: len(a)] == a
