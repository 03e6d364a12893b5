"""Comparing two versions of a schema, keyword by keyword, in one direction.

:class:`SchemaDiff` walks an old and a new schema side by side and says, for each
keyword group, whether the new one accepts fewer values (*narrowed*), more
(*widened*) or different ones (*changed*). ``$ref`` is followed on both sides before
comparing, so a schema moved to a component, or a component renamed, is no change.

Each pair of definitions is compared once per direction (a pair already being
compared higher up is not entered again, so recursive schemas end), and each
difference is reported once per pair, *anchored* to the old schema node (and field
name) it concerns, with the first field path it was found at for people to read.
Who relies on it is then decided by :func:`touches`: the old schema nodes a pact's
body reaches, with the values there. That keeps the work polynomial where schemas
refer to each other in circles, and finds every consumer however deep in a recursive
or shared schema it reads.

``allOf`` branches are merged into one view; ``oneOf``/``anyOf`` alternatives are
paired with equal ones first, then by position.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard

from .._openapi import MediaType, Schema, Spec
from ._results import Side

Ptr = tuple[str, str]  # (source, JSON pointer)
ValuePath = tuple[str | int, ...]
_Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class Delta:
    """One keyword-level difference.

    ``anchor`` is the old schema node (a merged view) it concerns and ``key`` the field
    name, for changes to one field of an object; ``path`` is where it was first found
    below the compared root.
    """

    rule: str
    message: str
    path: tuple[str, ...]
    old: Ptr | None
    new: Ptr | None
    anchor: Ptr
    key: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def under(self, prefix: tuple[str, ...]) -> Delta:
        return replace(self, path=(*prefix, *self.path))

    @property
    def identity(self) -> tuple[Any, ...]:
        return (self.rule, self.old, self.new, self.message, self.anchor, self.key)


@dataclass
class View:
    """One schema with its ``allOf`` merged: what the comparison looks at."""

    at: Ptr
    types: frozenset[str] | None = None
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    bounds: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Schema] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    additional: Schema | bool | None = None  # None: not stated (open)
    items: Schema | None = None
    alternatives: list[Schema] = field(default_factory=list)

    def items_schema(self) -> Schema:
        """The schema of the array's items (anything when none is stated)."""
        return self.items or any_schema(self.at[0], self.at[1] + "/items")

    def extra_schema(self) -> Schema | None:
        """The schema of undeclared object keys; None when they are not allowed."""
        if self.additional is False:
            return None
        if isinstance(self.additional, Schema):
            return self.additional
        return any_schema(self.at[0], self.at[1] + "/additionalProperties")


_BOUND_KEYS = (
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)
# format pairs where the second accepts every value of the first
_WIDER_FORMATS = {("int32", "int64"), ("float", "double")}


def any_schema(source: str, pointer: str) -> Schema:
    """The schema that accepts anything, standing at ``pointer`` (where none is given)."""
    return Schema({}, source, pointer)


def media_schema(spec: Spec, media: MediaType) -> Schema:
    """A media type's schema (anything when it states none)."""
    return media.schema or any_schema(spec.source, media.pointer + "/schema")


def type_covers(kind: str, types: frozenset[str]) -> bool:
    """Whether JSON type ``kind`` is allowed by ``types`` (``number`` covers ``integer``)."""
    return kind in types or (kind == "integer" and "number" in types)


