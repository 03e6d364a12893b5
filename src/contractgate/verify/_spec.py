"""Checking real responses against the provider's OpenAPI spec, with openapi-core.

Pacts cover what one consumer looks at; the spec is the whole promise. Each response
the verifier got is validated here (status documented, content type documented,
headers and body matching their schemas), which catches drift the pacts do not
cover. openapi-core finds the problems; this module turns them into
:class:`SpecViolation` entries with the JSON path of the value and, from contractgate's
own spec model, the place in the spec of the rule that was broken.

openapi-core reads OpenAPI 3 only. A Swagger 2.0 spec is checked by contractgate's
own ``check`` engine instead: the recorded exchange becomes a one-interaction pact
with no matchers (every value literal), and the response findings are kept.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import Headers, ImmutableMultiDict

from .._documents import Document, json_pointer, split_pointer
from .._openapi import Operation, Schema, Spec
from .._pact import read_pact
from ..check._interaction import check_interaction
from ..check._results import Location
from ..check._schema import SchemaContext
from ._proxy import Recorded
from ._results import SpecViolation


@dataclass
class _Request:
    """A recorded request, as openapi-core's ``Request`` protocol wants it."""

    host_url: str
    path: str
    method: str
    content_type: str
    body: bytes | None
    parameters: Any = field(default=None)


@dataclass
class _Response:
    """A recorded response, as openapi-core's ``Response`` protocol wants it."""

    status_code: int
    content_type: str
    headers: Headers
    data: bytes


