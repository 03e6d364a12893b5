"""One HTTP interaction of a pact against the operation it calls.

The order mirrors the exchange: route (path, then method), request (parameters,
credentials, ``Accept``, body and its media type), response (status, headers, media
type, body). A request that reaches no operation ends the check there; so does an
undocumented status (there is nothing to compare the response with).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._documents import json_pointer
from .._openapi import MediaType, Operation, Route
from .._pact import ABSENT, HttpMessage, Interaction, Pact, Request
from .._pact import Response as PactResponse
from ._body import check_body
from ._describe import Issue, Voice
from ._headers import response_header_issues
from ._media import accept_matches, essence, find_media, is_json
from ._params import check_parameters, form_fields, multipart_fields
from ._places import Places, node_at
from ._results import Finding, InteractionResult
from ._rules import WARNINGS
from ._schema import SchemaContext
from ._security import credential_names, security_issue


@dataclass
class Checked:
    """An interaction's result, the operation it reached and the response fields it reads."""

    result: InteractionResult
    operation: Operation | None = None
    fields: list[str] = field(default_factory=list)


def check_interaction(ctx: SchemaContext, pact: Pact, interaction: Interaction) -> Checked:
    """Check one interaction of ``pact`` against the spec of ``ctx``."""
    result = InteractionResult(
        index=interaction.index,
        description=interaction.description,
        pointer=interaction.pointer,
        provider_states=tuple(s.name for s in interaction.provider_states),
        not_applicable=interaction.not_applicable,
    )
    request, response = interaction.request, interaction.response
    if interaction.not_applicable is not None or request is None or response is None:
        return Checked(result)
    result.request = f"{request.method} {request.path}"
    result.status = response.status
    places = Places(pact, interaction)
    checked = Checked(result)
    issues = _check(ctx, request, response, places, checked)
    client_error = 400 <= response.status < 500
    for issue in issues:
        warning = issue.code in WARNINGS or (
            client_error
            and issue.code.startswith("request.")
            and issue.code not in ("request.path.unknown", "request.method.unknown")
        )
        result.findings.append(_finding(ctx, pact, issue, warning, client_error))
    return checked


def _finding(
    ctx: SchemaContext, pact: Pact, issue: Issue, warning: bool, client_error: bool
) -> Finding:
    message = issue.message
    if warning and client_error and issue.code.startswith("request."):
        message += " (a warning: the pact expects a 4XX response)"
    return Finding(
        code=issue.code,
        severity="warning" if warning else "error",
        message=message,
        pact=ctx.locator.locate(pact.document, issue.pact_pointer),
        spec=ctx.location(*issue.spec) if issue.spec else None,
    )


def _check(
    ctx: SchemaContext,
    request: Request,
    response: PactResponse,
    places: Places,
    checked: Checked,
) -> list[Issue]:
    spec = ctx.spec
    route = spec.route(request.path)
    if route is None or _slash_differs(request.path, route.path):
        return [_unknown_path(ctx, request, places, route)]
    op = route.operations.get(request.method)
    if op is None:
        methods = ", ".join(sorted(route.operations)) or "no method"
        return [
            Issue(
                "request.method.unknown",
                f"request: {request.method} {request.path}: the spec documents {route.path} "
                f"only for {methods}",
                places.at("request", "method"),
                (spec.source, json_pointer(("paths", route.path))),
            )
        ]
    checked.result.operation = op.key
    checked.operation = op
    exempt = credential_names(spec, op)
    issues = check_parameters(
        ctx, op, route.path_params, request, places, exempt=exempt | {"cookie"}
    )
    missing_credential = security_issue(spec, op, request, places)
    if missing_credential:
        issues.append(missing_credential)
    issues += _accept(ctx, op, request, places)
    issues += _request_body(ctx, op, request, places)
    issues += _response(ctx, op, response, places, checked)
    return issues


def _slash_differs(path: str, template: str) -> bool:
    """Whether one of a request path and its path template ends in a slash and the other not.

    The router reads ``/users/1/`` as ``/users/1``; HTTP does not, and neither does
    PactFlow's comparator.
    """
    path = path.split("?", 1)[0]
    return len(path) > 1 and len(template) > 1 and path.endswith("/") != template.endswith("/")


def _unknown_path(
    ctx: SchemaContext, request: Request, places: Places, near: Route | None = None
) -> Issue:
    hint = ""
    if near is not None:
        hint = f" (the spec has {near.path}: is the trailing slash right?)"
    for base in ctx.spec.base_paths:
        if not hint and base and ctx.spec.route(base + request.path) is not None:
            hint = f" (the spec serves it under {base}: is the base path missing?)"
            break
    return Issue(
        "request.path.unknown",
        f"request: {request.method} {request.path}: no path of the spec matches{hint}",
        places.at("request", "path"),
        (ctx.spec.source, "/paths"),
    )


