"""Pact matchers against the spec: what values a matcher stands for, and its own example.

A matcher widens the pact's example to a set of values: ``type`` to any value of
the example's JSON type, ``integer`` to any whole number, ``regex`` to any string the
expression accepts. The example itself is validated against the spec's schema
like any value; on top of that, a matcher whose *kind* no value of the schema's
types could satisfy (an ``integer`` matcher where the spec says string, a
``decimal`` where it says integer) is a clash, and a ``regex`` matcher must accept
its own example (Pact would fail the consumer's own test otherwise). Matchers
combined with ``OR`` (V4) widen together: the set clashes, or rejects its example,
only when each of them does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .._pact import Rule, RuleSet
from ._describe import Issue, a, json_type, show

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


# Matchers of a collection as a whole: they say nothing of the values inside it.
_CONTAINER_KINDS = frozenset(
    {"arrayContains", "eachKey", "eachValue", "values", "eachKeyLike", "eachValueLike"}
)


def cascading(ruleset: RuleSet) -> RuleSet:
    """The matchers of ``ruleset`` that also govern the values below their path.

    Pact applies the most specific rule on a path or its parents, so a ``type`` on an
    object reaches its fields; a collection's own matchers (``arrayContains``,
    ``eachKey``...) stay with the collection.
    """
    if not any(rule.match in _CONTAINER_KINDS for rule in ruleset.rules):
        return ruleset
    kept = tuple(rule for rule in ruleset.rules if rule.match not in _CONTAINER_KINDS)
    return RuleSet(kept, ruleset.combine)


def checked_part(ruleset: RuleSet, *, inherited: bool) -> RuleSet | None:
    """The matchers of ``ruleset`` worth checking at a place (None: nothing to check there).

    Only regex matchers (their own example) and kinds with a JSON type (against the
    schema) can disagree with a spec; an ``inherited`` set (a parent's) keeps only what
    cascades.
    """
    own = cascading(ruleset) if inherited else ruleset
    if any(rule.match == "regex" or rule.match in _KIND_TYPES for rule in own.rules):
        return own
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _accepts(rule: Rule, value: Any) -> bool:
    """Whether one matcher of an ``OR`` set lets the pact's own example through."""
    if rule.match == "regex":
        regex = rule.attrs.get("regex")
        return isinstance(regex, str) and re.search(regex, _text(value)) is not None
    wanted = _KIND_TYPES.get(rule.match)
    return (
        wanted is None
        or json_type(value) in wanted
        or (json_type(value) == "integer" and "number" in wanted)
    )


def regex_misses(ruleset: RuleSet | None, values: list[Any]) -> list[tuple[str, str]]:
    """``(regex, example)`` for each regex matcher that rejects one of the pact's examples.

    Under ``combine: OR`` a miss counts only when no other matcher of the set accepts
    the example (``{"match": "null"}`` beside a regex lets ``null`` through).
    """
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
            text = _text(value)
            if re.search(regex, text):
                continue
            if ruleset.combine == "OR" and any(_accepts(r, value) for r in ruleset.rules):
                continue
            misses.append((regex, text))
    return misses


def clashes(ruleset: RuleSet, types: frozenset[str] | None, spec_verb: str) -> list[str]:
    """Why the matchers of ``ruleset`` cannot fit a schema of ``types``, one reason each.

    Under ``combine: OR`` the set clashes only when every matcher does.
    """
    found = [kind_clash(rule, types, spec_verb) for rule in ruleset.rules]
    if ruleset.combine == "OR" and not all(found):
        return []
    return [reason for reason in found if reason]


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
