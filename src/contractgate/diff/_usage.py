"""What each interaction of a consumer's pact relies on, in a spec's terms.

An interaction is mapped to an operation of the (old) spec by routing its path
(``Spec.route``) and method. It relies on: that operation; the parameters it sends
(path, query, header, cookie); the request body it sends; the documented response
status that covers the status it expects; the response headers it expects; and the
response body it expects (the consumer reads every field its pact names). A body is
related to the spec by walking it through the schema of its media type
(:func:`touches`): the schema nodes it reaches are what it relies on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any

from .._openapi import Operation, Spec
from .._pact import ABSENT, HttpMessage, Interaction, Pact, Response
from ..check._media import find_media
from ._results import Affected, Target
from ._schemas import Ptr, ValuePath, media_schema, touches

Reached = dict[Ptr, list[tuple[ValuePath, Any]]]


def value_path(path: ValuePath) -> str:
    """A concrete path in a body as JSONPath: ``$.items[0].code``."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


@dataclass
class Usage:
    """One HTTP interaction of a pact, routed to an operation of a spec."""

    spec: Spec
    pact: Pact
    interaction: Interaction
    operation: Operation
    status: str | None  # the documented status key that covers the expected status
    parameters: frozenset[tuple[str, str]]
    response_headers: frozenset[str]
    _reached: dict[tuple[str, str | None, str], Reached] = field(default_factory=dict)

    @property
    def request(self) -> HttpMessage:
        assert self.interaction.request is not None
        return self.interaction.request

    @property
    def response(self) -> Response:
        assert self.interaction.response is not None
        return self.interaction.response

    def affected(self, relies_on: str) -> Affected:
        """This interaction as one that relies on a change, and how."""
        return _affected(self.pact, self.interaction, relies_on)

    def reached(self, target: Target) -> Reached:
        """The old schema nodes the body on the target's side reaches, with its values.

        Empty when the interaction has no body there, or one of another media type.
        """
        side, media = target.side, target.media
        if side is None or media is None:
            return {}
        message = self.request if side == "request" else self.response
        if message.body is ABSENT or not _media(message.content_type, media):
            return {}
        key = (side, target.status, media)
        if key not in self._reached:
            content = (
                self.operation.request_body.content.get(media)
                if side == "request" and self.operation.request_body
                else self.operation.responses[self.status].content.get(media)
                if self.status is not None
                else None
            )
            self._reached[key] = (
                touches(self.spec, media_schema(self.spec, content), message.body, side)
                if content is not None
                else {}
            )
        return self._reached[key]


def _affected(pact: Pact, interaction: Interaction, relies_on: str) -> Affected:
    return Affected(
        consumer=pact.consumer,
        pact=pact.source,
        interaction=interaction.index,
        description=interaction.description,
        pointer=interaction.pointer,
        relies_on=relies_on,
        provider_states=tuple(s.name for s in interaction.provider_states),
    )


def usages(spec: Spec, pacts: Iterable[Pact]) -> tuple[list[Usage], list[Affected]]:
    """The usage in ``spec`` of every HTTP interaction of ``pacts``, and the interactions
    that reach no operation of it."""
    found: list[Usage] = []
    unmatched: list[Affected] = []
    for pact in pacts:
        for interaction in pact.http():
            request, response = interaction.request, interaction.response
            assert request is not None
            assert response is not None
            route = spec.route(request.path)
            op = route.operations.get(request.method) if route else None
            if route is None or op is None:
                missing = f"{request.method} {request.path} is not in the spec"
                unmatched.append(_affected(pact, interaction, missing))
                continue
            parameters = {("path", name) for name in route.path_params}
            parameters |= {("query", name) for name in request.query}
            parameters |= {("header", name.lower()) for name in request.headers}
            parameters |= {("cookie", name) for name in _cookies(request.header("cookie"))}
            covering = op.response_for(response.status)
            found.append(
                Usage(
                    spec=spec,
                    pact=pact,
                    interaction=interaction,
                    operation=op,
                    status=covering.status if covering else None,
                    parameters=frozenset(parameters),
                    response_headers=frozenset(h.lower() for h in response.headers),
                )
            )
    return found, unmatched


def _cookies(header: str | None) -> list[str]:
    if not header:
        return []
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return []
    return list(jar)


def relies(usage: Usage, target: Target) -> str | None:
    """How ``usage`` relies on ``target`` (a phrase for reports), or None when it does not."""
    if target.operation is None:
        return f"calls {usage.operation.key}"
    if target.operation != usage.operation.key:
        return None
    if target.parameter is not None:
        location, name = target.parameter
        sent = target.parameter in usage.parameters
        if target.absent:
            return None if sent else f"does not send {location} parameter {name}"
        return f"sends {location} parameter {name}" if sent else None
    if target.side == "request":
        return _request(usage, target)
    if target.side == "response" and target.status is not None:
        return _response(usage, target)
    return f"calls {usage.operation.key}"


def _request(usage: Usage, target: Target) -> str | None:
    has_body = usage.request.body is not ABSENT
    if target.media is None:  # the body as a whole
        if target.absent:
            return None if has_body else "sends no request body"
        return "sends a request body" if has_body else None
    if target.anchor is None:
        return f"sends {target.media}" if usage.reached(target) else None
    return _body(usage.reached(target), target, "sends")


def _response(usage: Usage, target: Target) -> str | None:
    if usage.status != target.status:
        return None
    if target.header is not None:
        return (
            f"expects header {target.header}" if target.header in usage.response_headers else None
        )
    if target.media is None:
        return f"expects {usage.response.status}"
    if target.anchor is None:
        return f"expects {target.media}" if usage.reached(target) else None
    return _body(usage.reached(target), target, "reads")


def _body(reached: Reached, target: Target, verb: str) -> str | None:
    """How a body that reaches these schema nodes relies on the target's node (and key)."""
    assert target.anchor is not None
    values = reached.get(target.anchor, [])
    if target.key is None:
        return f"{verb} {value_path(values[0][0])}" if values else None
    objects = [(path, v) for path, v in values if isinstance(v, dict)]
    if target.absent:
        lacking = [path for path, v in objects if target.key not in v]
        return f"does not send {value_path((*lacking[0], target.key))}" if lacking else None
    having = [path for path, v in objects if target.key in v]
    return f"{verb} {value_path((*having[0], target.key))}" if having else None


def _media(actual: str | None, documented: str) -> bool:
    """Whether a body of media type ``actual`` (None: unstated) is of ``documented``."""
    return actual is None or find_media(actual, [documented]) is not None
