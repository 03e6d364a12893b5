"""Plain words for what a JSON Schema validator found wrong in a spec.

openapi-spec-validator reports through :class:`jsonschema.exceptions.ValidationError`,
whose messages dump the offending value and, for ``oneOf``, say only that nothing
matched. :func:`explain` narrows such an error to the alternative the user most
likely meant and says, in one line, what is wrong and what to do.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError, relevance

Location = tuple[str | int, ...]  # a path into a document: keys and indexes

_KINDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
_REQUIRED_HINTS = {
    "info": "add info: {title: ..., version: ...}",
    "in": "add in: query, path, header, ... (where the parameter goes)",
    "name": "add name: ...",
    "responses": "add responses: {'200': {description: ...}}",
    "description": "add description: ...",
    "title": "add title: ...",
    "version": "add version: ...",
    "openapi": "start the file with openapi: 3.1.0",
    "paths": "add paths: {}",
    "type": "add type: ...",
}
_NAMES = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)")
_NO_REGEX = re.compile(r"^(.*) (?:does|do) not match any of the regexes")
_PATH_PARAM = re.compile(r"Path parameter '(.+)' for '(.+)' operation in '(.+)' was not resolved")
_OPERATION_ID = re.compile(r"Operation ID '(.+)' for '(.+)' in '(.+)' is not unique")


@dataclass(frozen=True)
class Phrase:
    """One problem in plain words; ``path`` is where (``at_key``: show the key, not its value)."""

    message: str
    hint: str | None
    path: Location
    at_key: bool = False


def explain(error: ValidationError, base: Location = ()) -> list[Phrase]:
    """What ``error`` means, in one line per problem; ``base`` prefixes its path."""
    error = _narrow(error)
    path: Location = (*base, *error.absolute_path)
    handler = _HANDLERS.get(error.validator) if isinstance(error.validator, str) else None
    if handler is not None:
        return handler(error, path)
    return [Phrase(_plain(error.message), None, path)]


def explain_semantic(error: ValidationError, base: Location) -> list[Phrase]:
    """An openapi-spec-validator finding beyond the JSON Schema (refs, parameters, ids)."""
    if isinstance(error.validator, str):  # a JSON Schema error (a schema or a default value)
        return explain(error, base)
    message = error.message
    m = _PATH_PARAM.fullmatch(message)
    if m:
        name, method, url = m.groups()
        if "{" + name + "}" in url:
            return [
                Phrase(
                    f"path parameter '{name}' of {method.upper()} {url} is not declared",
                    f"declare it: parameters: [{{name: {name}, in: path, required: true}}]",
                    base,
                )
            ]
        return [
            Phrase(
                f"{method.upper()} {url} declares path parameter '{name}' "
                f"but the path has no {{{name}}}",
                "rename the parameter or add it to the path",
                base,
            )
        ]
    m = _OPERATION_ID.fullmatch(message)
    if m:
        return [
            Phrase(
                f"operationId '{m.group(1)}' of {m.group(2).upper()} {m.group(3)} is already used",
                "give every operation its own operationId",
                (*base, "operationId"),
            )
        ]
    if message.startswith("Duplicate parameter "):
        return [
            Phrase(
                f"parameter {message.removeprefix('Duplicate parameter ')} is declared twice",
                "remove one of them",
                base,
            )
        ]
    if message.startswith("Duplicate tag name "):
        return [
            Phrase(
                f"tag {message.removeprefix('Duplicate tag name ')} is listed twice",
                "list each tag once",
                base,
            )
        ]
    if message.startswith("Required list has not defined properties"):
        names = ", ".join(n for pair in _NAMES.findall(message) for n in pair if n)
        return [
            Phrase(
                f"'required' names properties the schema does not define: {names}",
                "define them under properties, or remove them from required",
                (*base, "required"),
            )
        ]
    return [Phrase(_plain(message), None, base)]


# -- narrowing oneOf/anyOf to the alternative meant ----------------------------------------


def _narrow(error: ValidationError) -> ValidationError:
    """Descend into ``oneOf``/``anyOf`` to the alternative the value most likely meant.

    Stops at an error whose alternatives each only lack a field ("needs schema or
    content"): that is the message.
    """
    while error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        meant = [b for b in branches.values() if not _only_missing_ref(b, error.instance)]
        if len(meant) > 1 and all(e.validator == "required" for b in meant for e in b):
            break
        field = _discriminator(meant)
        if field is not None:
            return field
        # alternatives told apart by a field (a security scheme's type): the one it names
        matched = [b for b in meant if not any(_refuses_field(e) for e in b)]
        if matched and len(matched) < len(meant):
            meant = matched
        candidates = [e for b in (meant or branches.values()) for e in b]
        # "valid under each of" says nothing about what is wrong: prefer anything else
        clear = [e for e in candidates if e.validator != "oneOf" or e.context]
        error = max(clear or candidates, key=relevance)  # one level at a time
    return error


def _discriminator(branches: list[list[ValidationError]]) -> ValidationError | None:
    """When every alternative refuses the same field's value (OpenAPI 3.0's parameter
    ``in``), that field, with the values the alternatives allow between them."""
    found = []
    for branch in branches:
        error = next((e for e in branch if _refuses_field(e)), None)
        if error is None:
            return None
        found.append(error)
    if len(found) < 2 or len({tuple(e.absolute_path) for e in found}) != 1:
        return None
    allowed: list[Any] = []
    for e in found:
        value = _keyword_value(e)
        allowed += value if e.validator == "enum" else [value]
    unique: list[Any] = []
    for value in allowed:
        if value not in unique:  # values may be unhashable
            unique.append(value)
    return ValidationError(
        found[0].message,
        validator="enum",
        validator_value=unique,
        instance=found[0].instance,
        path=found[0].absolute_path,
    )


def _refuses_field(error: ValidationError) -> bool:
    """An ``enum``/``const`` refusal of a field below the value (a discriminator)."""
    return error.validator in ("enum", "const") and bool(error.path)


def _only_missing_ref(errors: list[ValidationError], instance: Any) -> bool:
    """A ``$ref`` alternative (OpenAPI's Reference Object) when the value is no reference."""
    return (
        isinstance(instance, dict)
        and "$ref" not in instance
        and any(e.validator == "required" and e.validator_value == ["$ref"] for e in errors)
    )


# -- one handler per JSON Schema keyword ------------------------------------------------------


def _required(error: ValidationError, path: Location) -> list[Phrase]:
    names = [n for n in _keyword_value(error) if error.message.startswith(repr(n))]
    name = str(names[0]) if names else _plain(error.message)
    if name == "default" and path[-1:] == ("responses",):  # OpenAPI 3.1's "if no code"
        return _no_status_code(path) if error.instance else []  # empty: "must not be empty"
    where = f"{_label(path)}: " if path else ""
    return [
        Phrase(
            f"{where}required field '{name}' is missing",
            _REQUIRED_HINTS.get(name, f"add '{name}'"),
            path,
        )
    ]


def _no_status_code(path: Location) -> list[Phrase]:
    hint = "list at least one response: a code such as '200', or 'default'"
    return [Phrase("responses have no status code", hint, path)]


def _unexpected(error: ValidationError, path: Location) -> list[Phrase]:
    message = error.message
    m = _UNEXPECTED.search(message) or _NO_REGEX.search(message)
    names = [a or b for a, b in _NAMES.findall(m.group(1))] if m else []
    if not names:
        return [Phrase(_plain(message), None, path)]
    parent = path[-1] if path else None
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = sorted(str(k) for k in schema.get("properties") or {})
    out = []
    for name in names:
        where: Location = (*path, name)
        if parent == "responses":
            out.append(
                Phrase(
                    f"'{name}' is not a response status code",
                    "use a code such as '200', a range such as '4XX', or 'default'",
                    where,
                    at_key=True,
                )
            )
        elif parent == "paths" and not name.startswith("/"):
            message = f"path '{name}' must start with '/'"
            out.append(Phrase(message, "e.g. /users/{id}", where, at_key=True))
        else:
            close = difflib.get_close_matches(name, known, n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else "remove it; extension fields must start with 'x-'"
            )
            in_label = f" in {_label(path)}" if path else ""
            out.append(Phrase(f"unknown field '{name}'{in_label}", hint, where, at_key=True))
    return out


def _type(error: ValidationError, path: Location) -> list[Phrase]:
    expected = _keyword_value(error)
    wanted = [expected] if isinstance(expected, str) else list(expected)
    words = " or ".join(_KINDS.get(str(t), str(t)) for t in wanted)
    hint = None
    if path in (("openapi",), ("swagger",)):
        hint = 'quote the version: openapi: "3.1.0"'
    elif "string" in wanted and isinstance(error.instance, int | float):
        hint = "quote it to make it a string"
    return [
        Phrase(
            f"{_label(path)} must be {words}, found {_kind_of(error.instance)}",
            hint,
            path,
        )
    ]


def _enum(error: ValidationError, path: Location) -> list[Phrase]:
    allowed = ", ".join(str(v) for v in _keyword_value(error))
    hint = None
    if path[-1:] == ("in",) and error.instance in ("body", "formData"):
        hint = "OpenAPI 3 describes a request body under requestBody, not as a parameter"
    return [
        Phrase(
            f"{_label(path)} is {_show(error.instance)}, which is not one of: {allowed}",
            hint,
            path,
        )
    ]


def _const(error: ValidationError, path: Location) -> list[Phrase]:
    return [Phrase(f"{_label(path)} must be {_show(error.validator_value)}", None, path)]


def _pattern(error: ValidationError, path: Location) -> list[Phrase]:
    if "propertyNames" in error.schema_path:  # the value is a key of the object at path
        return [
            Phrase(
                f"name {_show(error.instance)} in {_label(path)} does not match "
                f"the pattern {error.validator_value}",
                None,
                (*path, str(error.instance)),
                at_key=True,
            )
        ]
    if path == ("openapi",):
        return [
            Phrase(
                f"openapi version {_show(error.instance)} is not a full version",
                'write it as major.minor.patch, e.g. openapi: "3.1.0"',
                path,
            )
        ]
    return [
        Phrase(
            f"{_label(path)} {_show(error.instance)} does not match "
            f"the pattern {error.validator_value}",
            None,
            path,
        )
    ]


def _bounds(error: ValidationError, path: Location) -> list[Phrase]:
    limit = _keyword_value(error)
    schema = error.schema if isinstance(error.schema, dict) else {}
    exclusive = schema.get("exclusiveMinimum") is True  # JSON Schema draft 4's flag
    words = {
        "minItems": f"must have at least {_count(limit, 'item')}",
        "minProperties": "must not be empty" if limit == 1 else f"needs {_count(limit, 'entry')}",
        "maxProperties": f"must have at most {_count(limit, 'entry')}",
        "minimum": f"must be more than {limit}" if exclusive else f"must be at least {limit}",
        "exclusiveMinimum": f"must be more than {limit}",
        "uniqueItems": "has duplicate items",
    }[str(error.validator)]
    return [Phrase(f"{_label(path)} {words}", None, path)]


def _not_allowed(error: ValidationError, path: Location) -> list[Phrase]:
    """``not: {required: [a, b]}``: OpenAPI's way to say "not both"."""
    if path[-1:] == ("responses",):  # Swagger 2.0's "not only extensions"
        return _no_status_code(path)
    refused = _keyword_value(error)
    names = refused.get("required") if isinstance(refused, dict) else None
    if isinstance(names, list) and len(names) > 1 and len(refused) == 1:
        both = " and ".join(f"'{n}'" for n in names)
        return [Phrase(f"{_label(path)} has both {both}", "keep only one of them", path)]
    if isinstance(names, list) and len(names) == 1 and len(refused) == 1:
        return [Phrase(f"'{names[0]}' is not allowed here", "remove it", (*path, names[0]), True)]
    return [Phrase(f"{_label(path)} is not allowed here", None, path)]


def _alternatives(error: ValidationError, path: Location) -> list[Phrase]:
    if error.context:  # each alternative only lacks a field (see _narrow)
        names = list(dict.fromkeys(f"'{n}'" for e in error.context for n in _keyword_value(e)))
        return [
            Phrase(
                f"{_label(path)} needs {' or '.join(names)}",
                f"add one of {', '.join(names)}",
                path,
            )
        ]
    return [
        Phrase(
            f"{_label(path)} fits more than one of the allowed forms",
            "compare it with the OpenAPI specification",
            path,
        )
    ]


def _dependency(error: ValidationError, path: Location) -> list[Phrase]:
    names = [a or b for a, b in _NAMES.findall(error.message)]
    if len(names) == 2:
        return [Phrase(f"'{names[1]}' also needs '{names[0]}'", f"add '{names[0]}'", path)]
    return [Phrase(_plain(error.message), None, path)]


# The keywords that the OpenAPI schemas and the schema dialects' meta-schemas use.
_BOUNDS = (
    "minItems",
    "minProperties",
    "maxProperties",
    "minimum",
    "exclusiveMinimum",
    "uniqueItems",
)
_HANDLERS = {
    "required": _required,
    "additionalProperties": _unexpected,
    "unevaluatedProperties": _unexpected,
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "not": _not_allowed,
    "oneOf": _alternatives,
    "anyOf": _alternatives,
    "dependencies": _dependency,
    **dict.fromkeys(_BOUNDS, _bounds),
}


def _keyword_value(error: ValidationError) -> Any:
    """The value of the schema keyword that failed (``Any``: jsonschema types it loosely)."""
    return error.validator_value


# -- wording helpers ---------------------------------------------------------------------------


def _label(path: Sequence[str | int]) -> str:
    if not path:
        return "the document"
    last = path[-1]
    if isinstance(last, int):
        return f"'{path[-2]}[{last}]'" if len(path) > 1 else f"item {last}"
    return f"'{last}'"


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({_show(value)})"
    kind = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}
    name = kind.get(type(value), type(value).__name__)
    return name if isinstance(value, dict | list) else f"{name} ({_show(value)})"


def _show(value: Any, limit: int = 40) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def _plain(message: str, limit: int = 160) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "invalid"
    return first if len(first) <= limit else first[: limit - 1] + "…"
