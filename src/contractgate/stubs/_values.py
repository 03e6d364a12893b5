"""Values for stub bodies and headers, from the spec's schemas.

:class:`Values` answers with the spec's example where it validates, else a value
generated from the schema and checked against it: deterministic (the same spec
gives the same stubs), readable (a property's value is its name where the schema
allows), and never silently wrong (a schema no generated value satisfies is an
:class:`InputError` asking for an example). It also derives the awkward variants
the ``edge_data`` and ``drift`` faults serve.

Generation is made for real-world specs: ``oneOf`` gets a value only one branch
accepts (a branch's required properties alone when its full value is accepted by
several), a ``discriminator`` gets its property set to the chosen mapping key,
``allOf`` parts are merged, recursive schemas end (an optional property or array
that would recurse is left out or empty, a nullable one is null, and anything else
stops at a bounded depth), and a response never contains ``writeOnly`` properties
(a request never ``readOnly`` ones), examples from the spec included.
"""

from __future__ import annotations

import functools
import importlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from .._documents import split_pointer
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
    "uri-template": "https://example.com/",
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
    "relative-json-pointer": "0",
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
_Key = tuple[str, str]  # a schema's source file and pointer: what recursion is detected on
_COMPONENTS = "#/components/schemas/"
_ANNOTATIONS = {
    "description",
    "title",
    "nullable",
    "example",
    "examples",
    "deprecated",
    "externalDocs",
}


_NONE = object()


class GenerationError(Exception):
    """No value the schema accepts could be generated."""


@dataclass(frozen=True)
class _Mode:
    """How a value is generated."""

    use_examples: bool
    response: bool
    """Leave out ``writeOnly`` properties (a response), else ``readOnly`` ones (a request)."""
    sparse: bool = False
    """Required properties only, arrays as short as allowed."""


@dataclass(frozen=True)
class _Shape:
    """An object schema with ``allOf`` merged: its properties and what else constrains it."""

    properties: dict[str, _Node]
    required: tuple[str, ...]
    extra: _Node | None = None
    """The ``additionalProperties`` schema, when one is given."""
    min_properties: int = 0
    names: dict[str, Any] | None = None
    """The ``propertyNames`` schema, when one is given."""


