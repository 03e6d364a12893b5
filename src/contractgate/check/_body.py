"""A request or response body of a pact against the schema of its media type.

Two passes, each linear in the size of the body:

1. a walk of the pact's value alongside the schema's :class:`View`, which finds the
   response fields the spec does not declare, matcher kinds that clash with the
   schema's types, regex matchers that reject their own example, and records the
   fields the consumer relies on;
2. the spec's compiled validator on the whole value (``required`` off for responses:
   a consumer names only the fields it reads), its errors put into words.

A response field the spec does not declare is a failure even where the schema
leaves ``additionalProperties`` open: the consumer relies on something the
provider never promised, which is exactly how a renamed field shows up.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from jsonschema import ValidationError

from .._openapi import Schema
from .._pact import Rules, RuleSet
from ._describe import Issue, Path, Voice, schema_issues, where
from ._matchers import checked_part, clashes, regex_issues, regex_misses
from ._schema import SchemaContext, View

# The rules Pact applies at a place: the most specific expression ending there or
# above (weight as in Rules.at; ties go to the earlier expression), with the ruleset.
_Best = tuple[int, int, RuleSet]
# An expression still being followed down the body: (tokens, weight, order, ruleset).
_Pending = tuple[tuple[str | int, ...], int, int, RuleSet]


_CONTAINERS = (dict, list)


def _weight(expr: tuple[str | int, ...]) -> int:
    return sum(2 if t != "*" else 1 for t in expr) * 1000 + len(expr)


@dataclass
class _Walk:
    ctx: SchemaContext
    rules: Rules
    voice: Voice
    label: str
    pointer: Callable[[Path], str]
    issues: list[Issue] = field(default_factory=list)
    fields: dict[str, None] = field(default_factory=dict)  # an ordered set
    clashes: set[Path] = field(default_factory=set)
    # checked_part of each rule set met, own and inherited: a set cascades to many places.
    checked: dict[tuple[int, bool], RuleSet | None] = field(default_factory=dict)

    def start(self, value: Any, view: View) -> None:
        pending: list[_Pending] = []
        best: _Best | None = None
        for order, (expr, ruleset) in enumerate(self.rules.by_path.items()):
            if expr:
                pending.append((expr, _weight(expr), -order, ruleset))
            elif best is None:
                best = (_weight(expr), -order, ruleset)
        self._walk(value, view, (), "", (pending, best))

    def _walk(
        self,
        value: Any,
        view: View,
        path: Path,
        field_path: str,
        rules: tuple[list[_Pending], _Best | None],
    ) -> None:
        if rules[1] is not None:
            self._rules_at(value, view, path, rules[1])
        depth = len(path)
        if isinstance(value, dict):
            if view.discriminators:
                view = self.ctx.discriminated(view, value)
            response = self.voice.side == "response"
            fields, child_of, walk = self.fields, self.ctx.child, self._walk
            for key, child in value.items():
                child_field = ""
                if response:  # the fields a consumer reads are a response's
                    escaped = key.replace("~", "~0").replace("/", "~1") if "~" in key else key
                    child_field = f"{field_path}/{escaped.replace('/', '~1')}"
                    fields[child_field] = None
                child_view = child_of(view, key)
                if child_view is None:
                    if response:
                        self._undocumented(view, key, (*path, key))
                    continue
                narrowed = _narrow(rules, key, depth) if rules[0] else rules
                if isinstance(child, _CONTAINERS):
                    walk(child, child_view, (*path, key), child_field, narrowed)
                elif narrowed[1] is not None:  # a leaf: only its matchers to see
                    self._rules_at(child, child_view, (*path, key), narrowed[1])
        elif isinstance(value, list):
            item_of = self.ctx.item
            for index, item in enumerate(value):
                item_view = item_of(view, index)
                narrowed = _narrow(rules, index, depth) if rules[0] else rules
                if isinstance(item, _CONTAINERS):
                    self._walk(item, item_view, (*path, index), f"{field_path}/*", narrowed)
                elif narrowed[1] is not None:
                    self._rules_at(item, item_view, (*path, index), narrowed[1])

    def _rules_at(self, value: Any, view: View, path: Path, best: _Best) -> None:
        """The matchers that govern ``path`` against its example and its schema."""
        # A weight's last digits are its expression's length: a shorter one is a parent's.
        inherited = best[0] % 1000 != len(path)
        key = (id(best[2]), inherited)
        if key not in self.checked:
            self.checked[key] = checked_part(best[2], inherited=inherited)
        ruleset = self.checked[key]
        if ruleset is not None:
            self._matchers(value, view, path, ruleset)

    def _matchers(self, value: Any, view: View, path: Path, ruleset: RuleSet) -> None:
        if regex_misses(ruleset, [value]):  # the label is only worth building for a miss
            pointer = partial(self.pointer, path)
            self.issues += regex_issues(ruleset, [value], where(self.label, path), pointer)
        for clash in clashes(ruleset, view.types, self.voice.spec):
            self.clashes.add(path)
            self.issues.append(
                Issue(
                    f"{self.voice.side}.body.matcher",
                    f"{where(self.label, path)}: {clash}",
                    self.pointer(path),
                    _place(view),
                )
            )

    def _undocumented(self, view: View, key: str, path: Path) -> None:
        close = difflib.get_close_matches(key, list(view.properties), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.issues.append(
            Issue(
                f"{self.voice.side}.body.undocumented",
                f"{where(self.label, path)}: {self.voice.pact} field {key}, "
                f"the spec does not document it{hint}",
                self.pointer(path),
                _place(view),
            )
        )


def _narrow(
    rules: tuple[list[_Pending], _Best | None], token: str | int, depth: int
) -> tuple[list[_Pending], _Best | None]:
    """The rules below ``token``: expressions ending there may be more specific."""
    pending, best = rules
    if not pending:
        return rules
    narrowed: list[_Pending] = []
    for entry in pending:
        expr = entry[0]
        if expr[depth] == "*" or expr[depth] == token:
            if len(expr) == depth + 1:
                if best is None or entry[1:3] > best[:2]:
                    best = (entry[1], entry[2], entry[3])
            else:
                narrowed.append(entry)
    return narrowed, best


def _place(view: View) -> tuple[str, str] | None:
    return (view.anchor.source, view.anchor.pointer) if view.anchor else None


@dataclass
class BodyCheck:
    """The issues of one body and the fields it holds (``/items/*/code`` style)."""

    issues: list[Issue]
    fields: list[str]


def check_body(
    ctx: SchemaContext,
    value: Any,
    schema: Schema,
    rules: Rules,
    *,
    voice: Voice,
    pointer: Callable[[Path], str],
) -> BodyCheck:
    """Check a parsed body against ``schema`` (see the module docstring)."""
    label = f"{voice.side} body"
    walk = _Walk(ctx, rules, voice, label, pointer)
    walk.start(value, ctx.view([schema]))
    response = voice.side == "response"
    errors = [
        e
        for e in ctx.errors(schema, value, response=response)
        if not (response and _covered_by_walk(e)) and not _clash_repeat(e, walk.clashes)
    ]
    issues = walk.issues + schema_issues(
        ctx, schema, errors, voice=voice, label=label, pointer=pointer, rules=rules
    )
    issues.sort(key=lambda i: i.pact_pointer)
    return BodyCheck(issues, list(walk.fields))


def _covered_by_walk(error: ValidationError) -> bool:
    """Errors the walk already reports, or that only a partial response body causes."""
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        return error.validator_value is False
    # Without ``required``, a partial body can fit several oneOf branches at once (a
    # discriminator's own errors have no context either, and they stand).
    return (
        error.validator == "oneOf"
        and not error.context
        and not (isinstance(error.schema, dict) and "discriminator" in error.schema)
    )


def _clash_repeat(error: ValidationError, clashes: set[Path]) -> bool:
    return error.validator == "type" and tuple(error.absolute_path) in clashes