def _accept(ctx: SchemaContext, op: Operation, request: Request, places: Places) -> list[Issue]:
    accept = request.header("accept")
    produced = op.produces
    if not accept or not produced or accept_matches(accept, produced):
        return []
    return [
        Issue(
            "request.accept.mismatch",
            f"request header Accept: the pact accepts {accept}, "
            f"{op.key} produces {', '.join(produced)}",
            places.header("request", "accept"),
            (ctx.spec.source, _produces_pointer(ctx, op)),
        )
    ]


def _produces_pointer(ctx: SchemaContext, op: Operation) -> str:
    if ctx.spec.version != "2.0":
        return f"{op.pointer}/responses"
    raw = node_at(ctx.spec.document.data, op.pointer)
    return f"{op.pointer}/produces" if isinstance(raw, dict) and "produces" in raw else "/produces"


def _has_body(message: HttpMessage) -> bool:
    return message.body is not ABSENT and message.body not in (None, "", b"")


def _request_body(
    ctx: SchemaContext, op: Operation, request: Request, places: Places
) -> list[Issue]:
    documented = op.request_body
    declared, declared_at = places.content_type("request", request)
    if not _has_body(request):
        if documented is not None and documented.required:
            return [
                Issue(
                    "request.body.missing",
                    f"request body: {op.key} requires one, the pact sends none",
                    places.at("request"),
                    (ctx.spec.source, documented.pointer),
                )
            ]
        return []
    if documented is None or not documented.content:
        return [
            Issue(
                "request.body.unexpected",
                f"request body: the pact sends one, {op.key} takes none",
                places.at("request", "body"),
                (ctx.spec.source, op.pointer),
            )
        ]
    media = _media(declared, request.body, documented.content)
    if media is None:
        return [
            Issue(
                "request.content-type.mismatch",
                f"request Content-Type: the pact sends {declared}, "
                f"{op.key} accepts {', '.join(documented.content)}",
                declared_at,
                (ctx.spec.source, documented.pointer + "/content"),
            )
        ]
    return _body(ctx, documented.content[media], request, places, side="request")


def _response(
    ctx: SchemaContext, op: Operation, response: PactResponse, places: Places, checked: Checked
) -> list[Issue]:
    documented = op.response_for(response.status)
    if documented is None:
        return [
            Issue(
                "response.status.unknown",
                f"response status {response.status}: {op.key} documents only "
                f"{', '.join(op.responses) or 'no response'}",
                places.at("response", "status"),
                (ctx.spec.source, f"{op.pointer}/responses"),
            )
        ]
    issues = []
    if documented.status == "default":
        issues.append(
            Issue(
                "response.status.default",
                f"response status {response.status}: not documented by itself, "
                "only the spec's 'default' response covers it",
                places.at("response", "status"),
                (ctx.spec.source, documented.pointer),
            )
        )
    issues += response_header_issues(ctx, documented, response, places)
    declared, declared_at = places.content_type("response", response)
    if not _has_body(response):
        return issues
    if not documented.content:
        issues.append(
            Issue(
                "response.body.unexpected",
                f"response body: the pact expects one, the spec's {documented.status} "
                "response has no content",
                places.at("response", "body"),
                (ctx.spec.source, documented.pointer),
            )
        )
        return issues
    media = _media(declared, response.body, documented.content)
    if media is None:
        issues.append(
            Issue(
                "response.content-type.mismatch",
                f"response Content-Type: the pact expects {declared}, the spec's "
                f"{documented.status} response is {', '.join(documented.content)}",
                declared_at,
                (ctx.spec.source, documented.pointer + "/content"),
            )
        )
        return issues
    body_issues = _body(
        ctx, documented.content[media], response, places, side="response", checked=checked
    )
    return issues + body_issues


def _media(declared: str | None, body: Any, content: dict[str, MediaType]) -> str | None:
    """The documented media type the pact's body is sent as (None: not documented)."""
    if declared:
        return find_media(declared, content)
    if isinstance(body, dict | list):  # no media type stated: a JSON body fits a JSON type
        return next((m for m in content if is_json(m)), next(iter(content)))
    return next(iter(content))


def _body(
    ctx: SchemaContext,
    media: MediaType,
    message: HttpMessage,
    places: Places,
    *,
    side: str,
    checked: Checked | None = None,
) -> list[Issue]:
    if media.schema is None or isinstance(message.body, bytes):
        return []
    body = message.body
    kind = essence(media.media_type)
    if isinstance(body, str) and kind == "application/x-www-form-urlencoded":
        body = form_fields(ctx, media.schema, body)
    elif isinstance(body, str | bytes) and kind == "multipart/form-data":
        body = multipart_fields(ctx, media.schema, body, message.header("content-type") or "")
    outcome = check_body(
        ctx,
        body,
        media.schema,
        message.rules_for("body"),
        voice=Voice(side),
        pointer=places.body(side),
    )
    if checked is not None:
        checked.fields = outcome.fields
    return outcome.issues