class Values:
    """Examples, generated values and fault variants for one spec."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        # $ref nodes of the spec's documents -> (the node, what it resolves to); the node
        # is kept so that its id cannot be reused by another object.
        self._targets: dict[tuple[int, str], tuple[Any, _Node]] = {}

    # -- examples --------------------------------------------------------------------------

    def example(
        self, schema: Schema, examples: tuple[Any, ...] = (), *, response: bool = True
    ) -> Any:
        """The first of ``examples`` that validates, else a generated value that does.

        Properties a response (``response``) or request may not contain are left out of
        examples too. Raises :class:`InputError` at the schema when nothing valid can be
        generated.
        """
        validator = self.spec.validator(schema, response=response)
        node = (schema.node, schema.pointer, schema.source)
        for candidate in examples:
            shown = self._visible(candidate, node, response, 0)
            if validator.is_valid(shown):
                return shown
        tried = None
        problem = ""
        root = self._resolve(node)
        for mode in (
            _Mode(use_examples=True, response=response),
            _Mode(use_examples=False, response=response),
            _Mode(use_examples=False, response=response, sparse=True),
        ):
            try:
                value = self._generate(node, mode, 0, None, frozenset({(root[2], root[1])}))
            except GenerationError as exc:
                problem = str(exc)
                continue
            if validator.is_valid(value):
                return value
            tried = value if tried is None else tried
        detail = f": {problem}" if problem else ""
        if tried is not None:
            first = next(iter(validator.iter_errors(tried)), None)
            detail = f": {first.message}" if first is not None else ""
        raise self._error(schema, f"cannot generate a value for this schema{detail}")

    def structured(self, schema: Schema) -> bool:
        """Whether every value ``schema`` accepts is a JSON object or array (so is any
        value :meth:`example` gives): its type says so, or every branch's does."""
        return self._structured((schema.node, schema.pointer, schema.source), 0)

    def _structured(self, node: _Node, depth: int) -> bool:
        data, pointer, source = self._resolve(node)
        if depth > _MAX_DEPTH or not isinstance(data, dict) or _nullable(data):
            return False
        for key in ("oneOf", "anyOf"):
            if isinstance(data.get(key), list):
                branches = [(b, f"{pointer}/{key}/{i}", source) for i, b in enumerate(data[key])]
                if all(self._structured(b, depth + 1) for b in branches):
                    return True
        kind = data.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if kinds and all(k in ("object", "array") for k in kinds):
            return True
        parts = data.get("allOf")
        return isinstance(parts, list) and any(
            self._structured((part, f"{pointer}/allOf/{i}", source), depth + 1)
            for i, part in enumerate(parts)
        )

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
        data = node[0]
        if not isinstance(data, dict) or "$ref" not in data:
            return node
        key = (id(data), node[2])
        cached = self._targets.get(key)
        if cached is None or cached[0] is not data:
            cached = (data, self.spec.resolve(data, node[1], node[2]))
            self._targets[key] = cached
        return cached[1]

    def _accepts(self, node: _Node, value: Any, response: bool) -> bool:
        """Whether the schema at ``node`` (a node of the spec) accepts ``value``."""
        data, pointer, source = node
        return self.is_valid(Schema(data, source, pointer), value, response=response)

    # -- generation --------------------------------------------------------------------------

    def _generate(
        self, node: _Node, mode: _Mode, depth: int, name: str | None, stack: frozenset[_Key]
    ) -> Any:
        if depth > _MAX_DEPTH:
            raise GenerationError(
                f"it nests deeper than {_MAX_DEPTH} levels "
                "(a required property that refers back to its own schema?)"
            )
        data, pointer, source = resolved = self._resolve(node)
        if isinstance(data, bool):  # OpenAPI 3.1: true accepts anything, false nothing
            if data:
                return _string({}, name)
            raise GenerationError("the schema is false: it accepts nothing")
        if not isinstance(data, dict):
            return _string({}, name)
        if data is not node[0]:  # reached through a $ref
            key = (source, pointer)
            if key in stack:
                if _nullable(data):
                    return None
                if _type_of(data) == "array" and not data.get("minItems"):
                    return []
            stack = stack | {key}
        if "const" in data:
            return data["const"]
        if mode.use_examples:
            given = _given_example(data)
            if given is not _NONE:
                return self._visible(given, resolved, mode.response, 0)
        if isinstance(data.get("enum"), list) and data["enum"]:
            non_null = [v for v in data["enum"] if v is not None]
            return non_null[0] if non_null else None
        for key_word in ("oneOf", "anyOf"):
            if isinstance(data.get(key_word), list) and data[key_word]:
                return self._alternatives(resolved, key_word, mode, depth, name, stack)
        parts = self._parts(resolved, stack)
        kind = next((k for k in (_type_of(p[0]) for p in parts) if k is not None), None)
        if kind == "object" or (kind is None and any(_object_like(p[0]) for p in parts)):
            return self._object(parts, mode, depth, stack)
        if len(parts) > 1:  # allOf of scalars: every part's constraints at once
            merged: dict[str, Any] = {}
            for part in parts:
                merged.update(part[0])
            data = merged
        if kind == "array":
            return self._array((data, pointer, source), mode, depth, name, stack)
        if kind in ("integer", "number"):
            return _number(data, kind == "integer")
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        if kind == "string" or kind is None:
            return _string(data, name)
        raise GenerationError(f"unknown type {kind!r}")

    def _alternatives(
        self,
        node: _Node,
        key: str,
        mode: _Mode,
        depth: int,
        name: str | None,
        stack: frozenset[_Key],
    ) -> Any:
        """A value for ``oneOf``/``anyOf`` that the whole schema accepts.

        Each branch (with the schema's other keywords) is tried, non-recursive and
        non-null ones first, with its full value and then with its required parts only:
        a ``oneOf`` value must not be accepted by two branches. With a discriminator the
        branches are its mapping's, and its property is set to the mapping key.
        """
        data, pointer, source = node
        base = ({k: v for k, v in data.items() if k not in (key, "discriminator")}, pointer, source)
        options = self._discriminated(node, key) or [
            (None, (branch, f"{pointer}/{key}/{index}", source))
            for index, branch in enumerate(data[key])
        ]
        options.sort(key=lambda option: self._branch_rank(option[1], stack))
        prop = _discriminator_property(data)
        first: Any = None
        for value, branch in options:
            for sparse in dict.fromkeys((mode.sparse, True)):
                try:
                    candidate = self._generate_branch(
                        base, branch, replace(mode, sparse=sparse), depth + 1, name, stack
                    )
                except GenerationError:
                    continue
                if value is not None:
                    if not isinstance(candidate, dict):
                        continue
                    candidate = {**candidate, str(prop): value}
                if self._accepts(node, candidate, mode.response):
                    return candidate
                first = candidate if first is None else first
        if first is None:
            raise GenerationError(f"no branch of {key} gives a value")
        return first

    def _generate_branch(
        self,
        base: _Node,
        branch: _Node,
        mode: _Mode,
        depth: int,
        name: str | None,
        stack: frozenset[_Key],
    ) -> Any:
        """A value for a branch together with the keywords beside its ``oneOf`` (``base``)."""
        if all(k in _ANNOTATIONS for k in base[0]):
            return self._generate(branch, mode, depth, name, stack)
        everything = [*self._parts(base, stack), *self._parts(branch, stack)]
        if any(_type_of(p[0]) == "object" or _object_like(p[0]) for p in everything):
            return self._object(everything, mode, depth, stack)
        return self._generate(branch, mode, depth, name, stack)

    def _discriminated(self, node: _Node, key: str) -> list[tuple[str | None, _Node]]:
        """``(property value, schema)`` options of a discriminator, in mapping order."""
        data, pointer, source = node
        prop = _discriminator_property(data)
        if prop is None:
            return []
        mapping = data["discriminator"].get("mapping")
        options: list[tuple[str | None, _Node]] = []
        targets: set[str] = set()
        if isinstance(mapping, dict):
            for value, ref in mapping.items():
                if not isinstance(ref, str):
                    continue
                target = ref if "/" in ref or "#" in ref else _COMPONENTS + ref
                targets.add(target)
                where = f"{pointer}/discriminator/mapping/{_escape(str(value))}"
                options.append((str(value), ({"$ref": target}, where, source)))
        for index, branch in enumerate(data[key]):
            ref = branch.get("$ref") if isinstance(branch, dict) else None
            if isinstance(ref, str) and ref.startswith(_COMPONENTS) and ref not in targets:
                value = ref.rsplit("/", 1)[-1]
                options.append((value, (branch, f"{pointer}/{key}/{index}", source)))
        return options

    def _branch_rank(self, branch: _Node, stack: frozenset[_Key]) -> tuple[bool, bool]:
        data, pointer, source = self._resolve(branch)
        recursive = data is not branch[0] and (source, pointer) in stack
        return (recursive, isinstance(data, dict) and _type_of(data) == "null")

    def _parts(self, node: _Node, stack: frozenset[_Key]) -> list[_Node]:
        """The schema and its ``allOf`` parts (resolved, flattened), the schema first."""
        data, pointer, source = self._resolve(node)
        if not isinstance(data, dict):
            return [(data, pointer, source)]
        if not isinstance(data.get("allOf"), list):
            return [(data, pointer, source)]
        own = {k: v for k, v in data.items() if k != "allOf"}
        out = [(own, pointer, source)]
        for index, part in enumerate(data["allOf"]):
            target = self._resolve((part, f"{pointer}/allOf/{index}", source))
            if (target[2], target[1]) in stack:
                continue  # an allOf cycle adds nothing new
            out.extend(self._parts(target, stack | {(target[2], target[1])}))
        return out

    def _object(
        self, parts: list[_Node], mode: _Mode, depth: int, stack: frozenset[_Key]
    ) -> dict[str, Any]:
        shape = self._shape(parts)
        out: dict[str, Any] = {}
        for prop, prop_node in shape.properties.items():
            required = prop in shape.required
            target, t_pointer, t_source = self._resolve(prop_node)
            if _hidden(prop_node[0], mode.response) or _hidden(target, mode.response):
                continue
            if not required and (mode.sparse or depth >= _OPTIONAL_DEPTH):
                continue
            if not required and target is not prop_node[0] and (t_source, t_pointer) in stack:
                continue  # an optional property that recurses is left out
            try:
                out[prop] = self._generate(prop_node, mode, depth + 1, prop, stack)
            except GenerationError:
                if not required:
                    continue
                if not _nullable(target):
                    raise
                out[prop] = None
        for prop in shape.required:
            if prop not in out and prop not in shape.properties:
                out[prop] = prop  # required but not described: any value will do
        names = shape.names or {}
        for index in range(shape.min_properties - len(out)):
            key = _string(names, None) if names.get("pattern") else f"key{index + 1}"
            if shape.extra is not None:
                out[key] = self._generate(shape.extra, mode, depth + 1, key, stack)
            else:
                out[key] = key
        discriminated = self._own_discriminator(parts)
        if discriminated is not None and discriminated[0] in out:
            out[discriminated[0]] = discriminated[1]
        return out

    def _own_discriminator(self, parts: list[_Node]) -> tuple[str, str] | None:
        """``(property, value)`` naming the schema itself where a part has a discriminator.

        The value is the mapping key that refers to the schema, else (no mapping entry)
        the schema's component name.
        """
        own_pointer = parts[0][1]
        for data, _, _ in parts:
            prop = _discriminator_property(data) if isinstance(data, dict) else None
            if prop is None:
                continue
            mapping = data["discriminator"].get("mapping")
            for value, ref in mapping.items() if isinstance(mapping, dict) else ():
                if isinstance(ref, str) and ref.partition("#")[2] == own_pointer:
                    return prop, str(value)
            if own_pointer.startswith(_COMPONENTS[1:]) and own_pointer.count("/") == 3:
                return prop, split_pointer(own_pointer)[-1]
        return None

    def _array(
        self,
        node: _Node,
        mode: _Mode,
        depth: int,
        name: str | None,
        stack: frozenset[_Key],
    ) -> list[Any]:
        data, pointer, source = node
        items = data.get("items", {})
        if isinstance(items, list):  # tuple validation (Swagger 2.0 / OpenAPI 3.0)
            return [
                self._generate((item, f"{pointer}/items/{i}", source), mode, depth + 1, name, stack)
                for i, item in enumerate(items)
            ]
        low = int(data.get("minItems", 0))
        items_node = (items, f"{pointer}/items", source)
        target, t_pointer, t_source = self._resolve(items_node)
        recursive = target is not items and (t_source, t_pointer) in stack
        count = low if (recursive or mode.sparse) else max(low, 1)
        if "maxItems" in data:
            count = min(count, int(data["maxItems"]))
        out = []
        for index in range(count):
            item_name = name if index == 0 or name is None else f"{name}{index + 1}"
            out.append(self._generate(items_node, mode, depth + 1, item_name, stack))
        return out

    def _shape(self, parts: list[_Node]) -> _Shape:
        properties: dict[str, _Node] = {}
        required: list[str] = []
        extra: _Node | None = None
        min_properties = 0
        names: dict[str, Any] | None = None
        for data, pointer, source in parts:
            if not isinstance(data, dict):
                continue
            for prop, schema in (data.get("properties") or {}).items():
                properties.setdefault(
                    prop, (schema, f"{pointer}/properties/{_escape(prop)}", source)
                )
            required.extend(r for r in data.get("required") or [] if r not in required)
            if isinstance(data.get("additionalProperties"), dict) and extra is None:
                extra = (data["additionalProperties"], f"{pointer}/additionalProperties", source)
            min_properties = max(min_properties, int(data.get("minProperties", 0)))
            if isinstance(data.get("propertyNames"), dict):
                names = data["propertyNames"]
        return _Shape(properties, tuple(required), extra, min_properties, names)

    # -- what a response (or request) may show -----------------------------------------------

    def _visible(self, value: Any, node: _Node, response: bool, depth: int) -> Any:
        """``value`` without the properties its schema hides from a response (or request)."""
        if depth > _MAX_DEPTH * 2 or not isinstance(value, dict | list):
            return value
        data, pointer, source = self._resolve(node)
        if not isinstance(data, dict):
            return value
        if isinstance(value, list):
            items = data.get("items")
            if not isinstance(items, dict):
                return value
            return [
                self._visible(v, (items, f"{pointer}/items", source), response, depth + 1)
                for v in value
            ]
        parts = self._parts((data, pointer, source), frozenset())
        for branching in ("oneOf", "anyOf"):
            for part in list(parts):
                for index, branch in enumerate(part[0].get(branching) or []):
                    where = (branch, f"{part[1]}/{branching}/{index}", part[2])
                    parts.extend(self._parts(where, frozenset()))
        shape = self._shape(parts)
        out = {}
        for key, item in value.items():
            prop_node = shape.properties.get(key)
            if prop_node is None:
                out[key] = (
                    self._visible(item, shape.extra, response, depth + 1) if shape.extra else item
                )
                continue
            if _hidden(prop_node[0], response) or _hidden(self._resolve(prop_node)[0], response):
                continue
            out[key] = self._visible(item, prop_node, response, depth + 1)
        return out

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
            shape = self._shape(self._parts((data, pointer, source), frozenset()))
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
            shape = self._shape(
                self._parts((schema.node, schema.pointer, schema.source), frozenset())
            )
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


