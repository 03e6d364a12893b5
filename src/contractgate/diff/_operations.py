"""Comparing two versions of a spec operation by operation.

Operations are paired by method and path template, parameter names in the template
ignored (``/users/{id}`` and ``/users/{userId}`` are the same path). Each difference
becomes a :class:`RawChange` naming the rule, the place in each spec, and the
:class:`Target` an interaction would have to rely on to be hit by it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .._documents import json_pointer, split_pointer
from .._openapi import (
    Header,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Spec,
)
from ..check._media import find_media
from ._results import Target
from ._schemas import Delta, Ptr, SchemaDiff, any_schema, media_schema

_TEMPLATE_PARAM = re.compile(r"\{[^{}/]+\}")


@dataclass(frozen=True)
class RawChange:
    """One difference at one place of use, before equal ones are grouped."""

    rule: str
    message: str
    old: Ptr | None
    new: Ptr | None
    target: Target
    detail: Mapping[str, Any] = field(default_factory=dict)


def compare_specs(old: Spec, new: Spec) -> list[RawChange]:
    """Every difference between two versions of a spec, one per place of use."""
    return _Comparer(old, new).run()


def _normal_path(template: str) -> str:
    return _TEMPLATE_PARAM.sub("{}", template)


def _item_pointer(op: Operation) -> str:
    return op.pointer.rsplit("/", 1)[0]


def _security_schemes(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Each security scheme's identity: what a client has to send, not its name."""
    out = {}
    for name, raw in spec.security_schemes.items():
        node, _, _ = spec.resolve(raw, json_pointer(("components", "securitySchemes", name)))
        node = node if isinstance(node, dict) else {}
        kind = str(node.get("type", "")).lower()
        if kind == "apikey":
            identity: tuple[str, ...] = (
                kind,
                str(node.get("in", "")),
                str(node.get("name", "")).lower(),
            )
        elif kind == "http":
            identity = (kind, str(node.get("scheme", "")).lower())
        elif kind == "basic":  # Swagger 2.0
            identity = ("http", "basic")
        else:
            identity = (kind, str(node.get("openIdConnectUrl", "")))
        out[name] = identity
    return out


Requirement = frozenset[tuple[tuple[str, ...], frozenset[str]]]


