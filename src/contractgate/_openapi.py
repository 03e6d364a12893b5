"""The provider's promise: an OpenAPI (or Swagger 2.0) document as an operation model.

:func:`load_spec` parses a spec once; :class:`Spec` then answers, for the whole
command, which operation a request path belongs to (a segment trie, so lookup cost
does not grow with the number of operations) and validates values against the
spec's schemas with one cached validator per schema. ``$ref`` is never inlined: the
documents are registered with :mod:`referencing`, so circular references cost
nothing and pointers in messages stay the user's own.

Swagger 2.0 documents are read into the same model (``body`` and ``formData``
parameters become a request body, ``produces``/``consumes`` media types,
``collectionFormat`` a parameter style, ``x-nullable`` nullability), keeping their
original pointers, so every message still points into the user's file. A schema
Swagger 2.0 spreads over a parameter or header object is gathered into a *synthetic*
:class:`Schema` (validated as it is, never looked up by its pointer).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import referencing
import referencing.jsonschema
from jsonschema import validators
from jsonschema.protocols import Validator
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)

from ._documents import Document, json_pointer, load_document, split_pointer
from ._errors import InputError
from ._formats import with_formats

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_MISSING = object()
# Swagger 2.0 keeps these schema keywords on a non-body parameter, a header or items.
_SWAGGER_SCHEMA_KEYS = (
    "type", "format", "items", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
    "multipleOf", "default", "x-nullable",
)  # fmt: skip
# Swagger 2.0 collectionFormat as the OpenAPI 3 (style, explode) that reads the same text;
# tab-separated values have no OpenAPI 3 style, so they get a name of their own.
_COLLECTION_FORMATS = {
    "csv": ("form", False),
    "ssv": ("spaceDelimited", False),
    "tsv": ("tabDelimited", False),
    "pipes": ("pipeDelimited", False),
    "multi": ("form", True),
}


_extend: Any = validators.extend  # untyped in the stubs


def _nullable(keyword: Any, flags: tuple[str, ...]) -> Any:
    """``keyword`` of a validator, that lets ``null`` through where a flag says nullable.

    OpenAPI 3.0.3 reads ``nullable`` only beside a ``type``, but specs write
    ``nullable: true`` beside ``allOf``/``oneOf``/``anyOf``/``$ref`` to mean "this, or
    null" (GitHub's does, hundreds of times), and so do the tools that read them.
    """

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if instance is None and any(schema.get(flag) is True for flag in flags):
            return
        yield from keyword(validator, value, instance, schema)

    return check


_COMPOSED = ("allOf", "anyOf", "oneOf", "$ref")


def _oas30(cls: Any, flags: tuple[str, ...] = ("nullable",)) -> Any:
    """An OpenAPI 3.0 validator class where ``flags`` make any schema nullable.

    Swagger 2.0 also has ``x-nullable`` and ``type: file`` (any value).
    """
    keywords = {k: _nullable(cls.VALIDATORS[k], flags) for k in ("type", *_COMPOSED)}
    checker = cls.TYPE_CHECKER.redefine("file", lambda _checker, _instance: True)
    return _extend(cls, keywords, type_checker=checker)


_OAS30_FORMATS = with_formats(oas30_format_checker)
_OAS31_FORMATS = with_formats(oas31_format_checker)
_OAS30_READ = _oas30(OAS30ReadValidator)
_OAS30_WRITE = _oas30(OAS30WriteValidator)
_SWAGGER_READ = _oas30(OAS30ReadValidator, ("nullable", "x-nullable"))
_SWAGGER_WRITE = _oas30(OAS30WriteValidator, ("nullable", "x-nullable"))
# OpenAPI 3.1 keeps 3.0's rule that readOnly fields are not sent and writeOnly ones not
# returned (JSON Schema 2020-12 only annotates them): the 3.0 keywords enforce it.
_OAS31_READ = _extend(
    OAS31Validator, {k: OAS30ReadValidator.VALIDATORS[k] for k in ("required", "writeOnly")}
)
_OAS31_WRITE = _extend(
    OAS31Validator, {k: OAS30WriteValidator.VALIDATORS[k] for k in ("required", "readOnly")}
)


@dataclass(frozen=True)
class Schema:
    """A schema node of the spec and where it stands (``source`` file and JSON pointer).

    A ``synthetic`` schema was gathered from the keywords of a Swagger 2.0 parameter or
    header: ``pointer`` names that object, not a schema, and ``node`` holds no ``$ref``.
    """

    node: Any
    source: str
    pointer: str
    synthetic: bool = False


@dataclass(frozen=True)
class Parameter:
    """An operation parameter (path, query, header or cookie)."""

    name: str
    location: str
    required: bool
    schema: Schema | None
    pointer: str
    style: str | None = None
    explode: bool | None = None
    example: Any = _MISSING


@dataclass(frozen=True)
class MediaType:
    """One media type of a request or response body."""

    media_type: str
    schema: Schema | None
    pointer: str
    examples: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Header:
    """A documented response header."""

    name: str
    required: bool
    schema: Schema | None
    pointer: str


@dataclass(frozen=True)
class RequestBody:
    """An operation's request body."""

    required: bool
    content: dict[str, MediaType]
    pointer: str