def _object_like(data: Any) -> bool:
    return isinstance(data, dict) and any(
        k in data for k in ("properties", "required", "additionalProperties", "minProperties")
    )


def _nullable(data: Any) -> bool:
    """Whether the schema accepts null (3.0 ``nullable``, 3.1 ``type: [..., null]``, 2.0
    ``x-nullable``)."""
    if not isinstance(data, dict):
        return data is True
    kind = data.get("type")
    return (
        data.get("nullable") is True
        or data.get("x-nullable") is True
        or kind == "null"
        or (isinstance(kind, list) and "null" in kind)
        or (isinstance(data.get("enum"), list) and None in data["enum"])
    )


def _given_example(data: dict[str, Any]) -> Any:
    """The schema's own ``example``, first of ``examples`` or ``default``; else ``_NONE``."""
    if "example" in data:
        return data["example"]
    if isinstance(data.get("examples"), list) and data["examples"]:
        return data["examples"][0]
    return data.get("default", _NONE)


def _hidden(data: Any, response: bool) -> bool:
    """Whether a property with this schema is left out of a response (or of a request)."""
    return isinstance(data, dict) and data.get("writeOnly" if response else "readOnly") is True


def _discriminator_property(data: dict[str, Any]) -> str | None:
    found = data.get("discriminator")
    prop = found.get("propertyName") if isinstance(found, dict) else None
    return prop if isinstance(prop, str) else None


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


@functools.lru_cache(maxsize=4096)
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
