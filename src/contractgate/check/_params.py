"""Path, query and header values as the provider will read them, checked against the spec.

A pact carries parameters as strings; the spec describes typed values serialised by
OpenAPI's ``style``/``explode`` rules. Each value is turned back into what the
provider sees (``simple`` and ``form`` styles, the delimited ones, ``label``,
``matrix`` and ``deepObject`` where cheap; numbers and booleans by the schema's type),
then validated with the spec's compiled validator.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, unquote

from .._openapi import Header, Operation, Parameter, Schema
from .._pact import Request
from ._describe import REQUEST, RESPONSE, Issue, Path, schema_issues
from ._matchers import regex_issues
from ._places import Places
from ._schema import ANY, SchemaContext, View

_DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}
# tabDelimited: Swagger 2.0's collectionFormat tsv, which OpenAPI 3 has no style for.
_SEPARATOR = {"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

# Request headers every HTTP client may send, which specs do not document.
STANDARD_REQUEST_HEADERS = frozenset(
    (
        "accept",
        "accept-charset",
        "accept-encoding",
        "accept-language",
        "authorization",
        "cache-control",
        "connection",
        "content-length",
        "content-type",
        "cookie",
        "date",
        "expect",
        "forwarded",
        "from",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "max-forwards",
        "origin",
        "pragma",
        "proxy-authorization",
        "range",
        "referer",
        "te",
        "traceparent",
        "tracestate",
        "upgrade",
        "user-agent",
        "via",
    )
)
# OpenAPI: header parameters with these names are ignored (other fields describe them).
_NOT_PARAMETERS = frozenset({"accept", "content-type", "authorization"})


def coerce(text: str, view: View) -> Any:
    """The typed value of one serialised scalar, by the types its schema allows."""
    types = view.types or frozenset()
    if "integer" in types and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in types and _NUMBER.fullmatch(text):
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    if "null" in types and text in ("", "null") and "string" not in types:
        return None
    return text


def read_value(
    ctx: SchemaContext,
    param: Parameter,
    values: list[str],
    query: dict[str, list[str]] | None = None,
) -> tuple[Any, set[str]]:
    """What the provider reads for ``param`` from the pact's raw strings.

    Returns the value and the query keys it used (an exploded object spreads its
    properties over several keys).
    """
    view = ctx.view([param.schema]) if param.schema else ANY
    types = view.types or frozenset()
    style = param.style or _DEFAULT_STYLE.get(param.location, "simple")
    explode = param.explode if param.explode is not None else style == "form"
    if param.location == "query" and "object" in types and query is not None:
        if style == "deepObject":
            prefix = f"{param.name}["
            keys = {k for k in query if k.startswith(prefix) and k.endswith("]")}
            return _object(ctx, view, {k[len(prefix) : -1]: query[k][0] for k in keys}), keys
        if explode and style == "form":
            keys = {k for k in query if k in view.properties}
            return _object(ctx, view, {k: query[k][0] for k in keys}), keys
    texts = [_unwrap(v, param.name, style) for v in values]
    if "array" in types and "string" not in types:
        return [coerce(p, ctx.item(view, 0)) for p in _split(texts, style, explode)], {param.name}
    if "object" in types and "string" not in types:
        return _object(ctx, view, _pairs(_split(texts, style, explode), explode)), {param.name}
    if len(texts) > 1:
        return [coerce(t, view) for t in texts], {param.name}
    return coerce(texts[0] if texts else "", view), {param.name}


def _unwrap(text: str, name: str, style: str) -> str:
    if style == "label":
        return text[1:] if text.startswith(".") else text
    if style == "matrix":
        parts = [p.partition("=")[2] for p in text.lstrip(";").split(";") if p]
        return ",".join(parts)
    return text


def _split(texts: list[str], style: str, explode: bool) -> list[str]:
    if style == "form" and explode:
        return texts
    separator = _SEPARATOR.get(style, "." if style == "label" and explode else ",")
    return [part.strip() for text in texts for part in text.split(separator) if text]


def _pairs(parts: list[str], explode: bool) -> dict[str, str]:
    if explode:
        return dict(p.partition("=")[::2] for p in parts)
    return dict(zip(parts[::2], parts[1::2], strict=False))


def _object(ctx: SchemaContext, view: View, raw: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, text in raw.items():
        child = ctx.child(view, key)
        out[key] = coerce(text, child or ANY)
    return out


def check_parameters(
    ctx: SchemaContext,
    op: Operation,
    path_values: dict[str, str],
    request: Request,
    places: Places,
    *,
    exempt: set[str],
) -> list[Issue]:
    """Path, query and header parameters of the pact's request against the operation's.

    ``exempt`` names query parameters and headers (lower case) the security check owns.
    """
    issues: list[Issue] = []
    for param in op.parameters_in("path"):
        raw = path_values.get(param.name)
        if raw is not None:
            value, _ = read_value(ctx, param, [unquote(raw)])
            issues += _validate(
                ctx,
                param,
                value,
                code="request.path.value",
                pointer=lambda _path: places.at("request", "path"),
            )
    consumed: set[str] = set()
    for param in op.parameters_in("query"):
        value, keys = read_value(ctx, param, request.query.get(param.name, []), request.query)
        present = keys & set(request.query)
        consumed |= present
        if not present:
            if param.required:
                issues.append(_missing(param, "query", places.query()))
            continue
        issues += _validate(
            ctx, param, value, code="request.query.value", pointer=_query_pointer(param, places)
        )
    for name in request.query:
        if name not in consumed and name not in exempt:
            issues.append(
                Issue(
                    "request.query.undocumented",
                    f"request query parameter {name}: the pact sends it, "
                    f"the spec does not document it for {op.key}",
                    places.query(name),
                    (ctx.spec.source, op.pointer),
                )
            )
    documented = {
        p.name.lower(): p
        for p in op.parameters_in("header")
        if p.name.lower() not in _NOT_PARAMETERS
    }
    for name, param in documented.items():
        text = request.header(name)
        if text is None:
            if param.required:
                issues.append(_missing(param, "header", places.header("request", name)))
            continue
        value, _ = read_value(ctx, param, [text])
        issues += _validate(
            ctx,
            param,
            value,
            code="request.header.value",
            pointer=places.header_pointer("request", name),
        )
    for name in request.headers:
        lowered = name.lower()
        if lowered not in documented and lowered not in STANDARD_REQUEST_HEADERS | exempt:
            issues.append(
                Issue(
                    "request.header.undocumented",
                    f"request header {name}: the pact sends it, "
                    f"the spec does not document it for {op.key}",
                    places.header("request", name),
                    (ctx.spec.source, op.pointer),
                )
            )
    return issues + _regex_issues(request, places)


def _regex_issues(request: Request, places: Places) -> list[Issue]:
    issues: list[Issue] = []
    query_rules, header_rules = request.rules_for("query"), request.rules_for("header")
    if query_rules:
        for name, texts in request.query.items():
            label = f"request query parameter {name}"
            pointer = partial(places.query, name)
            issues += regex_issues(query_rules.at((name,)), list(texts), label, pointer)
    if header_rules:
        for name, text in request.headers.items():
            label, pointer = f"request header {name}", partial(places.header, "request", name)
            issues += regex_issues(header_rules.at((name.lower(),)), [text], label, pointer)
    path_rules = request.rules_for("path")
    if path_rules:
        pointer = partial(places.at, "request", "path")
        issues += regex_issues(path_rules.at(()), [request.path], "request path", pointer)
    return issues


def _query_pointer(param: Parameter, places: Places) -> Callable[[Path], str]:
    """Where a query value stands; an object's properties may each have their own key."""
    if param.style == "deepObject":
        return lambda path: places.query(f"{param.name}[{path[0]}]" if path else param.name)
    if param.explode is not False and (param.style or "form") == "form":
        return lambda path: places.query(
            path[0] if path and isinstance(path[0], str) else param.name
        )
    return lambda _path: places.query(param.name)


