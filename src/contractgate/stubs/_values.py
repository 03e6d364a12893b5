"""Values for stub bodies and headers, from the spec's schemas.

:class:`Values` answers with the spec's example where it validates, else a value
generated from the schema and checked against it: deterministic (the same spec
gives the same stubs), readable (a property's value is its name where the schema
allows), and never silently wrong (a schema no generated value satisfies is an
:class:`InputError` asking for an example). It also derives the awkward variants
the ``edge_data`` and ``drift`` faults serve.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .._errors import InputError
from .._openapi import Schema, Spec

# ``re._parser`` parses a regex into opcodes; it has no type stubs, hence the Any.
_parser: Any = importlib.import_module("re._parser")

_FORMATS = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "12:00:00Z",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri": "https://example.com/",
    "iri-reference": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "AA==",
    "binary": "",
    "password": "password",
    "duration": "PT1S",
    "json-pointer": "/a",
    "regex": ".*",
}
_MAX_DEPTH = 12
_OPTIONAL_DEPTH = 3  # optional properties are filled in down to this depth
# Characters tried, in order, for a regex character class: readable ones first.
_CANDIDATES = (
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "-_. :/@+=,;!?*'~#$%&()[]{}<>|^\"`"
)
EDGE_TEXT = "Zoë Łukasz 日本語 العربية 👋🏽 emoji 🎉 ẞ Ω ≠ ∑ — “quotes” "

_Node = tuple[Any, str, str]  # a schema node, its pointer, its source file


class GenerationError(Exception):
    """No value the schema accepts could be generated."""


@dataclass(frozen=True)
class _Shape:
    """An object schema with ``allOf`` merged: its properties and required names."""

    properties: dict[str, _Node]
    required: tuple[str, ...]


class Values:
    """Examples, generated values and fault variants for one spec."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    # -- examples --------------------------------------------------------------------------

    def example(
        self, schema: Schema, examples: tuple[Any, ...] = (), *, response: bool = True
    ) -> Any:
        """The first of ``examples`` that validates, else a generated value that does.

        Raises :class:`InputError` at the schema when nothing valid can be generated.
        """
        validator = self.spec.validator(schema, response=response)
        for candidate in examples:
            if validator.is_valid(candidate):
                return candidate
        tried = None
        for use_examples in (True, False):
            try:
                value = self._generate(
                    (schema.node, schema.pointer, schema.source), use_examples, 0, None
                )
            except GenerationError:
                continue
            if validator.is_valid(value):
                return value
            tried = value
        detail = ""
        if tried is not None:
            first = next(iter(validator.iter_errors(tried)), None)
            detail = f": {first.message}" if first is not None else ""
        raise self._error(schema, f"cannot generate a value for this schema{detail}")

    def is_valid(self, schema: Schema, value: Any, *, response: bool = True) -> bool:
        """Whether ``value`` validates against ``schema``."""
        return bool(self.spec.validator(schema, response=response).is_valid(value))

    def _error(self, schema: Schema, message: str) -> InputError:
        place = schema.pointer
        if schema.source == self.spec.source:
            place = self.spec.document.place(schema.pointer)
        return InputError(
            message,
            source=schema.source,
            place=place,
            hint="add an example to the spec, or simplify the schema",
        )

    def _resolve(self, node: _Node) -> _Node:
        return self.spec.resolve(node[0], node[1], node[2])

    def _generate(self, node: _Node, use_examples: bool, depth: int, name: str | None) -> Any:
        if depth > _MAX_DEPTH:
            raise GenerationError("schema nests too deep (a required circular reference?)")
        data, pointer, source = self._resolve(node)
        if not isinstance(data, dict):
            return "value" if data is not False else None
        if "const" in data:
            return data["const"]
        if use_examples:
            if "example" in data:
                return data["example"]
            if isinstance(data.get("examples"), list) and data["examples"]:
                return data["examples"][0]
            if "default" in data:
                return data["default"]
        if isinstance(data.get("enum"), list) and data["enum"]:
            non_null = [v for v in data["enum"] if v is not None]
            return non_null[0] if non_null else None
        for key in ("oneOf", "anyOf"):
            if isinstance(data.get(key), list) and data[key]:
                first = (data[key][0], f"{pointer}/{key}/0", source)
                return self._generate(first, use_examples, depth + 1, name)
        kind = _type_of(data)
        if "allOf" in data and kind in (None, "object"):
            return self._object((data, pointer, source), use_examples, depth)
        if "allOf" in data:
            return self._generate(
                (data["allOf"][0], f"{pointer}/allOf/0", source), use_examples, depth + 1, name
            )
        if kind == "object":
            return self._object((data, pointer, source), use_examples, depth)
        if kind == "array":
            count = max(int(data.get("minItems", 0)), 1)
            if "maxItems" in data:
                count = min(count, int(data["maxItems"]))
            items = (data.get("items", {}), f"{pointer}/items", source)
            return [self._generate(items, use_examples, depth + 1, name) for _ in range(count)]
        if kind in ("integer", "number"):
            return _number(data, kind == "integer")
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        if kind == "string" or kind is None:
            return _string(data, name)
        raise GenerationError(f"unknown type {kind!r}")

    def _object(self, node: _Node, use_examples: bool, depth: int) -> Any:
        data, pointer, source = node
        shape = self._shape(node)
        out: dict[str, Any] = {}
        for prop, prop_node in shape.properties.items():
            if prop in shape.required or depth < _OPTIONAL_DEPTH:
                try:
                    out[prop] = self._generate(prop_node, use_examples, depth + 1, prop)
                except GenerationError:
                    if prop in shape.required:
                        raise
        for prop in shape.required:
            if prop not in out:  # required but not described: any value will do
                out[prop] = prop
        wanted = int(data.get("minProperties", 0))
        extra = data.get("additionalProperties")
        names = data.get("propertyNames") if isinstance(data.get("propertyNames"), dict) else {}
        for index in range(wanted - len(out)):
            key = _string(names, None) if names.get("pattern") else f"key{index + 1}"
            if isinstance(extra, dict):
                extra_node = (extra, f"{pointer}/additionalProperties", source)
                out[key] = self._generate(extra_node, use_examples, depth + 1, key)
            else:
                out[key] = key
        return out

    def _shape(self, node: _Node) -> _Shape:
        data, pointer, source = self._resolve(node)
        properties: dict[str, _Node] = {}
        required: list[str] = []
        if not isinstance(data, dict):
            return _Shape({}, ())
        for index, part in enumerate(data.get("allOf") or []):
            sub = self._shape((part, f"{pointer}/allOf/{index}", source))
            properties.update(sub.properties)
            required.extend(r for r in sub.required if r not in required)
        for prop, schema in (data.get("properties") or {}).items():
            properties[prop] = (schema, f"{pointer}/properties/{_escape(prop)}", source)
        required.extend(r for r in data.get("required") or [] if r not in required)
        return _Shape(properties, tuple(required))

    # -- fault variants --------------------------------------------------------------------

    def edge_variants(self, value: Any, schema: Schema, max_length: int) -> list[Any]:
        """Valid awkward variants of ``value``: longest unicode strings, optional fields left out.

        Each variant validates against ``schema``; variants that would not, or that
        change nothing, are left out.
        """
        node = (schema.node, schema.pointer, schema.source)
        variants = []
        for mode in ("long", "sparse"):
            try:
                variant = self._edge(value, node, mode, max_length, 0)
            except GenerationError:
                continue
            if variant != value and self.is_valid(schema, variant):
                variants.append(variant)
        return variants

    def _edge(self, value: Any, node: _Node, mode: str, max_length: int, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            return value
        data, pointer, source = self._resolve(node)
        if not isinstance(data, dict) or "oneOf" in data or "anyOf" in data:
            return value
        if isinstance(value, dict):
            shape = self._shape((data, pointer, source))
            out = {}
            for key, item in value.items():
                if mode == "sparse" and key not in shape.required:
                    continue
                sub = shape.properties.get(key)
                out[key] = self._edge(item, sub, mode, max_length, depth + 1) if sub else item
            return out
        if isinstance(value, list):
            items = (data.get("items", {}), f"{pointer}/items", source)
            return [self._edge(item, items, mode, max_length, depth + 1) for item in value]
        free_text = not any(k in data for k in ("pattern", "format", "enum", "const"))
        if isinstance(value, str) and mode == "long" and free_text:
            length = int(data.get("maxLength", max_length))
            return edge_text(max(length, int(data.get("minLength", 0))))
        return value

    def drift(
        self, body: Any, schema: Schema | None, rename: dict[str, str], remove: tuple[str, ...]
    ) -> tuple[Any, str]:
        """``body`` with fields renamed or removed, and a note saying what changed.

        With neither ``rename`` nor ``remove``, the first required string property is
        renamed to the other naming convention (``user_id`` and ``userId`` swap).
        """
        if not isinstance(body, dict):
            return body, "body is not an object: nothing to drift"
        if not rename and not remove:
            field = self._drift_target(body, schema)
            if field is None:
                return body, "body has no fields to drift"
            rename = {field: _other_case(field)}
        out = {}
        for key, item in body.items():
            if key in remove:
                continue
            out[rename.get(key, key)] = item
        changes = [f"{old} -> {new}" for old, new in rename.items() if old in body]
        changes += [f"-{name}" for name in remove if name in body]
        return out, ("drift: " + ", ".join(changes)) if changes else "drift: no field matched"

    def _drift_target(self, body: dict[str, Any], schema: Schema | None) -> str | None:
        if schema is not None:
            shape = self._shape((schema.node, schema.pointer, schema.source))
            for name in shape.required:
                if name in body and isinstance(body[name], str):
                    return name
            for name in shape.required:
                if name in body:
                    return name
        return next(iter(body), None)


# -- scalars -----------------------------------------------------------------------------------


def _type_of(data: dict[str, Any]) -> str | None:
    kind = data.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        return str(non_null[0]) if non_null else "null"
    if isinstance(kind, str):
        return kind
    if "properties" in data or "additionalProperties" in data:
        return "object"
    if "items" in data:
        return "array"
    return None


def _number(data: dict[str, Any], integer: bool) -> int | float:
    step = 1 if integer else 0.5
    low, high = data.get("minimum"), data.get("maximum")
    ex_low, ex_high = data.get("exclusiveMinimum"), data.get("exclusiveMaximum")
    if isinstance(ex_low, bool):  # OpenAPI 3.0: a flag on minimum
        ex_low = low if ex_low else None
        low = None if ex_low is not None else low
    if isinstance(ex_high, bool):
        ex_high = high if ex_high else None
        high = None if ex_high is not None else high
    if ex_low is not None:
        low = ex_low + step if low is None else max(low, ex_low + step)
    if ex_high is not None:
        high = ex_high - step if high is None else min(high, ex_high - step)
    value: float = 1
    if low is not None:
        value = max(value, low) if high is None else low
    if high is not None:
        value = min(value, high)
    multiple = data.get("multipleOf")
    if isinstance(multiple, int | float) and multiple > 0:
        value = math.ceil(value / multiple) * multiple
    if integer:
        return math.ceil(value)
    return float(value)


def _string(data: dict[str, Any], name: str | None) -> str:
    low = int(data.get("minLength", 0))
    high = int(data.get("maxLength", max(low, 64)))
    fmt = data.get("format")
    if isinstance(data.get("pattern"), str):
        found = regex_example(data["pattern"], low, high)
        if found is None:
            raise GenerationError(f"no string of {low}..{high} characters matches the pattern")
        return found
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    text = name if name and name.isidentifier() else "string"
    if len(text) < low:
        text += "x" * (low - len(text))
    return text[:high]


def edge_text(length: int) -> str:
    """A string of ``length`` code points mixing accents, scripts and emoji."""
    repeats = length // len(EDGE_TEXT) + 1
    return (EDGE_TEXT * repeats)[:length]


def _other_case(name: str) -> str:
    if "_" in name.strip("_"):
        head, *rest = name.split("_")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)
    if re.search(r"[a-z][A-Z]", name):
        return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)
    return name[:1].upper() + name[1:]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


