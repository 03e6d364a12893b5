"""Linting an OpenAPI 3.0/3.1 or Swagger 2.0 spec.

First, always: every ``$ref`` resolves, also into other local files, and no chain of
``$ref`` loops back on itself (a recursive *schema*, whose properties refer to the
schema, is fine); and the document fits the OpenAPI specification's JSON Schema
(openapi-spec-validator's schemas; :mod:`jsonschema` explains a refusal with
structure). Then, only when those found nothing (a broken reference or shape makes
them fail in confusing ways): openapi-spec-validator's own checks (schemas, defaults,
path parameters, duplicate ids), each error placed where it was found, and the model."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from jsonschema_path import SchemaPath
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_spec_validator import (
    OpenAPIV2SpecValidator,
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
)
from openapi_spec_validator.schemas import schema_v2, schema_v30, schema_v31
from openapi_spec_validator.validation import SpecValidator
from openapi_spec_validator.validation.keywords import KeywordValidator, ValueValidator

from .._documents import Document, json_pointer, split_pointer
from .._errors import InputError
from .._openapi import Spec, _at, _RefLoader, _refs, _version
from ._messages import Location, explain, explain_semantic
from ._report import Problem, display_path

_VALIDATORS: dict[str, type[SpecValidator]] = {
    "2.0": OpenAPIV2SpecValidator,
    "3.0": OpenAPIV30SpecValidator,
    "3.1": OpenAPIV31SpecValidator,
}
_SCHEMAS = {"2.0": schema_v2, "3.0": schema_v30, "3.1": schema_v31}
_WHERE = "_contractgate_path"  # set on openapi-spec-validator's errors: where they were found
_TRACKING: dict[type[SpecValidator], type[SpecValidator]] = {}


def check_spec(document: Document) -> tuple[list[Problem], Spec | None]:
    """Every problem of the spec in ``document`` (and of the files its ``$ref``s reach),
    and the model when there is none."""
    legacy = document.data.get("swaggerVersion")
    if legacy is not None:
        return [
            Problem.at(
                document,
                f"Swagger {legacy} is not supported",
                "/swaggerVersion",
                "convert it to OpenAPI 3 or Swagger 2.0",
            )
        ], None
    try:
        version = _version(document)
    except InputError as exc:
        return [Problem.from_error(exc)], None
    loader = _RefLoader(document)
    problems = _reference_problems(document, loader)
    problems += _schema_problems(document, version)
    if not problems:
        problems = _semantic_problems(document, loader, version)
    if problems:
        return problems, None
    try:
        return [], Spec(document, loader)
    except InputError as exc:
        return [Problem.from_error(exc)], None


# -- references --------------------------------------------------------------------------------


def _reference_problems(root: Document, loader: _RefLoader) -> list[Problem]:
    problems: list[Problem] = []
    sites: list[tuple[str, str, str]] = []
    pending, seen = [root.source], {root.source}
    while pending:
        source = pending.pop(0)
        for pointer, ref in sorted(_refs(loader.document(source).data)):
            try:
                target, _ = loader.target(source, ref, pointer)
            except InputError as exc:
                problems.append(Problem.from_error(exc))
                continue
            sites.append((source, pointer, ref))
            if target.source not in seen:
                seen.add(target.source)
                pending.append(target.source)
    return problems + _cycles(root, loader, sites)


def _cycles(root: Document, loader: _RefLoader, sites: list[tuple[str, str, str]]) -> list[Problem]:
    """Chains of ``$ref`` that come back to where they started with no schema on the way."""
    problems: list[Problem] = []
    reported: set[frozenset[tuple[str, str]]] = set()
    for source, pointer, ref in sites:
        chain: list[tuple[str, str]] = []
        while True:
            try:
                doc, fragment = loader.target(source, ref, pointer)
            except InputError:  # reported with the references
                break
            if (doc.source, fragment) in chain:
                cycle = chain[chain.index((doc.source, fragment)) :]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    problems.append(_cycle_problem(root, loader, cycle))
                break
            chain.append((doc.source, fragment))
            node = _at(doc, fragment)
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                break
            source, pointer, ref = doc.source, fragment, node["$ref"]
    return problems


def _cycle_problem(root: Document, loader: _RefLoader, cycle: list[tuple[str, str]]) -> Problem:
    start = cycle.index(min(cycle, key=lambda member: (member[0] != root.source, member)))
    cycle = cycle[start:] + cycle[:start]
    names = [
        ("" if source == root.source else display_path(source)) + "#" + fragment
        for source, fragment in (*cycle, cycle[0])
    ]
    source, fragment = cycle[0]
    return Problem.at(
        loader.document(source),
        "$ref cycle: " + " -> ".join(names),
        fragment,
        "a chain of $ref must end at a schema; point one of them at a definition",
    )


# -- the OpenAPI specification's JSON Schema ------------------------------------------------------


@functools.cache
def _schema_validator(version: str) -> Validator:
    schema = dict(_SCHEMAS[version])
    validator: Validator = validator_for(schema)(schema)
    return validator


def _schema_problems(document: Document, version: str) -> list[Problem]:
    # The library's validator (Rust-backed when jsonschema-rs is installed) answers
    # fast; jsonschema runs only to explain a document it refused.
    if _VALIDATORS[version].schema_validator.is_valid(document.data):
        return []
    errors = _schema_validator(version).iter_errors(document.data)
    return [
        Problem.at(
            document, phrase.message, json_pointer(phrase.path), phrase.hint, at_key=phrase.at_key
        )
        for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])
        for phrase in explain(error)
    ]


# -- openapi-spec-validator's checks beyond the schema ------------------------------------------


def _semantic_problems(document: Document, loader: _RefLoader, version: str) -> list[Problem]:
    validator = _tracking(_VALIDATORS[version])(document.data, base_uri=loader.uri(document.source))
    problems = []
    try:
        for error in validator.root_validator(validator.schema_path):
            base: Location = getattr(error, _WHERE, ())
            for phrase in explain_semantic(error, base):
                doc, pointer = _physical(document, loader, phrase.path)
                problems.append(
                    Problem.at(doc, phrase.message, pointer, phrase.hint, at_key=phrase.at_key)
                )
    except RecursionError:
        problems.append(
            Problem(
                display_path(document.source),
                "schemas nest too deeply for openapi-spec-validator to check them",
                hint="openapi-spec-validator stops near 70 levels; the spec may still be valid",
            )
        )
    except Exception as exc:  # it fails on shapes its schema let through; the rest still counts
        doc, pointer = _physical(document, loader, getattr(exc, _WHERE, ()))
        problems += _stopped_at(doc, pointer, version, exc)
    return problems


def _stopped_at(doc: Document, pointer: str, version: str, exc: Exception) -> list[Problem]:
    """Why openapi-spec-validator stopped at ``pointer``: mostly a schema that breaks its
    JSON Schema dialect in a way the OpenAPI schema does not check (``properties: 3``)."""
    node = _at(doc, pointer)
    dialect = OAS31Validator if version == "3.1" else OAS30Validator
    if isinstance(node, dict):
        try:
            dialect.check_schema(node)
        except SchemaError as error:
            return [
                Problem.at(doc, p.message, json_pointer(p.path), p.hint, at_key=p.at_key)
                for p in explain(ValidationError.create_from(error), tuple(split_pointer(pointer)))
            ]
    if isinstance(exc, KeyError):
        message = f"openapi-spec-validator expected a field {exc.args[0]!r} here"
    else:
        message = f"openapi-spec-validator cannot check this: {type(exc).__name__}: {exc}"
    return [Problem.at(doc, message, pointer, "compare it with the OpenAPI specification")]


def _tracking(cls: type[SpecValidator]) -> type[SpecValidator]:
    """``cls`` whose keyword validators mark each error with the spec path it was found at."""
    if cls not in _TRACKING:
        keywords = {name: _tracked(kv) for name, kv in cls.keyword_validators.items()}
        _TRACKING[cls] = type(cls.__name__, (cls,), {"keyword_validators": keywords})
    return _TRACKING[cls]


def _tracked(cls: type[KeywordValidator]) -> type[KeywordValidator]:
    # A default value's errors are paths inside the value, below the schema's "default".
    suffix: Location = ("default",) if issubclass(cls, ValueValidator) else ()
    call: Callable[..., Iterator[ValidationError]] = cls.__call__

    def __call__(self: KeywordValidator, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
        here = next((a for a in args if isinstance(a, SchemaPath)), None)
        where = () if here is None else tuple(here.parts)
        try:
            for error in call(self, *args, **kwargs):
                if not hasattr(error, _WHERE):
                    setattr(error, _WHERE, (*where, *suffix))
                yield error
        except Exception as exc:  # the innermost place it failed at, for the report
            if not hasattr(exc, _WHERE):
                setattr(exc, _WHERE, where)
            raise

    return type(cls.__name__, (cls,), {"__call__": __call__})


def _physical(root: Document, loader: _RefLoader, path: Location) -> tuple[Document, str]:
    """The file and pointer of a path that reads through ``$ref``s (as the validator walks);
    a ``$ref`` at the end is followed too (the validator read what it points to)."""
    doc, node, here = root, root.data, list[str]()
    for part in map(str, path):
        doc, node, here = _through_refs(loader, doc, node, here, part)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return doc, json_pointer(here)
        here.append(part)
    doc, _, here = _through_refs(loader, doc, node, here, None)
    return doc, json_pointer(here)


def _through_refs(
    loader: _RefLoader, doc: Document, node: Any, here: list[str], keep: str | None
) -> tuple[Document, Any, list[str]]:
    """Follow ``node``'s ``$ref`` chain, unless it holds ``keep`` itself (3.1 allows siblings)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and keep not in node:
        try:
            doc, fragment = loader.target(doc.source, node["$ref"], json_pointer(here))
        except InputError:
            break
        here, node = split_pointer(fragment), _at(doc, fragment)
    return doc, node, here