def json_type(value: Any) -> str:
    """The JSON Schema type of a JSON value (a whole float counts as an integer)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def type_relation(old: frozenset[str] | None, new: frozenset[str] | None) -> str | None:
    """``narrowed``, ``widened``, ``changed`` or None (same) for two type sets (None: any)."""
    if old == new:
        return None
    if old is None:
        return "narrowed"
    if new is None:
        return "widened"
    if all(type_covers(t, new) for t in old):
        return "widened"
    if all(type_covers(t, old) for t in new):
        return "narrowed"
    return "changed"


class SchemaDiff:
    """Compares schemas of an old and a new spec for one side (request or response)."""

    def __init__(self, old: Spec, new: Spec, side: Side) -> None:
        self.old = old
        self.new = new
        self.side = side
        self._memo: dict[_Key, list[Delta]] = {}
        self._active: set[_Key] = set()

    def compare(self, old: Schema, new: Schema) -> list[Delta]:
        """Every difference between ``old`` and ``new`` (paths relative to them)."""
        old, new = resolve(self.old, old), resolve(self.new, new)
        key = (old.source, old.pointer, new.source, new.pointer)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return []  # compared higher up already
        self._active.add(key)
        try:
            found = self._pair(view(self.old, old, self.side), view(self.new, new, self.side))
        finally:
            self._active.discard(key)
        unique: dict[tuple[Any, ...], Delta] = {}
        for delta in found:
            unique.setdefault(delta.identity, delta)  # the first path found is shown
        self._memo[key] = list(unique.values())
        return self._memo[key]

    def same(self, old: Schema, new: Schema) -> bool:
        """Whether two schemas accept the same values (as far as this comparison sees)."""
        return not self.compare(old, new)

    def _pair(self, ov: View, nv: View) -> list[Delta]:
        out: list[Delta] = []
        relation = type_relation(ov.types, nv.types)
        if relation is not None:
            types = sorted(nv.types or ())
            out.append(self._delta(f"type.{relation}", _type_message(ov, nv), ov, nv, types=types))
            if relation == "changed":
                return out  # everything else follows from the new type
        out += self._format(ov, nv)
        out += self._enum(ov, nv)
        out += self._pattern(ov, nv)
        out += self._bounds(ov, nv)
        out += self._object(ov, nv)
        out += (
            self._sub(ov.items_schema(), nv.items_schema(), ("*",)) if ov.items or nv.items else []
        )
        out += self._alternatives(ov, nv)
        return out

    def _sub(self, old: Schema, new: Schema, prefix: tuple[str, ...]) -> list[Delta]:
        return [d.under(prefix) for d in self.compare(old, new)]

    def _delta(
        self,
        rule: str,
        message: str,
        ov: View,
        nv: View,
        *,
        key: str | None = None,
        old: Ptr | None = None,
        new: Ptr | None = None,
        **detail: Any,
    ) -> Delta:
        return Delta(
            rule=f"{self.side}.{rule}",
            message=message,
            path=(key,) if key is not None else (),
            old=old or ov.at,
            new=new or nv.at,
            anchor=ov.at,
            key=key,
            detail=detail,
        )

    # -- scalar keywords ---------------------------------------------------------------------

    def _format(self, ov: View, nv: View) -> list[Delta]:
        old, new = ov.format, nv.format
        if old == new:
            return []
        if old is None:
            how, message = "narrowed", f"format {new} added"
        elif new is None:
            how, message = "widened", f"format {old} removed"
        elif (old, new) in _WIDER_FORMATS:
            how, message = "widened", f"format {old} -> {new}"
        elif (new, old) in _WIDER_FORMATS:
            how, message = "narrowed", f"format {old} -> {new}"
        else:
            how, message = "changed", f"format {old} -> {new}"
        return [self._delta(f"format.{how}", message, ov, nv)]

    def _enum(self, ov: View, nv: View) -> list[Delta]:
        if ov.enum is None and nv.enum is None:
            return []
        if ov.enum is None:
            assert nv.enum is not None
            return [self._delta("enum.narrowed", f"enum [{_show(nv.enum)}] added", ov, nv)]
        if nv.enum is None:
            return [self._delta("enum.widened", f"enum [{_show(ov.enum)}] removed", ov, nv)]
        old = {_canon(v): v for v in ov.enum}
        new = {_canon(v): v for v in nv.enum}
        removed = [v for k, v in old.items() if k not in new]
        added = [v for k, v in new.items() if k not in old]
        out = []
        if removed:
            message = f"enum values removed: {_show(removed)}"
            out.append(
                self._delta("enum.narrowed", message, ov, nv, removed=removed, allowed=nv.enum)
            )
        if added:
            out.append(self._delta("enum.widened", f"enum values added: {_show(added)}", ov, nv))
        return out

    def _pattern(self, ov: View, nv: View) -> list[Delta]:
        old, new = ov.pattern, nv.pattern
        if old == new:
            return []
        if old is None:
            return [self._delta("pattern.narrowed", f"pattern {new!r} added", ov, nv)]
        if new is None:
            return [self._delta("pattern.widened", f"pattern {old!r} removed", ov, nv)]
        return [self._delta("pattern.changed", f"pattern {old!r} -> {new!r}", ov, nv)]

    def _bounds(self, ov: View, nv: View) -> list[Delta]:
        out = []
        for group, lower, upper in (
            ("length", "minLength", "maxLength"),
            ("size", "minItems", "maxItems"),
            ("size", "minProperties", "maxProperties"),
        ):
            for name in (lower, upper):
                old, new = ov.bounds.get(name), nv.bounds.get(name)
                if old != new:
                    o, n = _or_open(old, name == lower), _or_open(new, name == lower)
                    how = "narrowed" if (n > o if name == lower else n < o) else "widened"
                    out.append(self._delta(f"{group}.{how}", _change(name, old, new), ov, nv))
        for name, bound in (("minimum", _lower), ("maximum", _upper)):
            old_bound, new_bound = bound(ov.bounds), bound(nv.bounds)
            if old_bound != new_bound:
                how = "narrowed" if _tighter(name, new_bound, old_bound) else "widened"
                message = _change(name, _show_bound(name, old_bound), _show_bound(name, new_bound))
                out.append(self._delta(f"range.{how}", message, ov, nv))
        out += self._multiple_of(ov, nv)
        old_unique = bool(ov.bounds.get("uniqueItems"))
        new_unique = bool(nv.bounds.get("uniqueItems"))
        if old_unique != new_unique:
            how = "narrowed" if new_unique else "widened"
            message = f"uniqueItems {old_unique} -> {new_unique}"
            out.append(self._delta(f"size.{how}", message, ov, nv))
        return out

    def _multiple_of(self, ov: View, nv: View) -> list[Delta]:
        old, new = ov.bounds.get("multipleOf"), nv.bounds.get("multipleOf")
        if old == new:
            return []
        message = _change("multipleOf", old, new)
        if old is None or (new is not None and _divides(old, new)):
            return [self._delta("range.narrowed", message, ov, nv)]
        if new is None or _divides(new, old):
            return [self._delta("range.widened", message, ov, nv)]
        return [
            self._delta("range.narrowed", message, ov, nv),
            self._delta("range.widened", message, ov, nv),
        ]

    # -- structure ---------------------------------------------------------------------------

    def _object(self, ov: View, nv: View) -> list[Delta]:
        out: list[Delta] = []
        old_props, new_props = ov.properties, nv.properties
        removed = [p for p in old_props if p not in new_props]
        added = [p for p in new_props if p not in old_props]
        renamed = self._renames(removed, added, old_props, new_props)
        for name in removed:
            was = _ptr(old_props[name])
            if name in renamed:
                twin = renamed[name]
                message = f"field {name!r} removed, {twin!r} added like it (renamed?)"
                out.append(
                    self._delta(
                        "property.renamed",
                        message,
                        ov,
                        nv,
                        key=name,
                        old=was,
                        new=_ptr(new_props[twin]),
                    )
                )
                continue
            rule = "property.removed"
            if self.side == "request" and nv.additional is False:
                rule = "property.forbidden"
            out.append(self._delta(rule, f"field {name!r} removed", ov, nv, key=name, old=was))
        for name in added:
            if name in renamed.values():
                continue
            now = _ptr(new_props[name])
            if self.side == "request" and name in nv.required:
                message = f"new required field {name!r}"
                out.append(self._delta("required.added", message, ov, nv, key=name, new=now))
            else:
                message = f"field {name!r} added"
                out.append(self._delta("property.added", message, ov, nv, key=name, new=now))
        for name in old_props:
            if name in new_props:
                out += self._sub(old_props[name], new_props[name], (name,))
        handled = set(removed) | set(added)
        for name in sorted(nv.required - ov.required - handled):
            message = f"field {name!r} is now required"
            out.append(self._delta("required.added", message, ov, nv, key=name))
        for name in sorted(ov.required - nv.required - handled):
            message = f"field {name!r} is no longer required"
            out.append(self._delta("required.removed", message, ov, nv, key=name))
        return out + self._additional(ov, nv)

    def _renames(
        self,
        removed: list[str],
        added: list[str],
        old_props: dict[str, Schema],
        new_props: dict[str, Schema],
    ) -> dict[str, str]:
        """Response fields removed where exactly one added field has the same schema."""
        if self.side != "response":
            return {}
        out: dict[str, str] = {}
        for name in removed:
            like = [a for a in added if self.same(old_props[name], new_props[a])]
            if len(like) == 1 and like[0] not in out.values():
                out[name] = like[0]
        return out

    def _additional(self, ov: View, nv: View) -> list[Delta]:
        old, new = ov.extra_schema(), nv.extra_schema()
        if old is None and new is None:
            return []
        if new is None:
            return [self._delta("additional.narrowed", "additionalProperties: false added", ov, nv)]
        if old is None:
            return [
                self._delta("additional.widened", "additionalProperties: false removed", ov, nv)
            ]
        if isinstance(ov.additional, Schema) or isinstance(nv.additional, Schema):
            return self._sub(old, new, ("*",))
        return []

    def _alternatives(self, ov: View, nv: View) -> list[Delta]:
        old, new = list(ov.alternatives), list(nv.alternatives)
        for alt in list(old):
            twin = next((n for n in new if self.same(alt, n)), None)
            if twin is not None:
                old.remove(alt)
                new.remove(twin)
        out: list[Delta] = []
        for o, n in zip(old, new, strict=False):
            out += self._sub(o, n, ())
        for o in old[len(new) :]:
            message = "a oneOf/anyOf alternative removed"
            out.append(self._delta("alternatives.narrowed", message, ov, nv, old=_ptr(o)))
        for n in new[len(old) :]:
            message = "a oneOf/anyOf alternative added"
            out.append(self._delta("alternatives.widened", message, ov, nv, new=_ptr(n)))
        return out


# -- views ---------------------------------------------------------------------------------------


def resolve(spec: Spec, schema: Schema) -> Schema:
    """The schema a ``$ref`` chain ends at (the schema itself when it is no reference)."""
    node = schema.node
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target, pointer, source = spec.resolve(node, schema.pointer, schema.source)
        return Schema(target, source, pointer)
    return schema


def view(spec: Spec, schema: Schema, side: Side) -> View:
    """The merged view of a (resolved) schema as one side sees it.

    ``readOnly`` fields are left out of requests and ``writeOnly`` ones out of
    responses, required or not.
    """
    out = View(at=(schema.source, schema.pointer))
    hidden: set[str] = set()
    for part in _all_of(spec, schema, set()):
        node = part.node if isinstance(part.node, dict) else {}
        out.types = _intersect(out.types, frozenset() if part.node is False else _types(node))
        if out.enum is None and "const" in node:
            out.enum = (node["const"],)
        elif out.enum is None and isinstance(node.get("enum"), list):
            out.enum = tuple(node["enum"])
        if out.format is None and isinstance(node.get("format"), str):
            out.format = node["format"]
        if out.pattern is None and isinstance(node.get("pattern"), str):
            out.pattern = node["pattern"]
        for key in _BOUND_KEYS:
            if key in node:
                out.bounds.setdefault(key, node[key])
        properties = node.get("properties")
        for name, prop in properties.items() if isinstance(properties, dict) else ():
            sub = Schema(prop, part.source, f"{part.pointer}/properties/{_escape(str(name))}")
            if name in out.properties or name in hidden:
                continue
            if _visible(spec, sub, side):
                out.properties[str(name)] = sub
            else:
                hidden.add(str(name))
        if isinstance(node.get("required"), list):
            out.required.update(str(r) for r in node["required"])
        if out.additional is None and "additionalProperties" in node:
            extra = node["additionalProperties"]
            pointer = f"{part.pointer}/additionalProperties"
            out.additional = (
                extra if isinstance(extra, bool) else Schema(extra, part.source, pointer)
            )
        if out.items is None and isinstance(node.get("items"), dict):
            out.items = Schema(node["items"], part.source, f"{part.pointer}/items")
        for keyword in ("oneOf", "anyOf"):
            if isinstance(node.get(keyword), list):
                out.alternatives += [
                    Schema(alt, part.source, f"{part.pointer}/{keyword}/{i}")
                    for i, alt in enumerate(node[keyword])
                ]
    out.required -= hidden
    return out


def touches(
    spec: Spec, schema: Schema, value: Any, side: Side
) -> dict[Ptr, list[tuple[ValuePath, Any]]]:
    """The schema nodes (merged views) a JSON value reaches, each with the values there.

    Object keys follow ``properties`` (else ``additionalProperties``), array items
    ``items``, and a value reaches every ``oneOf``/``anyOf`` alternative.
    """
    out: dict[Ptr, list[tuple[ValuePath, Any]]] = {}
    seen: set[tuple[Ptr, ValuePath]] = set()
    pending: list[tuple[Schema, Any, ValuePath]] = [(schema, value, ())]
    while pending:
        schema, value, path = pending.pop()
        here = view(spec, resolve(spec, schema), side)
        if (here.at, path) in seen:
            continue
        seen.add((here.at, path))
        out.setdefault(here.at, []).append((path, value))
        if isinstance(value, dict):
            for key, item in value.items():
                sub = here.properties.get(str(key)) or here.extra_schema()
                if sub is not None:
                    pending.append((sub, item, (*path, str(key))))
        elif isinstance(value, list):
            pending.extend((here.items_schema(), item, (*path, i)) for i, item in enumerate(value))
        pending.extend((alt, value, path) for alt in here.alternatives)
    return out


def _visible(spec: Spec, prop: Schema, side: Side) -> bool:
    node = resolve(spec, prop).node
    hidden = "readOnly" if side == "request" else "writeOnly"
    return not (isinstance(node, dict) and node.get(hidden) is True)


def _all_of(spec: Spec, schema: Schema, seen: set[Ptr]) -> Iterator[Schema]:
    """The schema, then every ``allOf`` branch (resolved, depth first, each once)."""
    schema = resolve(spec, schema)
    if _ptr(schema) in seen:
        return
    seen.add(_ptr(schema))
    yield schema
    node = schema.node
    if isinstance(node, dict) and isinstance(node.get("allOf"), list):
        for i, branch in enumerate(node["allOf"]):
            yield from _all_of(
                spec, Schema(branch, schema.source, f"{schema.pointer}/allOf/{i}"), seen
            )


def _ptr(schema: Schema) -> Ptr:
    return (schema.source, schema.pointer)


def _types(node: dict[str, Any]) -> frozenset[str] | None:
    raw = node.get("type")
    if isinstance(raw, str):
        found = {raw}
    elif isinstance(raw, list):
        found = {str(t) for t in raw}
    else:
        return None
    if node.get("nullable") is True:
        found.add("null")
    return frozenset(found)


def _intersect(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None or b is None:
        return a if b is None else b
    return frozenset(t for t in a | b if type_covers(t, a) and type_covers(t, b))


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _show(values: Any) -> str:
    return ", ".join(json.dumps(v) for v in values)


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _type_message(ov: View, nv: View) -> str:
    def show(types: frozenset[str] | None) -> str:
        return "|".join(sorted(types)) if types is not None else "any"

    return f"type {show(ov.types)} -> {show(nv.types)}"


def _change(name: str, old: Any, new: Any) -> str:
    if old is None:
        return f"{name} {new} added"
    if new is None:
        return f"{name} {old} removed"
    return f"{name} {old} -> {new}"


def _or_open(value: Any, lower: bool) -> float:
    if _number(value):
        return float(value)
    return 0.0 if lower else float("inf")


Bound = tuple[float, bool] | None  # (value, exclusive); None: unbounded


def _lower(bounds: dict[str, Any]) -> Bound:
    return _bound(bounds, "minimum", "exclusiveMinimum", lower=True)


def _upper(bounds: dict[str, Any]) -> Bound:
    return _bound(bounds, "maximum", "exclusiveMaximum", lower=False)


def _bound(bounds: dict[str, Any], inclusive: str, exclusive: str, *, lower: bool) -> Bound:
    """The tightest bound of one side: OpenAPI 3.0's boolean flag or 3.1's own bound."""
    found: list[tuple[float, bool]] = []
    value, flag = bounds.get(inclusive), bounds.get(exclusive)
    if _number(value):
        found.append((float(value), flag is True))
    if _number(flag):
        found.append((float(flag), True))
    if not found:
        return None
    if lower:
        return max(found, key=lambda b: (b[0], b[1]))
    return min(found, key=lambda b: (b[0], not b[1]))


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _tighter(name: str, new: Bound, old: Bound) -> bool:
    """Whether the ``new`` minimum (or maximum) excludes values the ``old`` one allowed."""
    if new is None:
        return False
    if old is None:
        return True
    if name == "minimum":
        return new[0] > old[0] or (new[0] == old[0] and new[1] and not old[1])
    return new[0] < old[0] or (new[0] == old[0] and new[1] and not old[1])


def _show_bound(name: str, bound: Bound) -> str | None:
    if bound is None:
        return None
    op = {"minimum": (">=", ">"), "maximum": ("<=", "<")}[name][bound[1]]
    return f"{op} {bound[0]:g}"


def _divides(a: Any, b: Any) -> bool:
    """Whether ``b`` is a whole multiple of ``a``."""
    if not (_number(a) and _number(b)) or a == 0:
        return False
    ratio = float(b) / float(a)
    return abs(ratio - round(ratio)) < 1e-9