# -- strings for a regular expression ------------------------------------------------------------


def regex_example(pattern: str, min_length: int = 0, max_length: int | None = None) -> str | None:
    """A string that ``pattern`` matches (search semantics, as JSON Schema), within the bounds.

    Repetitions are tried from their minimum upwards, so the result is the shortest
    readable match that fits.
    """
    try:
        parsed = _parser.parse(pattern)
        compiled = re.compile(pattern)
    except re.error:
        return None
    upper = max_length if max_length is not None else max(min_length, 64)
    seen: set[str] = set()
    for target in range(upper + 1):
        text = "".join(_emit(parsed, target))
        if text in seen:
            continue
        seen.add(text)
        if min_length <= len(text) <= upper and compiled.search(text):
            return text
    return None


def _emit(items: Any, target: int) -> Iterator[str]:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            yield chr(arg)
        elif name == "NOT_LITERAL":
            yield next(c for c in _CANDIDATES if ord(c) != arg)
        elif name == "ANY":
            yield "a"
        elif name == "IN":
            yield _pick(arg)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = max(low, min(target, high))
            for _ in range(count):
                yield from _emit(sub, target)
        elif name == "SUBPATTERN":
            yield from _emit(arg[-1], target)
        elif name == "ATOMIC_GROUP":
            yield from _emit(arg, target)
        elif name == "BRANCH":
            yield from _emit(arg[1][0], target)
        # AT (anchors), ASSERT and ASSERT_NOT (lookarounds) emit nothing


def _pick(items: Any) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    for ch in _CANDIDATES:
        if _in_class(ch, items) != negate:
            return ch
    raise GenerationError("empty character class")


def _in_class(ch: str, items: Any) -> bool:
    code = ord(ch)
    for op, arg in items:
        name = str(op)
        if name == "LITERAL" and code == arg:
            return True
        if name == "RANGE" and arg[0] <= code <= arg[1]:
            return True
        if name == "CATEGORY" and _category(ch, str(arg)):
            return True
    return False


def _category(ch: str, category: str) -> bool:
    tests = {
        "CATEGORY_DIGIT": ch.isdigit(),
        "CATEGORY_NOT_DIGIT": not ch.isdigit(),
        "CATEGORY_WORD": ch.isalnum() or ch == "_",
        "CATEGORY_NOT_WORD": not (ch.isalnum() or ch == "_"),
        "CATEGORY_SPACE": ch.isspace(),
        "CATEGORY_NOT_SPACE": not ch.isspace(),
    }
    return tests.get(category, False)
