"""What a spec's schemas say, asked many times, worked out once per check.

:class:`SchemaContext` wraps a :class:`Spec` for one ``check`` run and caches:

- *views*: a schema with its ``$ref``/``allOf``/``anyOf``/``oneOf`` flattened into the
  properties, types and items it declares (the union of every branch), so that
  walking a pact body alongside its schema never resolves a reference twice; where a
  ``discriminator`` names the alternative an object is, only that one counts;
- *response validators*: :meth:`Spec.validator` with ``required`` switched off, since
  a consumer lists only the response fields it reads;
- the spec's places: which file and JSON pointer a schema node (by identity) came
  from, built on the first failure only, to point failures at the spec's own text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import referencing.exceptions
from jsonschema import ValidationError, validators
from jsonschema.protocols import Validator

from .._documents import Document, json_pointer
from .._errors import InputError
from .._openapi import Schema, Spec
from ._fast import FastValidity
from ._locate import Locator
from ._results import Location

_COMPOSITIONS = ("allOf", "anyOf", "oneOf")


@dataclass(frozen=True)
class View:
    """What a (list of candidate) schema(s) declares, every branch merged.

    ``open`` is true where undeclared object keys are documented too: an explicit
    ``additionalProperties`` (``true`` or a schema), or a schema that describes no
    object at all (``{}``). ``types`` is None when no branch states a type.
    ``parts`` are the schemas merged; ``discriminators`` those of them whose
    ``oneOf``/``anyOf`` a ``discriminator`` chooses from.
    """

    anchor: Schema | None
    types: frozenset[str] | None = None
    properties: dict[str, tuple[Schema, ...]] = field(default_factory=dict)
    patterns: tuple[tuple[re.Pattern[str], Schema], ...] = ()
    additional: tuple[Schema, ...] = ()
    open: bool = True
    items: tuple[Schema, ...] = ()
    prefix: tuple[tuple[Schema, ...], ...] = ()
    parts: tuple[Schema, ...] = ()
    discriminators: tuple[Schema, ...] = ()


ANY = View(anchor=None)


def _skip(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    return iter(())


_LENIENT: dict[type[Validator], type[Validator]] = {}
_NOT_REQUIRED = {"required": _skip, "dependentRequired": _skip, "minProperties": _skip}


class SchemaContext:
    """One spec's schemas, with the caches a ``check`` run needs (see the module doc)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._views: dict[tuple[int, ...], View] = {}
        self._children: dict[tuple[int, str], View | None] = {}
        self._items: dict[tuple[int, int], View] = {}
        self._flat: dict[int, tuple[Schema, ...]] = {}
        self._chosen: dict[tuple[int, tuple[Any, ...]], View] = {}
        self._response_validators: dict[int, Validator] = {}
        self._places: dict[int, tuple[str, str]] | None = None
        self.locator = Locator()
        self._fast = FastValidity(spec)

    # -- validation ------------------------------------------------------------------------

    def errors(self, schema: Schema, value: Any, *, response: bool) -> list[ValidationError]:
        """Every way ``value`` breaks ``schema`` (a response value may leave fields out)."""
        if self._fast.proves_valid(schema, value, response=response):
            return []
        validator = self._response_validator(schema) if response else None
        if validator is None:
            validator = self.spec.validator(schema, response=response)
        try:
            return list(validator.iter_errors(value))
        except referencing.exceptions.Unresolvable as exc:
            raise InputError(
                f"a $ref under this schema does not resolve: {exc}",
                source=schema.source,
                place=self.document(schema.source).place(schema.pointer),
                hint="fix the reference or add the definition",
            ) from None

    def _response_validator(self, schema: Schema) -> Validator:
        cached = self._response_validators.get(id(schema.node))
        if cached is None:
            base = self.spec.validator(schema, response=True)
            cls: Any = _LENIENT.get(type(base))
            if cls is None:
                extend: Any = validators.extend  # untyped in the stubs
                cls = _LENIENT[type(base)] = extend(type(base), _NOT_REQUIRED)
            cached = cls(
                base.schema,
                registry=self.spec.registry(),
                format_checker=getattr(base, "format_checker", None),
            )
            self._response_validators[id(schema.node)] = cached
        return cached

    # -- views -----------------------------------------------------------------------------

    def view(self, schemas: Iterable[Schema]) -> View:
        """The merged :class:`View` of candidate schemas (cached by identity)."""
        candidates = tuple(schemas)
        key = tuple(id(s.node) for s in candidates)
        cached = self._views.get(key)
        if cached is None:
            flat = [part for s in candidates for part in self._flatten(s)]
            cached = self._views[key] = _merge(flat)
        return cached

    def child(self, view: View, key: str) -> View | None:
        """The view of an object's field ``key``; None when the schema does not declare it."""
        memo = (id(view), key)
        try:
            return self._children[memo]
        except KeyError:  # the first time: rare
            found = self._children[memo] = self._child(view, key)
            return found

    def _child(self, view: View, key: str) -> View | None:
        found = list(view.properties.get(key, ()))
        found += [s for pattern, s in view.patterns if pattern.search(key)]
        if not found:
            if view.additional:
                found = list(view.additional)
            elif view.open:
                return ANY
            else:
                return None
        return self.view(found)

    def discriminated(self, view: View, value: dict[str, Any]) -> View:
        """The view of ``value`` once each ``discriminator`` has picked its alternative.

        An alternative the discriminator's value does not name (or a value that names
        none) leaves the view as it is: the validator reports that.
        """
        if not view.discriminators:
            return view
        names = tuple(
            value.get(str(s.node["discriminator"].get("propertyName"))) for s in view.discriminators
        )
        memo = (id(view), tuple(n if isinstance(n, str) else None for n in names))
        cached = self._chosen.get(memo)
        if cached is not None:
            return cached
        parts = list(view.parts)
        for schema, name in zip(view.discriminators, memo[1], strict=True):
            target = self._mapped(schema, name) if name else None
            if target is None:
                continue
            keyword = "oneOf" if "oneOf" in schema.node else "anyOf"
            branches = {
                id(part.node)
                for i, branch in enumerate(schema.node[keyword])
                for part in self._flatten(
                    Schema(branch, schema.source, f"{schema.pointer}/{keyword}/{i}")
                )
            }
            parts = [p for p in parts if id(p.node) not in branches]
            kept = {id(p.node) for p in parts}
            parts += [p for p in self._flatten(target) if id(p.node) not in kept]
        chosen = self._chosen[memo] = _merge(parts)
        return chosen

    def _mapped(self, schema: Schema, name: str) -> Schema | None:
        """The alternative a discriminator's value names (its mapping, else the schema name)."""
        mapping = schema.node["discriminator"].get("mapping") or {}
        ref = mapping.get(name) if isinstance(mapping, dict) else None
        if not isinstance(ref, str):
            ref = name
        if not ref.startswith("#") and "/" not in ref and "." not in ref:
            home = "#/definitions/" if self.spec.version == "2.0" else "#/components/schemas/"
            ref = home + ref
        try:
            target, pointer, source = self.spec.resolve(
                {"$ref": ref}, schema.pointer, schema.source
            )
        except InputError:
            return None
        return Schema(target, source, pointer)

    def item(self, view: View, index: int) -> View:
        """The view of an array's item at ``index``."""
        slot = min(index, len(view.prefix))  # every item past the prefix has the same view
        memo = (id(view), slot)
        found = self._items.get(memo)
        if found is None:
            if slot < len(view.prefix):
                found = self.view(view.prefix[slot])
            else:
                found = self.view(view.items) if view.items else ANY
            self._items[memo] = found
        return found

    def _flatten(self, schema: Schema) -> tuple[Schema, ...]:
        """The schema and every schema it is made of (``$ref`` targets, composition branches)."""
        cached = self._flat.get(id(schema.node))
        if cached is None:
            out: list[Schema] = []
            self._collect(schema, out, set())
            cached = self._flat[id(schema.node)] = tuple(out)
        return cached

    def _collect(self, schema: Schema, out: list[Schema], seen: set[int]) -> None:
        node = schema.node
        if not isinstance(node, dict):
            if node is True:
                out.append(schema)
            return
        if id(node) in seen:
            return
        seen.add(id(node))
        ref = node.get("$ref")
        if isinstance(ref, str):
            target, pointer, source = self.spec.resolve(
                {"$ref": ref}, schema.pointer, schema.source
            )
            self._collect(Schema(target, source, pointer), out, seen)
        out.append(schema)
        for keyword in _COMPOSITIONS:
            branches = node.get(keyword)
            if isinstance(branches, list):
                for i, branch in enumerate(branches):
                    pointer = f"{schema.pointer}/{keyword}/{i}"
                    self._collect(Schema(branch, schema.source, pointer), out, seen)

    # -- places in the spec ----------------------------------------------------------------

    def place_of(self, node: Any, fallback: Schema) -> tuple[str, str]:
        """``(file, pointer)`` of a schema node of the spec, found by identity."""
        if self._places is None:
            self._places = self._index()
        return self._places.get(id(node), (fallback.source, fallback.pointer))

    def location(self, source: str, pointer: str) -> Location:
        """A :class:`Location` in one of the spec's files, with ``line:col``."""
        return self.locator.locate(self.document(source), pointer)

    def document(self, source: str) -> Document:
        """One of the spec's documents (each read once, by the spec's loader)."""
        return self.spec.document_of(source)

    def _index(self) -> dict[int, tuple[str, str]]:
        root = Path(self.spec.source).resolve().as_uri()
        places: dict[int, tuple[str, str]] = {}
        for uri, resource in self.spec.registry().items():
            source = self.spec.source if uri == root else unquote(urlsplit(uri).path)
            stack: list[tuple[Any, tuple[str | int, ...]]] = [(resource.contents, ())]
            while stack:
                node, parts = stack.pop()
                if isinstance(node, dict):
                    places.setdefault(id(node), (source, json_pointer(parts)))
                    stack.extend((v, (*parts, k)) for k, v in node.items())
                elif isinstance(node, list):
                    stack.extend((v, (*parts, i)) for i, v in enumerate(node))
        return places


