"""Disagreements in words: schema validation errors and matcher clashes as :class:`Issue`.

Every message names the place first, then what each side says, from the pact's
point of view: "response body /push: the pact expects a string, the spec promises a
boolean"; on the request side the pact *sends* and the spec *expects*.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from .._documents import json_pointer
from .._openapi import Schema
from .._pact import Rule, Rules
from ._schema import SchemaContext

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """A finding before it is placed: code, words, pact pointer, spec ``(file, pointer)``."""

    code: str
    message: str
    pact_pointer: str
    spec: tuple[str, str] | None


@dataclass(frozen=True)
class Voice:
    """How one side of the exchange is phrased."""

    side: str  # "request" or "response"

    @property
    def pact(self) -> str:
        return "the pact sends" if self.side == "request" else "the pact expects"

    @property
    def spec(self) -> str:
        return "the spec expects" if self.side == "request" else "the spec promises"


REQUEST = Voice("request")
RESPONSE = Voice("response")


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value (``integer`` for whole numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def a(type_name: str) -> str:
    """``a string``, ``an integer``, ``null``."""
    if type_name == "null":
        return "null"
    return f"an {type_name}" if type_name[:1] in "aeiou" else f"a {type_name}"


def types_phrase(declared: Any) -> str:
    """The types a schema's ``type`` keyword allows, in words."""
    names = [declared] if isinstance(declared, str) else [str(t) for t in declared]
    return " or ".join(a(n) for n in names) or "nothing"


def show(value: Any, limit: int = 60) -> str:
    """A short rendering of a pact value for a message."""
    text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def where(label: str, path: Path) -> str:
    """``response body /a/0/b``: a label and a path within the value."""
    return f"{label} {json_pointer(path)}" if path else label


def matcher_note(rule: Rule | None) -> str:
    if rule is None:
        return ""
    if rule.match == "regex":
        return f" (regex matcher {rule.attrs.get('regex')})"
    return f" ({rule.match} matcher)"


_KINDS = {
    "type": "type",
    "enum": "enum",
    "const": "enum",
    "pattern": "pattern",
    "format": "format",
    "required": "required",
    "additionalProperties": "undocumented",
    "unevaluatedProperties": "undocumented",
    "oneOf": "schema",
    "anyOf": "schema",
    "not": "schema",
    "if": "schema",
    "then": "schema",
    "else": "schema",
    "contains": "schema",
    "propertyNames": "schema",
    "dependentSchemas": "schema",
    "dependentRequired": "schema",
    "readOnly": "read-only",
    "writeOnly": "write-only",
}


def kind_of(error: ValidationError) -> str:
    """The finding kind (``type``, ``enum``...) of a validation error."""
    return _KINDS.get(str(error.validator), "constraint")


def describe(error: ValidationError, voice: Voice, rule: Rule | None = None) -> str:
    """What a validation error means, in the words of the module docstring."""
    keyword, value = str(error.validator), error.instance
    expected: Any = error.validator_value
    note = matcher_note(rule)
    if keyword == "type":
        return f"{voice.pact} {a(json_type(value))}{note}, {voice.spec} {types_phrase(expected)}"
    if keyword == "enum":
        allowed = ", ".join(show(v, 30) for v in list(expected)[:8])
        more = ", …" if len(expected) > 8 else ""
        return f"{voice.pact} {show(value)}{note}, the spec allows only {allowed}{more}"
    if keyword == "const":
        return f"{voice.pact} {show(value)}{note}, the spec allows only {show(expected)}"
    if keyword == "pattern":
        subject = f"the pact's example {show(value)}{note}" if rule else show(value)
        return f"{subject} does not match the spec's pattern {expected}"
    if keyword == "format":
        return f"{show(value)}{note} is not a valid {expected} (the spec's format)"
    if keyword in ("readOnly", "writeOnly"):
        name = error.absolute_path[-1] if error.absolute_path else "?"
        if keyword == "readOnly":
            return f"{voice.pact} field {name}, the spec marks it readOnly (not for requests)"
        return f"{voice.pact} field {name}, the spec marks it writeOnly (never in responses)"
    discriminator = error.schema.get("discriminator") if isinstance(error.schema, dict) else None
    if keyword in ("oneOf", "anyOf") and isinstance(discriminator, dict) and not error.context:
        return _discriminated(str(discriminator.get("propertyName")), value, keyword, voice)
    if keyword in ("oneOf", "anyOf"):
        if not error.context:
            return f"{show(value)} fits more than one of the spec's {keyword} alternatives"
        closest = best_match(error.context)
        return (
            f"{voice.pact} a value that fits none of the spec's {keyword} alternatives "
            f"(closest: {describe(closest, voice)})"
        )
    if keyword == "not":
        return f"{voice.pact} {show(value)}, a value the spec excludes ('not')"
    return _limit(keyword, expected, value) or f"the spec says: {error.message}"