class _Comparer:
    def __init__(self, old: Spec, new: Spec) -> None:
        self.old = old
        self.new = new
        self.request = SchemaDiff(old, new, "request")
        self.response = SchemaDiff(old, new, "response")
        self.old_schemes = _security_schemes(old)
        self.new_schemes = _security_schemes(new)
        self.out: list[RawChange] = []

    def add(
        self, rule: str, message: str, old: Ptr | str | None, new: Ptr | str | None, target: Target
    ) -> None:
        """A change at places of the two specs (a bare pointer: in the root document)."""

        def at(spec: Spec, where: Ptr | str | None) -> Ptr | None:
            return (spec.source, where) if isinstance(where, str) else where

        self.out.append(RawChange(rule, message, at(self.old, old), at(self.new, new), target))

    def add_deltas(self, deltas: list[Delta], target: Target) -> None:
        for d in deltas:
            where = target
            if target.parameter is None and target.header is None:
                # a parameter or header is relied on as a whole, a body by what it reaches
                where = replace(target, field=d.path, anchor=d.anchor, key=d.key)
            if d.rule == "request.required.added":
                where = replace(where, absent=True)
            self.out.append(RawChange(d.rule, d.message, d.old, d.new, where, d.detail))

    def run(self) -> list[RawChange]:
        self._base_paths()
        old_ops = {(op.method, _normal_path(op.path)): op for op in self.old.operations}
        new_ops = {(op.method, _normal_path(op.path)): op for op in self.new.operations}
        new_paths = {path: op for (_, path), op in new_ops.items()}
        old_paths = {path for _, path in old_ops}
        for key, op in old_ops.items():
            twin = new_ops.get(key)
            if twin is not None:
                self._operation(op, twin)
            elif key[1] in new_paths:
                item = _item_pointer(new_paths[key[1]])
                self.add("operation.removed", f"{op.key} removed", op.pointer, item, Target(op.key))
            else:
                message = f"path {op.path} removed"
                self.add("path.removed", message, _item_pointer(op), None, Target(op.key))
        for key, op in new_ops.items():
            if key not in old_ops:
                if key[1] in old_paths:
                    self.add("operation.added", f"{op.key} added", None, op.pointer, Target(op.key))
                else:
                    message = f"path {op.path} added"
                    self.add("path.added", message, None, _item_pointer(op), Target(op.key))
        return self.out

    def _base_paths(self) -> None:
        old, new = self.old.base_paths, self.new.base_paths
        if set(old) & set(new):
            return
        pointer = {"2.0": "/basePath"}

        def show(bases: list[str]) -> str:
            return ", ".join(b or "/" for b in bases)

        self.add(
            "base-path.changed",
            f"base path {show(old)} -> {show(new)}",
            pointer.get(self.old.version, "/servers"),
            pointer.get(self.new.version, "/servers"),
            Target(None),
        )

    # -- one operation -----------------------------------------------------------------------

    def _operation(self, old: Operation, new: Operation) -> None:
        self._security(old, new)
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)

    def _requirements(
        self, op: Operation, schemes: dict[str, tuple[str, ...]]
    ) -> list[Requirement]:
        return [
            frozenset(
                (schemes.get(name, ("undefined", name)), frozenset(scopes or ()))
                for name, scopes in alt.items()
            )
            for alt in op.security
        ]

    def _security(self, old: Operation, new: Operation) -> None:
        before = self._requirements(old, self.old_schemes)
        after = self._requirements(new, self.new_schemes)
        if set(before) == set(after):
            return
        open_before = not before or frozenset() in before
        open_after = not after or frozenset() in after
        where = (
            _security_pointer(self.old, old) if old.security else None,
            _security_pointer(self.new, new) if new.security else None,
        )
        target = Target(old.key)
        if open_after:
            self.add("security.relaxed", "credentials no longer needed", *where, target)
        elif open_before:
            self.add("security.added", "credentials now needed", *where, target)
        else:
            lost = [
                names
                for alt, names in zip(before, old.security, strict=True)
                if not any(_satisfies(alt, b) for b in after)
            ]
            if lost:
                shown = " or ".join("+".join(sorted(names)) for names in lost)
                self.add("security.changed", f"no longer accepted: {shown}", *where, target)
            else:
                self.add("security.relaxed", "more credentials accepted", *where, target)

    def _parameters(self, old: Operation, new: Operation) -> None:
        before = _parameter_keys(old)
        after = _parameter_keys(new)
        moved_to: set[tuple[str, str]] = set()
        for key, p in before.items():
            q = after.get(key)
            target = Target(old.key, "request", parameter=_wire(p))
            if q is not None:
                self._parameter(p, q, target)
                continue
            twin = next((k for k, q in after.items() if k not in before and _same_name(p, q)), None)
            if twin is not None:
                q = after[twin]
                moved_to.add(twin)
                message = f"parameter {p.name} moved from {p.location} to {q.location}"
                self.add(
                    "request.parameter.moved", message, _at(self.old, p), _at(self.new, q), target
                )
            else:
                message = f"{p.location} parameter {p.name} removed"
                self.add(
                    "request.parameter.removed", message, _at(self.old, p), old.pointer, target
                )
        for key, q in after.items():
            if key in before or key in moved_to:
                continue
            if q.required:
                message = f"new required {q.location} parameter {q.name}"
                target = Target(old.key, "request", parameter=_wire(q), absent=True)
                self.add(
                    "request.parameter.required", message, old.pointer, _at(self.new, q), target
                )
            else:
                message = f"new optional {q.location} parameter {q.name}"
                self.add(
                    "request.parameter.added",
                    message,
                    None,
                    _at(self.new, q),
                    Target(old.key, "request", parameter=_wire(q)),
                )

    def _parameter(self, p: Parameter, q: Parameter, target: Target) -> None:
        places = (_at(self.old, p), _at(self.new, q))
        if q.required and not p.required:
            message = f"{p.location} parameter {p.name} is now required"
            absent = replace(target, absent=True)
            self.add("request.parameter.required", message, *places, absent)
        elif p.required and not q.required:
            message = f"{p.location} parameter {p.name} is no longer required"
            self.add("request.parameter.optional", message, *places, target)
        deltas = self.request.compare(
            p.schema or any_schema(self.old.source, p.pointer + "/schema"),
            q.schema or any_schema(self.new.source, q.pointer + "/schema"),
        )
        self.add_deltas(deltas, target)

    def _request_body(self, old: Operation, new: Operation) -> None:
        before, after = old.request_body, new.request_body
        body = Target(old.key, "request")
        if before is None and after is None:
            return
        if before is None:
            assert after is not None
            if after.required:
                target = Target(old.key, "request", absent=True)
                self.add(
                    "request.body.required",
                    "a required request body added",
                    new.pointer,
                    _at(self.new, after),
                    target,
                )
            else:
                self.add(
                    "request.body.added",
                    "an optional request body added",
                    new.pointer,
                    _at(self.new, after),
                    body,
                )
            return
        if after is None:
            self.add(
                "request.body.removed",
                "request body removed",
                _at(self.old, before),
                new.pointer,
                body,
            )
            return
        if after.required and not before.required:
            target = Target(old.key, "request", absent=True)
            self.add(
                "request.body.required",
                "request body is now required",
                _at(self.old, before),
                _at(self.new, after),
                target,
            )
        elif before.required and not after.required:
            self.add(
                "request.body.optional",
                "request body is no longer required",
                _at(self.old, before),
                _at(self.new, after),
                body,
            )
        self._content(before, after, self.request, body)

    def _responses(self, old: Operation, new: Operation) -> None:
        for status, response in old.responses.items():
            twin = new.responses.get(status)
            if twin is None and status.isdigit():
                twin = new.response_for(int(status))
            target = Target(old.key, "response", status=status)
            if twin is None:
                self.add(
                    "response.status.removed",
                    f"response {status} removed",
                    _at(self.old, response),
                    new.pointer,
                    target,
                )
            else:
                self._response(response, twin, target)
        for status, response in new.responses.items():
            if status in old.responses:
                continue
            if status[0] in "23":
                target = Target(old.key, "response")
                self.add(
                    "response.success.added",
                    f"response {status} added",
                    old.pointer,
                    _at(self.new, response),
                    target,
                )
            else:
                target = Target(old.key, "response", status=status)
                self.add(
                    "response.status.added",
                    f"response {status} added",
                    old.pointer,
                    _at(self.new, response),
                    target,
                )

    def _response(self, old: Response, new: Response, target: Target) -> None:
        for name, header in old.headers.items():
            twin = new.headers.get(name)
            where = replace(target, header=name)
            if twin is None:
                self.add(
                    "response.header.removed",
                    f"header {header.name} removed",
                    _at(self.old, header),
                    _at(self.new, new),
                    where,
                )
            else:
                self._header(header, twin, where)
        for name, header in new.headers.items():
            if name not in old.headers:
                message = f"header {header.name} added"
                self.add(
                    "response.header.added",
                    message,
                    _at(self.old, old),
                    _at(self.new, header),
                    replace(target, header=name),
                )
        self._content(old, new, self.response, target)

    def _header(self, old: Header, new: Header, target: Target) -> None:
        if old.required and not new.required:
            self.add(
                "response.header.optional",
                f"header {old.name} is no longer required",
                _at(self.old, old),
                _at(self.new, new),
                target,
            )
        elif new.required and not old.required:
            self.add(
                "response.header.required",
                f"header {old.name} is now required",
                _at(self.old, old),
                _at(self.new, new),
                target,
            )
        deltas = self.response.compare(
            old.schema or any_schema(self.old.source, old.pointer + "/schema"),
            new.schema or any_schema(self.new.source, new.pointer + "/schema"),
        )
        self.add_deltas(deltas, target)

    def _content(
        self,
        old: RequestBody | Response,
        new: RequestBody | Response,
        diff: SchemaDiff,
        target: Target,
    ) -> None:
        side = diff.side
        matched: set[str] = set()
        for media, content in old.content.items():
            found = find_media(media, new.content)
            where = replace(target, media=media)
            if found is None:
                self.add(
                    f"{side}.media.removed",
                    f"media type {media} removed",
                    _at(self.old, content),
                    _at(self.new, new),
                    where,
                )
                continue
            matched.add(found)
            deltas = diff.compare(
                media_schema(self.old, content), media_schema(self.new, new.content[found])
            )
            self.add_deltas(deltas, where)
        for media, content in new.content.items():
            if media not in matched and find_media(media, old.content) is None:
                where = replace(target, media=media)
                self.add(
                    f"{side}.media.added",
                    f"media type {media} added",
                    _at(self.old, old),
                    _at(self.new, content),
                    where,
                )