def _merge(flat: list[Schema]) -> View:
    types: set[str] = set()
    typed = False
    properties: dict[str, list[Schema]] = {}
    patterns: list[tuple[re.Pattern[str], Schema]] = []
    additional: list[Schema] = []
    explicitly_open = False
    describes_object = False
    items: list[Schema] = []
    prefix: list[list[Schema]] = []
    anchor: Schema | None = None
    discriminators: list[Schema] = []
    for schema in flat:
        node = schema.node
        if not isinstance(node, dict):
            continue
        found = node.get("discriminator")
        if (
            isinstance(found, dict)
            and found.get("propertyName")
            and (isinstance(node.get("oneOf"), list) or isinstance(node.get("anyOf"), list))
        ):
            discriminators.append(schema)
        declared = node.get("type")
        if isinstance(declared, str | list):
            typed = True
            types.update([declared] if isinstance(declared, str) else map(str, declared))
            if node.get("nullable") is True:
                types.add("null")
        if isinstance(node.get("properties"), dict):
            typed = True
            types.add("object")
            for name, sub in node["properties"].items():
                pointer = schema.pointer + json_pointer(("properties", name))
                properties.setdefault(name, []).append(Schema(sub, schema.source, pointer))
        for regex, sub in (node.get("patternProperties") or {}).items():
            try:
                compiled = re.compile(regex)
            except re.error:
                continue
            pointer = schema.pointer + json_pointer(("patternProperties", regex))
            patterns.append((compiled, Schema(sub, schema.source, pointer)))
        extra = node.get("additionalProperties")
        if extra is True or (isinstance(extra, dict) and not extra):
            explicitly_open = True
        elif isinstance(extra, dict):
            additional.append(
                Schema(extra, schema.source, schema.pointer + "/additionalProperties")
            )
        if (
            "properties" in node
            or "patternProperties" in node
            or "additionalProperties" in node
            or "object" in types
        ):
            describes_object = True
        _collect_items(node, schema, items, prefix)
        if anchor is None and ("type" in node or "properties" in node):
            anchor = schema
    return View(
        anchor=anchor or (flat[0] if flat else None),
        types=frozenset(types) if typed else None,
        properties={k: tuple(v) for k, v in properties.items()},
        patterns=tuple(patterns),
        additional=tuple(additional),
        open=explicitly_open or not describes_object,
        items=tuple(items),
        prefix=tuple(tuple(p) for p in prefix),
        parts=tuple(flat),
        discriminators=tuple(discriminators),
    )


def _collect_items(
    node: dict[str, Any], schema: Schema, items: list[Schema], prefix: list[list[Schema]]
) -> None:
    raw_items = node.get("items")
    tuple_items = node.get("prefixItems")
    if isinstance(raw_items, list):  # draft 4 tuple form
        tuple_items = raw_items
        raw_items = None
    if isinstance(raw_items, dict):
        items.append(Schema(raw_items, schema.source, schema.pointer + "/items"))
    if isinstance(tuple_items, list):
        keyword = "prefixItems" if "prefixItems" in node else "items"
        for i, sub in enumerate(tuple_items):
            while len(prefix) <= i:
                prefix.append([])
            prefix[i].append(Schema(sub, schema.source, f"{schema.pointer}/{keyword}/{i}"))