def _discriminated(name: str, value: Any, keyword: str, voice: Voice) -> str:
    """Why a discriminator could not choose one of the ``keyword`` alternatives."""
    if not isinstance(value, dict):
        return (
            f"{voice.pact} {a(json_type(value))}, {voice.spec} an object (discriminated {keyword})"
        )
    if not value.get(name):
        return (
            f"{voice.pact} no field {name}, which the spec's discriminator needs "
            f"to choose among its {keyword} alternatives"
        )
    return (
        f"{voice.pact} {name} {show(value[name])}, which names none of the spec's "
        f"{keyword} alternatives (its discriminator)"
    )


def _limit(keyword: str, expected: Any, value: Any) -> str | None:
    phrases = {
        "minimum": f"{show(value)} is below the spec's minimum of {expected}",
        "maximum": f"{show(value)} is above the spec's maximum of {expected}",
        "exclusiveMinimum": f"{show(value)} is not above the spec's exclusiveMinimum {expected}",
        "exclusiveMaximum": f"{show(value)} is not below the spec's exclusiveMaximum {expected}",
        "multipleOf": f"{show(value)} is not a multiple of {expected}",
        "minLength": f"{show(value)} is shorter than the spec's minLength of {expected}",
        "maxLength": f"{show(value)} is longer than the spec's maxLength of {expected}",
        "uniqueItems": "the items repeat, the spec says uniqueItems",
    }
    if keyword in ("minItems", "maxItems") and isinstance(value, list):
        word = "minItems" if keyword == "minItems" else "maxItems"
        return f"{len(value)} item(s), the spec's {word} is {expected}"
    if isinstance(expected, bool) and keyword.startswith("exclusive"):
        return None  # OpenAPI 3.0's boolean form: jsonschema's own words are clearer
    return phrases.get(keyword)


def schema_issues(
    ctx: SchemaContext,
    schema: Schema,
    errors: Iterable[ValidationError],
    *,
    voice: Voice,
    label: str,
    pointer: Callable[[Path], str],
    code: str | None = None,
    rules: Rules | None = None,
) -> list[Issue]:
    """Issues for validation errors of a value checked against ``schema``.

    ``pointer`` turns a path within the value into a pact file pointer; ``code`` fixes
    the rule code (parameters), else it is ``<side>.body.<kind>``.
    """
    out: list[Issue] = []
    missing: dict[tuple[Path, int], list[str]] = {}
    for error in errors:
        path = tuple(error.absolute_path)
        kind = kind_of(error)
        rule_code = code or f"{voice.side}.body.{kind}"
        spec = ctx.place_of(error.schema, schema)
        expected: Any = error.validator_value
        if kind == "required" and isinstance(error.instance, dict):
            # jsonschema reports each missing name in turn, in the order of ``required``.
            names = missing.setdefault(
                (path, id(error.schema)),
                [n for n in expected if n not in error.instance],
            )
            name = names.pop(0) if names else "?"
            # Only requests get here: response validators ignore ``required``.
            text = "the spec requires this field, the pact does not send it"
            out.append(
                Issue(rule_code, f"{where(label, (*path, name))}: {text}", pointer(path), spec)
            )
        elif kind == "undocumented" and isinstance(error.instance, dict):
            keys = _undeclared(ctx, error, schema) or ["?"]
            out.extend(
                Issue(
                    rule_code,
                    f"{where(label, (*path, key))}: {voice.pact} field {key}, "
                    f"the spec does not allow it ({error.validator}: false)",
                    pointer((*path, key)),
                    spec,
                )
                for key in keys
            )
        else:
            text = describe(error, voice, _rule_at(rules, path))
            out.append(Issue(rule_code, f"{where(label, path)}: {text}", pointer(path), spec))
    # openapi-schema-validator's 3.0 ``type`` reports a null twice ("not nullable", then
    # "not of type"): one issue each.
    return list(dict.fromkeys(out))


def _undeclared(ctx: SchemaContext, error: ValidationError, fallback: Schema) -> list[str]:
    """The keys an ``additionalProperties``/``unevaluatedProperties: false`` error is about."""
    node = error.schema if isinstance(error.schema, dict) else {}
    instance: Any = error.instance
    if error.validator == "unevaluatedProperties":
        source, pointer = ctx.place_of(node, fallback)
        view = ctx.view([Schema(node, source, pointer)])
        return [k for k in instance if ctx.child(view, k) is None]
    declared = node.get("properties") or {}
    patterns = list(node.get("patternProperties") or {})
    return [k for k in instance if k not in declared and not any(re.search(p, k) for p in patterns)]


def _rule_at(rules: Rules | None, path: Path) -> Rule | None:
    if not rules:
        return None
    found = rules.at(path)
    return found.rules[0] if found and found.rules else None