def _missing(param: Parameter, location: str, pointer: str) -> Issue:
    return Issue(
        f"request.{location}.required",
        f"request {location} parameter {param.name}: the spec requires it, "
        "the pact does not send it",
        pointer,
        (param.schema.source, param.pointer) if param.schema else None,
    )


def _validate(
    ctx: SchemaContext,
    param: Parameter,
    value: Any,
    *,
    code: str,
    pointer: Callable[[Path], str],
    response: bool = False,
) -> list[Issue]:
    if param.schema is None:
        return []
    label = (
        f"response header {param.name}"
        if response
        else f"request {param.location} parameter {param.name}"
    )
    # readOnly/writeOnly speak of object properties; a parameter schema may reuse one.
    errors = [
        e
        for e in ctx.errors(param.schema, value, response=response)
        if e.validator not in ("readOnly", "writeOnly")
    ]
    return schema_issues(
        ctx,
        param.schema,
        errors,
        voice=RESPONSE if response else REQUEST,
        label=label,
        pointer=pointer,
        code=code,
    )


def header_issues(
    ctx: SchemaContext, header: Header, text: str, pointer: Callable[[Path], str]
) -> list[Issue]:
    """A response header's value (``simple`` style) against its schema."""
    param = Parameter(header.name, "header", header.required, header.schema, header.pointer)
    value, _ = read_value(ctx, param, [text])
    return _validate(
        ctx, param, value, code="response.header.value", pointer=pointer, response=True
    )


def form_fields(ctx: SchemaContext, schema: Schema, text: str) -> dict[str, Any]:
    """An ``application/x-www-form-urlencoded`` body as the object its schema describes."""
    view = ctx.view([schema])
    return _object(ctx, view, dict(parse_qsl(text, keep_blank_values=True)))


def multipart_fields(
    ctx: SchemaContext, schema: Schema, body: str | bytes, content_type: str
) -> dict[str, Any] | str | bytes:
    """A ``multipart/form-data`` body as the object its schema describes (the body as it
    is when it has no parts: no boundary, or not multipart at all)."""
    raw = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + raw)
    if not message.is_multipart():
        return body
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            fields[name] = data.decode("utf-8", "replace")
    return _object(ctx, ctx.view([schema]), fields)