@dataclass(frozen=True)
class Response:
    """A documented response of an operation, by status key (``200``, ``4XX``, ``default``)."""

    status: str
    description: str
    headers: dict[str, Header]
    content: dict[str, MediaType]
    pointer: str


@dataclass(frozen=True)
class Operation:
    """One method on one path template.

    ``produces``: the media types its responses may have (Swagger 2.0's ``produces``;
    in OpenAPI 3, every response's content types).
    """

    method: str
    path: str
    pointer: str
    operation_id: str | None
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: dict[str, Response]
    security: tuple[dict[str, list[str]], ...]
    produces: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """``GET /users/{id}``: how reports name the operation."""
        return f"{self.method} {self.path}"

    def response_for(self, status: int) -> Response | None:
        """The documented response for ``status``: exact, then ``4XX`` style, then default."""
        return (
            self.responses.get(str(status))
            or self.responses.get(f"{str(status)[0]}XX")
            or self.responses.get("default")
        )

    def parameters_in(self, location: str) -> list[Parameter]:
        """The parameters of one location (``path``, ``query``, ``header``, ``cookie``)."""
        return [p for p in self.parameters if p.location == location]


@dataclass(frozen=True)
class Route:
    """The result of routing a concrete path: the path template's operations and path values."""

    path: str
    operations: Mapping[str, Operation]
    path_params: dict[str, str]


@dataclass
class _TrieNode:
    literal: dict[str, _TrieNode] = field(default_factory=dict)
    patterned: list[tuple[re.Pattern[str], tuple[str, ...], _TrieNode]] = field(
        default_factory=list
    )
    param: tuple[str, _TrieNode] | None = None
    operations: dict[str, Operation] | None = None
    template: str = ""


_PARAM = re.compile(r"\{([^{}/]+)\}")


class _Router:
    """Path templates in a segment trie: literal segments first, then templated ones."""

    def __init__(self) -> None:
        self._root = _TrieNode()

    def add(self, template: str, operations: dict[str, Operation]) -> None:
        node = self._root
        for segment in _segments(template):
            whole = _PARAM.fullmatch(segment)
            if whole:
                if node.param is None:
                    node.param = (whole.group(1), _TrieNode())
                node = node.param[1]
            elif "{" in segment:
                names = tuple(_PARAM.findall(segment))
                regex = re.compile(
                    "".join(
                        "([^/]+?)" if i % 2 else re.escape(part)
                        for i, part in enumerate(_PARAM.split(segment))
                    )
                    + "$"
                )
                for pattern, _, child in node.patterned:
                    if pattern.pattern == regex.pattern:
                        node = child
                        break
                else:
                    child = _TrieNode()
                    node.patterned.append((regex, names, child))
                    node = child
            else:
                node = node.literal.setdefault(segment, _TrieNode())
        node.operations = {**(node.operations or {}), **operations}
        node.template = template

    def find(self, path: str) -> Route | None:
        return self._find(self._root, _segments(path), 0, {})

    def _find(
        self, node: _TrieNode, segments: list[str], index: int, values: dict[str, str]
    ) -> Route | None:
        if index == len(segments):
            if node.operations is not None:
                return Route(node.template, node.operations, dict(values))
            return None
        segment = segments[index]
        child = node.literal.get(segment)
        if child is not None:
            found = self._find(child, segments, index + 1, values)
            if found:
                return found
        for regex, names, child in node.patterned:
            m = regex.match(segment)
            if m:
                found = self._find(
                    child,
                    segments,
                    index + 1,
                    {**values, **dict(zip(names, m.groups(), strict=True))},
                )
                if found:
                    return found
        if node.param is not None and segment:
            name, child = node.param
            return self._find(child, segments, index + 1, {**values, name: segment})
        return None