def _at(spec: Spec, part: Parameter | Header | MediaType | RequestBody | Response) -> Ptr:
    """Where a part of an operation is written: the file of its own schemas (a part
    taken from another file by ``$ref`` lives there), else the root document."""
    if isinstance(part, Parameter | Header | MediaType):
        schemas = [part.schema]
    else:
        schemas = [media.schema for media in part.content.values()]
    source = next((s.source for s in schemas if s is not None), spec.source)
    return (source, part.pointer)


def _security_pointer(spec: Spec, op: Operation) -> str:
    """Where the operation's security is declared: on it, or the document's default."""
    node: Any = spec.document.data
    for part in split_pointer(op.pointer):
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict) and "security" in node:
        return op.pointer + "/security"
    return "/security" if "security" in spec.document.data else op.pointer


def _parameter_keys(op: Operation) -> dict[tuple[str, str], Parameter]:
    """Parameters by what identifies them on the wire: path ones by position."""
    positions = {name[1:-1]: str(i) for i, name in enumerate(_TEMPLATE_PARAM.findall(op.path))}
    out = {}
    for p in op.parameters:
        if p.location == "path":
            out[("path", positions.get(p.name, p.name))] = p
        else:
            out[_wire(p)] = p
    return out


def _wire(p: Parameter) -> tuple[str, str]:
    return (p.location, p.name.lower() if p.location == "header" else p.name)


def _same_name(p: Parameter, q: Parameter) -> bool:
    return p.name.lower() == q.name.lower()


def _satisfies(alt: Requirement, new: Requirement) -> bool:
    """Whether a client meeting requirement ``alt`` also meets ``new``."""
    have = dict(alt)
    return all(scheme in have and scopes <= have[scheme] for scheme, scopes in new)
