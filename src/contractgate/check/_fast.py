"""A fast proof that a value fits a schema, trusted only when it says *valid*.

Validating tens of thousands of pact bodies with the spec's Python validators costs
about half a millisecond each; :mod:`jsonschema_rs` (a compiled validator that
schemathesis already brings along) takes a few microseconds. So each value is
first given to ``jsonschema_rs``: when it finds the value valid, there is nothing to
report; otherwise the Python validator of :meth:`Spec.validator` judges, and every
message and pointer of a failure comes from it.

That is sound only where ``jsonschema_rs`` is never more lenient than the Python
OpenAPI validators, which is arranged here:

- formats are checked by the Python OpenAPI format functions, handed to
  ``jsonschema_rs``; ``int32``/``int64``, which Python also applies to numbers,
  become bounds in ``jsonschema_rs``'s copy of the spec;
- a schema that reaches a ``discriminator`` (Python validates the mapped schema
  only) or ``readOnly``/``writeOnly`` (enforced by the Python validators) is left
  to Python;
- the spec is compiled as JSON Schema 2020-12, where OpenAPI 3.0's own forms
  (``nullable``, boolean ``exclusiveMinimum``, tuple ``items``) are either stricter
  or refused, and a schema ``jsonschema_rs`` refuses is left to Python;
- for responses, ``required``, ``minProperties`` and ``dependentRequired`` are
  switched off (custom keywords that accept anything), as in the Python response
  validator.

Compiling a schema costs about one Python validation, and happens once per schema
(a media type that is a bare ``$ref`` shares its target's validator). Without
``jsonschema_rs`` installed, Python validates everything, only slower.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .._errors import InputError
from .._openapi import Schema, Spec

jsonschema_rs: Any
try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - schemathesis depends on it
    jsonschema_rs = None

_INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_COMPOSITIONS = ("anyOf", "oneOf", "allOf")
_UNSET = object()


class _AnyValue:
    """A ``jsonschema_rs`` keyword that accepts every value: switches a built-in off."""

    def __init__(self, parent: Any, value: Any, schema: Any) -> None:
        pass

    def validate(self, instance: Any) -> None:
        return None


_NOT_REQUIRED = {"required": _AnyValue, "minProperties": _AnyValue, "dependentRequired": _AnyValue}


class FastValidity:
    """``jsonschema_rs`` validators for one spec's schemas (see the module docstring)."""

    def __init__(self, spec: Spec) -> None:
        self._spec = spec
        self._validators: dict[tuple[int, bool], Any] = {}
        self._compiled: dict[tuple[int, bool], Any] = {}
        self._registry: Any = None
        self._formats: dict[str, Callable[[str], bool]] | None = None
        self._python_only: set[int] | None = None
        self._eligible: dict[int, bool] = {}

    def proves_valid(self, schema: Schema, value: Any, *, response: bool) -> bool:
        """True when ``value`` certainly fits ``schema``; False means "ask Python"."""
        if jsonschema_rs is None or isinstance(value, bytes):
            return False
        key = (id(schema.node), response)
        validator = self._validators.get(key, _UNSET)
        if validator is _UNSET:
            validator = self._validators[key] = self._compile(schema, response)
        if validator is None:
            return False
        try:
            return bool(validator.is_valid(value))
        except (ValueError, TypeError, OverflowError):
            return False

    def _compile(self, schema: Schema, response: bool) -> Any:
        if schema.synthetic or not self._allowed(schema):
            return None  # a synthetic schema (a Swagger 2.0 parameter's) is not in the registry
        target, pointer, source = schema.node, schema.pointer, schema.source
        if isinstance(target, dict) and list(target) == ["$ref"]:  # compile the target once
            try:
                target, pointer, source = self._spec.resolve(target, pointer, source)
            except InputError:
                return None
        key = (id(target), response)
        if key not in self._compiled:
            try:
                self._compiled[key] = jsonschema_rs.validator_for(
                    {"$ref": f"{Path(source).resolve().as_uri()}#{quote(pointer, safe='/~')}"},
                    registry=self._registry_of_spec(),
                    formats=self._python_formats(schema),
                    validate_formats=True,
                    keywords=_NOT_REQUIRED if response else None,
                )
            except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError):
                self._compiled[key] = None
        return self._compiled[key]

    def _registry_of_spec(self) -> Any:
        if self._registry is None:
            resources = [(uri, r.contents) for uri, r in self._spec.registry().items()]
            if len(resources) > 1 or any(f in self._spec.document.text for f in _INT_BOUNDS):
                resources = [(uri, _with_int_bounds(contents)) for uri, contents in resources]
            self._registry = jsonschema_rs.Registry(resources, draft=jsonschema_rs.Draft202012)
        return self._registry

    def _python_formats(self, schema: Schema) -> dict[str, Callable[[str], bool]]:
        if self._formats is None:
            python = self._spec.validator(schema)
            checkers = getattr(getattr(python, "format_checker", None), "checkers", {})
            self._formats = {name: _format(f, raises) for name, (f, raises) in checkers.items()}
        return self._formats

    def _allowed(self, schema: Schema) -> bool:
        """Whether ``schema`` reaches nothing that only the Python validators enforce."""
        if self._python_only is None:
            self._python_only = self._find_python_only()
        if not self._python_only:
            return True
        cached = self._eligible.get(id(schema.node))
        if cached is None:
            cached = self._eligible[id(schema.node)] = not self._reaches_python_only(schema)
        return cached

    def _find_python_only(self) -> set[int]:
        keywords = ("readOnly", "writeOnly")
        found: set[int] = set()
        resources = list(self._spec.registry().items())
        text = self._spec.document.text
        if len(resources) == 1 and not any(k in text for k in ("discriminator", *keywords)):
            return found  # the usual case, known without a walk
        for _, resource in resources:
            stack = [resource.contents]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    composed = any(k in node for k in _COMPOSITIONS)
                    if ("discriminator" in node and composed) or any(
                        node.get(k) is True for k in keywords
                    ):
                        found.add(id(node))
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
        return found

    def _reaches_python_only(self, schema: Schema) -> bool:
        assert self._python_only is not None
        stack: list[tuple[Any, str, str]] = [(schema.node, schema.pointer, schema.source)]
        seen: set[int] = set()
        while stack:
            node, pointer, source = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if id(node) in self._python_only:
                return True
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    try:
                        stack.append(self._spec.resolve({"$ref": ref}, pointer, source))
                    except InputError:
                        return True  # a broken reference: let Python report it
                stack.extend((v, f"{pointer}/{k}", source) for k, v in node.items())
            elif isinstance(node, list):
                stack.extend((v, f"{pointer}/{i}", source) for i, v in enumerate(node))
        return False


def _format(func: Callable[[Any], Any], raises: Any) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        try:
            return bool(func(text))
        except Exception:  # raises and anything else: "not proven valid", Python decides
            return False

    return check


def _with_int_bounds(contents: Any) -> Any:
    """A copy of a spec document where ``int32``/``int64`` also bound numbers."""

    def rewrite(node: dict[str, Any]) -> dict[str, Any]:
        bounds = _INT_BOUNDS.get(node["format"]) if isinstance(node.get("format"), str) else None
        if bounds and isinstance(node.get("allOf", []), list):
            low, high = bounds
            limit = {"if": {"type": "integer"}, "then": {"minimum": low, "maximum": high}}
            node["allOf"] = [*node.get("allOf", []), limit]
        return node

    # A JSON round trip copies in C; the hook rewrites each object as it is rebuilt.
    return json.loads(json.dumps(contents), object_hook=rewrite)