def _segments(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


class Spec:
    """A loaded spec: its documents, operations, base paths and schema validators."""

    def __init__(self, document: Document, loader: _RefLoader) -> None:
        self.document = document
        self.source = document.source
        self._loader = loader
        data = document.data
        self.version = _version(document)
        self.title = str((data.get("info") or {}).get("title") or Path(self.source).stem)
        self.base_paths = _base_paths(data, self.version)
        self.security_schemes: dict[str, Any] = (
            data.get("securityDefinitions", {})
            if self.version == "2.0"
            else (data.get("components") or {}).get("securitySchemes", {})
        ) or {}
        self.operations: list[Operation] = []
        self._router = _Router()
        self._validators: dict[tuple[int, bool], Validator] = {}
        self._registry: referencing.Registry[Any] | None = None
        self._read_paths()

    # -- routing -------------------------------------------------------------------------

    def route(self, path: str) -> Route | None:
        """The path template (and its operations) a concrete request path belongs to.

        The spec's base paths (``servers`` URLs, Swagger's ``basePath``) are stripped
        first, the longest first; ``None`` when no template matches.
        """
        path = path.split("?", 1)[0] or "/"
        for base in self.base_paths:
            if base and not (path == base or path.startswith(base + "/")):
                continue
            found = self._router.find(path[len(base) :] or "/")
            if found:
                return found
        return None

    def operation(self, method: str, path_template: str) -> Operation | None:
        """The operation with this method and path template, if documented."""
        for op in self.operations:
            if op.method == method.upper() and op.path == path_template:
                return op
        return None

    # -- references and schemas ------------------------------------------------------------

    def resolve(self, node: Any, pointer: str, source: str | None = None) -> tuple[Any, str, str]:
        """Follow ``$ref`` chains from ``node``: ``(target, its pointer, its source file)``."""
        source = source or self.source
        seen: set[tuple[str, str]] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            doc, target = self._loader.target(source, node["$ref"], pointer)
            if (doc.source, target) in seen:
                raise InputError(
                    f"$ref cycle: {node['$ref']!r} refers back to itself",
                    source=source,
                    place=self._loader.document(source).place(pointer),
                    hint="point the $ref at a definition, not at another bare $ref",
                )
            seen.add((doc.source, target))
            node, pointer, source = _at(doc, target), target, doc.source
        return node, pointer, source

    def document_of(self, source: str) -> Document:
        """The spec's document ``source`` (the root file or one a ``$ref`` reached)."""
        return self._loader.document(source)

    def schema_at(self, node: Any, pointer: str, source: str | None = None) -> Schema | None:
        """A :class:`Schema` for a schema node (``None`` when there is none)."""
        if node is None:
            return None
        return Schema(node, source or self.source, pointer)

    def validator(self, schema: Schema, *, response: bool = True) -> Validator:
        """A compiled validator for ``schema``, built once and reused for the whole command.

        ``response`` selects OpenAPI's read/write view (``readOnly`` properties belong in
        responses, ``writeOnly`` in requests), in every version.
        """
        key = (id(schema.node), response)
        cached = self._validators.get(key)
        if cached is not None:
            return cached
        uri = self._loader.uri(schema.source)
        root = schema.node if schema.synthetic else {"$ref": f"{uri}#{schema.pointer}"}
        if self.version == "3.1":
            cls31 = _OAS31_READ if response else _OAS31_WRITE
            validator: Validator = cls31(
                root, registry=self.registry(), format_checker=_OAS31_FORMATS
            )
        else:
            if self.version == "2.0":
                cls = _SWAGGER_READ if response else _SWAGGER_WRITE
            else:
                cls = _OAS30_READ if response else _OAS30_WRITE
            validator = cls(root, registry=self.registry(), format_checker=_OAS30_FORMATS)
        self._validators[key] = validator
        return validator

    def registry(self) -> referencing.Registry[Any]:
        """Every document of the spec, by file URI, for ``$ref`` resolution during validation."""
        if self._registry is None:
            spec = (
                referencing.jsonschema.DRAFT202012
                if self.version == "3.1"
                else referencing.jsonschema.DRAFT4
            )
            self._registry = referencing.Registry().with_resources(
                (self._loader.uri(doc.source), spec.create_resource(doc.data))
                for doc in self._loader.documents()
            )
        return self._registry

    # -- reading ---------------------------------------------------------------------------

    def _read_paths(self) -> None:
        data = self.document.data
        paths = data.get("paths")
        if paths is None:
            paths = {}
        if not isinstance(paths, dict):
            raise self.document.error("'paths' must be an object of path templates", "/paths")
        global_security = data.get("security") or []
        for template, item in paths.items():
            if isinstance(template, str) and template.startswith("x-"):
                continue  # a specification extension, not a path
            item_pointer = json_pointer(("paths", template))
            if not isinstance(template, str) or not template.startswith("/"):
                raise self.document.error(
                    f"path {template!r} must start with '/'", item_pointer, hint="e.g. /users/{id}"
                )
            item, item_pointer, item_source = self.resolve(item, item_pointer)
            if not isinstance(item, dict):
                raise self.document.error(f"path item {template!r} must be an object", item_pointer)
            shared = self._parameters(
                item.get("parameters"), item_pointer + "/parameters", item_source
            )
            by_method: dict[str, Operation] = {}
            for method in METHODS:
                raw = item.get(method)
                if raw is None:
                    continue
                op_pointer = f"{item_pointer}/{method}"
                if not isinstance(raw, dict):
                    raise self.document.error(
                        f"operation {method.upper()} {template} must be an object", op_pointer
                    )
                own = self._parameters(
                    raw.get("parameters"), op_pointer + "/parameters", item_source
                )
                merged = {(p.name, p.location): p for p in shared}
                merged.update({(p.name, p.location): p for p in own})
                parameters = tuple(merged.values())
                if self.version == "2.0":
                    body = self._swagger_body(raw, parameters, op_pointer)
                    parameters = tuple(
                        p for p in parameters if p.location not in ("body", "formData")
                    )
                else:
                    body = self._request_body(
                        raw.get("requestBody"), op_pointer + "/requestBody", item_source
                    )
                security = raw.get("security", global_security) or []
                responses = self._responses(raw, op_pointer, item_source)
                if self.version == "2.0":  # what it states, with or without a response body
                    produces = raw.get("produces") or self.document.data.get("produces") or []
                else:
                    produces = [m for r in responses.values() for m in r.content]
                op = Operation(
                    method=method.upper(),
                    path=template,
                    pointer=op_pointer,
                    operation_id=raw.get("operationId"),
                    parameters=parameters,
                    request_body=body,
                    responses=responses,
                    security=tuple(s for s in security if isinstance(s, dict)),
                    produces=tuple(dict.fromkeys(str(m) for m in produces)),
                )
                by_method[op.method] = op
                self.operations.append(op)
            self._router.add(template, by_method)

    def _parameters(self, raw: Any, pointer: str, source: str) -> list[Parameter]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise self.document.error("'parameters' must be a list", pointer)
        out = []
        for index, entry in enumerate(raw):
            node, p_pointer, p_source = self.resolve(entry, f"{pointer}/{index}", source)
            if not isinstance(node, dict) or "name" not in node or "in" not in node:
                raise self.document.error("a parameter needs 'name' and 'in'", p_pointer)
            location = str(node["in"])
            if "schema" in node:
                schema = self.schema_at(node["schema"], p_pointer + "/schema", p_source)
            elif "content" in node and isinstance(node["content"], dict) and node["content"]:
                media, media_node = next(iter(node["content"].items()))
                schema = self.schema_at(
                    (media_node or {}).get("schema"),
                    json_pointer((*split_pointer(p_pointer), "content", media, "schema")),
                    p_source,
                )
            elif self.version == "2.0" and location != "body":
                schema = _swagger_schema(node, p_source, p_pointer)
            else:
                schema = None
            style, explode = node.get("style"), node.get("explode")
            if self.version == "2.0" and node.get("type") == "array":
                fmt = node.get("collectionFormat", "csv")
                style, explode = _COLLECTION_FORMATS.get(fmt, _COLLECTION_FORMATS["csv"])
                if location in ("path", "header") and style == "form":
                    style = "simple"
            out.append(
                Parameter(
                    name=str(node["name"]),
                    location=location,
                    required=bool(node.get("required", location == "path")),
                    schema=schema,
                    pointer=p_pointer,
                    style=style,
                    explode=explode,
                    example=node.get("example", node.get("x-example", _MISSING)),
                )
            )
        return out

    def _media_types(self, raw: Any, pointer: str, source: str) -> dict[str, MediaType]:
        if not isinstance(raw, dict):
            return {}
        out = {}
        for media, node in raw.items():
            m_pointer = json_pointer((*split_pointer(pointer), media))
            node = node or {}
            examples: list[Any] = []
            if "example" in node:
                examples.append(node["example"])
            for name, example in (node.get("examples") or {}).items():
                target, _, _ = self.resolve(example, f"{m_pointer}/examples/{name}", source)
                if isinstance(target, dict) and "value" in target:
                    examples.append(target["value"])
            out[media] = MediaType(
                media_type=media,
                schema=self.schema_at(node.get("schema"), m_pointer + "/schema", source),
                pointer=m_pointer,
                examples=tuple(examples),
            )
        return out

    def _request_body(self, raw: Any, pointer: str, source: str) -> RequestBody | None:
        if raw is None:
            return None
        node, pointer, source = self.resolve(raw, pointer, source)
        if not isinstance(node, dict):
            raise self.document.error("'requestBody' must be an object", pointer)
        return RequestBody(
            required=bool(node.get("required", False)),
            content=self._media_types(node.get("content"), pointer + "/content", source),
            pointer=pointer,
        )

    def _swagger_body(
        self, raw: dict[str, Any], params: tuple[Parameter, ...], pointer: str
    ) -> RequestBody | None:
        consumes = raw.get("consumes") or self.document.data.get("consumes") or ["application/json"]
        body = next((p for p in params if p.location == "body"), None)
        form = [p for p in params if p.location == "formData"]
        if body is not None:
            return RequestBody(
                required=body.required,
                content={media: MediaType(media, body.schema, body.pointer) for media in consumes},
                pointer=body.pointer,
            )
        if form:
            schema_node = {
                "type": "object",
                "properties": {p.name: (p.schema.node if p.schema else {}) for p in form},
                "required": [p.name for p in form if p.required],
            }
            schema = Schema(schema_node, self.source, pointer + "/parameters", synthetic=True)
            medias = [m for m in consumes if "form" in m] or ["application/x-www-form-urlencoded"]
            return RequestBody(
                required=any(p.required for p in form),
                content={m: MediaType(m, schema, pointer + "/parameters") for m in medias},
                pointer=pointer + "/parameters",
            )
        return None

    def _responses(self, raw: dict[str, Any], op_pointer: str, source: str) -> dict[str, Response]:
        responses = raw.get("responses") or {}
        if not isinstance(responses, dict):
            raise self.document.error("'responses' must be an object", op_pointer + "/responses")
        produces = raw.get("produces") or self.document.data.get("produces") or ["application/json"]
        out = {}
        for status, entry in responses.items():
            status = "default" if str(status).lower() == "default" else str(status).upper()
            r_pointer = json_pointer((*split_pointer(op_pointer), "responses", status))
            node, r_pointer, r_source = self.resolve(entry, r_pointer, source)
            if not isinstance(node, dict):
                raise self.document.error(f"response {status} must be an object", r_pointer)
            headers = {}
            for name, h in (node.get("headers") or {}).items():
                h_pointer = json_pointer((*split_pointer(r_pointer), "headers", name))
                h_node, h_pointer, h_source = self.resolve(h, h_pointer, r_source)
                h_node = h_node if isinstance(h_node, dict) else {}
                if self.version == "2.0":
                    schema = _swagger_schema(h_node, h_source, h_pointer)
                else:
                    schema = self.schema_at(h_node.get("schema"), h_pointer + "/schema", h_source)
                headers[name.lower()] = Header(
                    name=name,
                    required=bool(h_node.get("required", False)),
                    schema=schema,
                    pointer=h_pointer,
                )
            if self.version == "2.0":
                content = {}
                if "schema" in node:
                    schema = self.schema_at(node["schema"], r_pointer + "/schema", r_source)
                    examples = node.get("examples") or {}
                    for media in produces:
                        ex = (examples[media],) if media in examples else ()
                        content[media] = MediaType(media, schema, r_pointer, ex)
            else:
                content = self._media_types(node.get("content"), r_pointer + "/content", r_source)
            out[status] = Response(
                status=status,
                description=str(node.get("description", "")),
                headers=headers,
                content=content,
                pointer=r_pointer,
            )
        return out


def _swagger_schema(node: dict[str, Any], source: str, pointer: str) -> Schema | None:
    """The schema a Swagger 2.0 parameter or header states with its own keywords."""
    inline = {k: node[k] for k in _SWAGGER_SCHEMA_KEYS if k in node}
    return Schema(inline, source, pointer, synthetic=True) if inline else None


def _at(doc: Document, pointer: str) -> Any:
    node: Any = doc.data
    for part in split_pointer(pointer):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(pointer)
    return node


class _RefLoader:
    """The spec's documents: the root file and every file a ``$ref`` reaches, each read once."""

    def __init__(self, root: Document) -> None:
        self._docs: dict[str, Document] = {root.source: root}
        self._paths: dict[str, Path] = {root.source: Path(root.source).resolve()}

    def document(self, source: str) -> Document:
        return self._docs[source]

    def documents(self) -> Iterator[Document]:
        self._load_all()
        return iter(list(self._docs.values()))

    def uri(self, source: str) -> str:
        return self._paths[source].as_uri()

    def target(self, source: str, ref: str, pointer: str) -> tuple[Document, str]:
        """The document and pointer a ``$ref`` found at ``source``/``pointer`` names."""
        doc = self._docs[source]
        file_part, _, fragment = ref.partition("#")
        if file_part:
            if urlsplit(file_part).scheme in ("http", "https"):
                raise doc.error(
                    f"$ref {ref!r} points at a URL",
                    pointer,
                    hint="download the file and refer to it by a relative path",
                )
            target_path = (self._paths[source].parent / file_part).resolve()
            doc = self._load(target_path, source, pointer, ref)
        try:
            _at(doc, fragment)
        except KeyError:
            raise self._docs[source].error(
                f"$ref {ref!r} does not resolve: {doc.source} has nothing at {fragment or '/'}",
                pointer,
                hint="fix the reference or add the definition",
            ) from None
        return doc, fragment

    def _load(self, path: Path, source: str, pointer: str, ref: str) -> Document:
        for known, known_path in self._paths.items():
            if known_path == path:
                return self._docs[known]
        if not path.is_file():
            raise self._docs[source].error(
                f"$ref {ref!r} names a file that does not exist ({path})",
                pointer,
                hint="refer to files relative to the spec that refers to them",
            )
        doc = load_document(path)
        self._docs[doc.source] = doc
        self._paths[doc.source] = path
        return doc

    def _load_all(self) -> None:
        """Read every file reachable by ``$ref`` (needed before validating anything)."""
        pending = list(self._docs)
        while pending:
            source = pending.pop()
            for pointer, ref in _refs(self._docs[source].data):
                file_part = ref.partition("#")[0]
                if file_part and urlsplit(file_part).scheme not in ("http", "https"):
                    before = set(self._docs)
                    self.target(source, ref, pointer)
                    pending.extend(set(self._docs) - before)


def _refs(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str, str]]:
    stack: list[tuple[tuple[str | int, ...], Any]] = [(path, data)]
    while stack:
        here, node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield json_pointer(here), ref
            stack.extend(((*here, k), v) for k, v in node.items() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(((*here, i), v) for i, v in enumerate(node) if isinstance(v, dict | list))


def _version(doc: Document) -> str:
    data = doc.data
    if "openapi" in data:
        raw = str(data["openapi"])
        for version in ("3.0", "3.1"):
            if raw == version or raw.startswith(version + "."):
                return version
        raise doc.error(
            f"OpenAPI version {raw!r} is not supported", "/openapi", hint="use 2.0, 3.0.x or 3.1.x"
        )
    if "swagger" in data:
        if str(data["swagger"]) == "2.0":
            return "2.0"
        raise doc.error(
            f"Swagger version {data['swagger']!r} is not supported", "/swagger", hint="use 2.0"
        )
    raise doc.error(
        "not an OpenAPI document: it has no 'openapi' or 'swagger' field",
        "",
        hint="a spec starts with 'openapi: 3.1.0' (or 3.0.x, or 'swagger: \"2.0\"')",
    )


def _base_paths(data: dict[str, Any], version: str) -> list[str]:
    if version == "2.0":
        bases = [str(data.get("basePath") or "")]
    else:
        bases = []
        for server in data.get("servers") or [{"url": "/"}]:
            if not isinstance(server, dict):
                continue
            url = str(server.get("url", "/"))
            for name, var in (server.get("variables") or {}).items():
                default = var.get("default", "") if isinstance(var, dict) else ""
                url = url.replace("{" + name + "}", str(default))
            bases.append(urlsplit(url).path if "://" in url else url)
    cleaned = {("/" + b.strip("/")) if b.strip("/") else "" for b in bases}
    return sorted(cleaned, key=len, reverse=True) or [""]


def load_spec(path: str | Path) -> Spec:
    """Load an OpenAPI 3.0/3.1 or Swagger 2.0 document (YAML or JSON) into a :class:`Spec`."""
    document = load_document(path)
    return Spec(document, _RefLoader(document))
