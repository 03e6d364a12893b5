"""Pact matchers against the spec: what values a matcher stands for, and its own example.

A matcher widens the pact's example to a set of values: ``type`` to any value of
the example's JSON type, ``integer`` to any whole number, ``regex`` to any string the
expression accepts. The example itself is validated against the spec's schema
like any value; on top of that, a matcher whose *kind* no value of the schema's
types could satisfy (an ``integer`` matcher where the spec says string, a
``decimal`` where it says integer) is a clash, and a ``regex`` matcher must accept
its own example (Pact would fail the consumer's own test otherwise).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .._pact import Rule, RuleSet
from ._describe import Issue, a, show

# The JSON types each kind of matcher accepts (kinds not listed take any type).
_KIND_TYPES: dict[str, frozenset[str]] = {
    "integer": frozenset({"integer", "number"}),
    "decimal": frozenset({"number"}),
    "number": frozenset({"integer", "number"}),
    "boolean": frozenset({"boolean"}),
    "null": frozenset({"null"}),
    "datetime": frozenset({"string"}),
    "timestamp": frozenset({"string"}),
    "date": frozenset({"string"}),
    "time": frozenset({"string"}),
    "include": frozenset({"string"}),
    "semver": frozenset({"string"}),
    "arrayContains": frozenset({"array"}),
}
_KIND_WORDS = {
    "integer": "an integer",
    "decimal": "a decimal number",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
    "datetime": "a date-time string",
    "timestamp": "a timestamp string",
    "date": "a date string",
    "time": "a time string",
    "include": "a string",
    "semver": "a version string",
    "arrayContains": "an array",
}


def kind_clash(rule: Rule, types: frozenset[str] | None, spec_verb: str) -> str | None:
    """Why a matcher's kind cannot fit a schema of ``types`` (None when it can)."""
    wanted = _KIND_TYPES.get(rule.match)
    if wanted is None or types is None or wanted & types:
        return None
    promised = " or ".join(a(t) for t in sorted(types))
    return (
        f"the pact's {rule.match} matcher expects {_KIND_WORDS[rule.match]}, {spec_verb} {promised}"
    )


def regex_misses(ruleset: RuleSet | None, values: list[Any]) -> list[tuple[str, str]]:
    """``(regex, example)`` for each regex matcher that rejects one of the pact's examples."""
    if ruleset is None:
        return []
    misses = []
    for rule in ruleset.rules:
        regex = rule.attrs.get("regex")
        if rule.match != "regex" or not isinstance(regex, str):
            continue
        for value in values:
            if isinstance(value, dict | list):
                continue
            text = value if isinstance(value, str) else json.dumps(value)
            if not re.search(regex, text):
                misses.append((regex, text))
    return misses


def regex_issues(
    ruleset: RuleSet | None, values: list[Any], label: str, pointer: Callable[[], str]
) -> list[Issue]:
    """``matcher.regex`` issues: a regex matcher that rejects the pact's own example."""
    misses = regex_misses(ruleset, values)
    if not misses:
        return []
    where = pointer()
    return [
        Issue(
            "matcher.regex",
            f"{label}: the pact's regex matcher {regex} "
            f"does not accept its own example {show(text)}",
            where,
            None,
        )
        for regex, text in misses
    ]