class ResponseChecker:
    """Validates recorded responses against one spec (built once, used for every response)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        if spec.version == "2.0":
            self._context = SchemaContext(spec)
            return
        from openapi_core import Config, OpenAPI

        json_types = {
            media
            for op in spec.operations
            for response in op.responses.values()
            for media in response.content
            if media.endswith("+json")
        }
        config = Config(
            spec_validator_cls=None,  # type: ignore[arg-type]  # lint checks the spec
            extra_media_type_deserializers=dict.fromkeys(json_types, json.loads),
        )
        self._openapi = OpenAPI.from_dict(
            _relative_servers(copy.deepcopy(spec.document.data)),
            base_uri=Path(spec.source).resolve().as_uri(),
            config=config,
        )

    def check(self, record: Recorded, base_url: str) -> list[SpecViolation]:
        """Every way the recorded response breaks the spec (empty when it keeps it)."""
        if record.status is None:
            return []
        if self.spec.version == "2.0":
            return _model_violations(self._context, record, base_url)
        target = urlsplit(record.target)
        base_path = urlsplit(base_url).path.rstrip("/")
        path = target.path[len(base_path) :] if target.path.startswith(base_path) else target.path
        request_headers = Headers(record.request_headers)
        request = _Request(
            host_url=base_url.rstrip("/"),
            path=path or "/",
            method=record.method.lower(),
            content_type=request_headers.get("Content-Type", ""),
            body=record.request_body or None,
        )
        from openapi_core.datatypes import RequestParameters

        request.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(target.query, keep_blank_values=True)),
            header=request_headers,
        )
        response_headers = Headers(record.response_headers)
        response = _Response(
            status_code=record.status,
            content_type=response_headers.get("Content-Type", ""),
            headers=response_headers,
            data=record.response_body,
        )
        route = self.spec.route(path)
        operation = route.operations.get(record.method.upper()) if route else None
        errors = self._openapi.iter_response_errors(request, response)
        return list(_violations(errors, self.spec, operation, record))


def _relative_servers(data: dict[str, Any]) -> dict[str, Any]:
    """The document with every server URL cut to its path.

    The provider under test answers on its own host, not on the production host the
    spec names (``https://api.example.com/v1``); only the base path has to match.
    """
    holders = [data, *(data.get("paths") or {}).values()]
    holders += [
        op
        for item in (data.get("paths") or {}).values()
        if isinstance(item, dict)
        for op in item.values()
    ]
    for holder in holders:
        servers = holder.get("servers") if isinstance(holder, dict) else None
        for server in servers if isinstance(servers, list) else ():
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                server["url"] = _server_path(server)
    return data


def _server_path(server: dict[str, Any]) -> str:
    url = str(server["url"])
    for name, variable in (server.get("variables") or {}).items():
        if isinstance(variable, dict) and "default" in variable:
            url = url.replace("{" + name + "}", str(variable["default"]))
    parts = urlsplit(url)
    return parts.path if parts.scheme or parts.netloc else url


def _model_violations(
    context: SchemaContext, record: Recorded, base_url: str
) -> list[SpecViolation]:
    """A Swagger 2.0 response checked by the ``check`` engine (see the module doc)."""
    target = urlsplit(record.target)
    base_path = urlsplit(base_url).path.rstrip("/")
    path = target.path[len(base_path) :] if target.path.startswith(base_path) else target.path
    response_body = record.response_body.decode("utf-8", errors="replace")
    interaction = {
        "description": f"{record.method} {record.target}",
        "request": {
            "method": record.method.upper(),
            "path": path or "/",
            "query": target.query,
            "headers": dict(record.request_headers),
        },
        "response": {
            "status": record.status,
            "headers": dict(record.response_headers),
            **({"body": _parsed(response_body)} if response_body else {}),
        },
    }
    data = {
        "consumer": {"name": "recorded"},
        "provider": {"name": "provider"},
        "interactions": [interaction],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }
    text = json.dumps(data)
    pact = read_pact(Document(source="<recorded response>", data=data, text=text, format="json"))
    checked = check_interaction(context, pact, pact.interactions[0])
    violations = []
    for finding in checked.result.findings:
        if finding.code in ("request.path.unknown", "request.method.unknown"):
            part = "operation"
        elif finding.code in _NOT_VIOLATIONS or (
            finding.severity == "warning" and finding.code != "response.header.missing"
        ):
            continue
        elif finding.code.startswith("response.header."):
            part = f"header {split_pointer(finding.pact.pointer)[-1]}"
        elif finding.code.startswith("response."):
            part = _PARTS.get(finding.code.split(".")[1], "response")
        else:
            continue  # the request side is the pact's business, checked by `check`
        pointer = finding.pact.pointer
        body_at = "/interactions/0/response/body"
        violations.append(
            SpecViolation(
                part,
                finding.message.replace("the pact expects", "the provider answered"),
                path=_json_path(
                    [int(p) if p.isdigit() else p for p in split_pointer(pointer[len(body_at) :])]
                )
                if pointer.startswith(body_at)
                else "",
                spec=_shown(finding.spec),
            )
        )
    return violations


def _shown(place: Location | None) -> str | None:
    if place is None:
        return None
    at = f":{place.line}:{place.column}" if place.line else ""
    return f"{_display(place.source)}{at} (at {place.pointer or '/'})"


# A real server sends headers no spec lists (Date, Server...): not drift.
_NOT_VIOLATIONS = frozenset({"response.header.undocumented", "response.header.standard"})
_PARTS = {"status": "status", "content-type": "content-type", "body": "body"}


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _violations(
    errors: Iterable[Exception], spec: Spec, operation: Operation | None, record: Recorded
) -> Iterator[SpecViolation]:
    from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
    from openapi_core.templating.paths.exceptions import PathError
    from openapi_core.templating.responses.exceptions import ResponseNotFound
    from openapi_core.validation.response.exceptions import (
        DataValidationError,
        HeaderValidationError,
        MissingHeaderError,
    )
    from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

    status = record.status or 0
    documented = operation.response_for(status) if operation else None
    for error in errors:
        cause = error.__cause__
        if isinstance(error, PathError):
            yield SpecViolation(
                "operation", f"the spec documents no operation {record.method} {record.target}"
            )
        elif isinstance(error, ResponseNotFound):
            known = ", ".join(error.availableresponses)
            yield SpecViolation(
                "status", f"status {status} is not documented (documented: {known})"
            )
        elif isinstance(error, MissingHeaderError):
            yield SpecViolation(f"header {error.name}", "required header is missing")
        elif isinstance(error, HeaderValidationError) and isinstance(cause, InvalidSchemaValue):
            header = documented.headers.get(error.name.lower()) if documented else None
            schema = header.schema if header else None
            for problem in cause.schema_errors:
                yield _schema_violation(f"header {error.name}", problem, spec, schema)
        elif isinstance(error, DataValidationError) and isinstance(cause, MediaTypeNotFound):
            known = ", ".join(cause.availableMimetypes)
            shown = cause.mimetype or "(none)"
            yield SpecViolation(
                "content-type", f"content type {shown} is not documented (documented: {known})"
            )
        elif isinstance(error, DataValidationError) and isinstance(cause, InvalidSchemaValue):
            schema = _body_schema(documented, record.header("content-type"))
            for problem in cause.schema_errors:
                yield _schema_violation("body", problem, spec, schema)
        else:
            detail = f": {cause}" if cause is not None else ""
            yield SpecViolation(
                "body" if isinstance(error, DataValidationError) else "response", f"{error}{detail}"
            )


def _body_schema(documented: Any, content_type: str | None) -> Schema | None:
    if documented is None:
        return None
    media = (content_type or "").split(";", 1)[0].strip().lower()
    entry = documented.content.get(media) or next(iter(documented.content.values()), None)
    return entry.schema if entry is not None else None


def _schema_violation(
    part: str, problem: Exception, spec: Spec, schema: Schema | None
) -> SpecViolation:
    path = list(getattr(problem, "absolute_path", ()))
    message = str(getattr(problem, "message", problem))
    keyword_path = list(getattr(problem, "relative_schema_path", ()))
    place = _spec_place(spec, schema, keyword_path) if schema is not None else None
    return SpecViolation(part, message, path=_json_path(path), spec=place)


def _json_path(parts: list[Any]) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _spec_place(spec: Spec, schema: Schema, keyword_path: list[Any]) -> str | None:
    """``file:line:col (at /pointer)`` of the schema keyword that rejected the value."""
    try:
        node, pointer, source = spec.resolve(schema.node, schema.pointer, schema.source)
        for part in keyword_path:
            if part == "$ref":
                continue
            node = node[part]
            pointer = json_pointer((*split_pointer(pointer), part))
            node, pointer, source = spec.resolve(node, pointer, source)
    except (KeyError, IndexError, TypeError):
        return None
    shown = _display(source)
    if source == spec.source:
        return f"{shown}:{spec.document.place(pointer)}"
    return f"{shown} (at {pointer or '/'})"


def _display(source: str) -> str:
    """The spec's path relative to the working directory when it is below it."""
    path = Path(source).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
