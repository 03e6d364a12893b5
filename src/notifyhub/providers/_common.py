"""Machinery shared by the reference providers.

Routing, bearer auth, ``X-Request-ID`` handling, RFC 9457 problem responses,
hand-written request validation helpers, injected faults, the Pact
provider-state endpoint, the ``Service`` base and the app factory. Each service
module only describes its own domain: its operations, its store and its
provider states.

Requests are routed on the raw (still percent-encoded) path, split into
segments and decoded one segment at a time, so an encoded ``/`` stays inside a
path parameter and is rejected by that parameter's rule (a documented 400)
instead of silently turning into another route.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from http import HTTPStatus
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

API_PREFIX = "/v1"
STATES_PATH = "/_pact/provider-states"
DEFAULT_TOKENS: tuple[str, ...] = ("test-token",)
REQUEST_ID_HEADER = "X-Request-ID"
JSON_MEDIA_TYPE = "application/json"
PROBLEM_MEDIA_TYPE = "application/problem+json"
MAX_BODY_BYTES = 1 << 20
RETRY_AFTER_SECONDS = 1

_INTEGER = re.compile(r"-?[0-9]{1,12}")
_TITLES = {422: "Unprocessable Content"}  # RFC 9110 wording; older Pythons differ
_log = logging.getLogger("notifyhub.providers")

StateAction = Callable[[Mapping[str, Any]], None]
"""Applies one provider state; receives the state's ``params``."""


def utc_now() -> str:
    """Return the current UTC time as an RFC 3339 timestamp with second precision."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def show(value: str, limit: int = 80) -> str:
    """Quote a client-supplied string for an error detail, shortened if long."""
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


def json_response(
    content: Any,
    status: int = 200,
    *,
    media_type: str = JSON_MEDIA_TYPE,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Serialise ``content`` as compact JSON (escaping lone surrogates if there are any)."""
    try:
        payload = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        payload = json.dumps(content, separators=(",", ":")).encode()
    return Response(payload, status_code=status, headers=headers, media_type=media_type)


class Problem(Exception):
    """An RFC 9457 problem: raising it ends the request with that error response."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or str(status))
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})

    def response(self) -> Response:
        """Render the problem as an ``application/problem+json`` response."""
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": _TITLES.get(self.status, HTTPStatus(self.status).phrase),
            "status": self.status,
        }
        if self.detail is not None:
            body["detail"] = self.detail
        body.update(self.extensions)
        return json_response(body, self.status, media_type=PROBLEM_MEDIA_TYPE, headers=self.headers)


# -- hand-written validation helpers ---------------------------------------------------------


@dataclass(frozen=True)
class StringRule:
    """Length and pattern limits of a string, written as the spec states them."""

    pattern: str | None = None
    min_length: int = 0
    max_length: int | None = None
    _regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = None
        if self.pattern is not None:
            regex = re.compile(self.pattern.removeprefix("^").removesuffix("$"))
        object.__setattr__(self, "_regex", regex)

    def check(self, where: str, value: object) -> str:
        """Return ``value`` if it is a string obeying the rule, else raise a 400 problem."""
        if not isinstance(value, str):
            raise Problem(400, f"{where}: must be a string")
        if len(value) < self.min_length:
            raise Problem(
                400, f"{where}: {show(value)} is shorter than {self.min_length} characters"
            )
        if self.max_length is not None and len(value) > self.max_length:
            raise Problem(
                400, f"{where}: {show(value)} is longer than {self.max_length} characters"
            )
        if self._regex is not None and self._regex.fullmatch(value) is None:
            raise Problem(400, f"{where}: {show(value)} does not match {self.pattern}")
        return value


def require_object(
    where: str,
    value: object,
    *,
    required: Collection[str] = (),
    allowed: Collection[str] | None = None,
) -> dict[str, Any]:
    """Check that ``value`` is a JSON object with the required and only the allowed keys."""
    if not isinstance(value, dict):
        raise Problem(400, f"{where}: must be a JSON object")
    missing = [name for name in required if name not in value]
    if missing:
        raise Problem(400, f"{where}: missing required property {', '.join(missing)}")
    if allowed is not None:
        unexpected = sorted(str(name) for name in value if name not in allowed)
        if unexpected:
            names = ", ".join(show(name) for name in unexpected)
            raise Problem(400, f"{where}: unexpected property {names}")
    return value


def require_bool(where: str, value: object) -> bool:
    """Check that ``value`` is a JSON boolean."""
    if not isinstance(value, bool):
        raise Problem(400, f"{where}: must be a boolean")
    return value


REQUEST_ID = StringRule("^[A-Za-z0-9._-]{1,64}$", max_length=64)
"""The ``X-Request-ID`` header: echoed when valid, a 400 when not (a uuid4 when absent)."""


# -- routing -------------------------------------------------------------------------------


@dataclass
class Call:
    """One routed request: the Starlette request, its decoded path parameters, its id."""

    request: Request
    path_params: Mapping[str, str]
    request_id: str

    def path_param(self, name: str, rule: StringRule) -> str:
        """Return path parameter ``name`` checked against ``rule`` (400 if it breaks it)."""
        return rule.check(f"path parameter {name}", self.path_params[name])

    def query(self, name: str) -> str | None:
        """Return query parameter ``name``, ``None`` if absent; 400 if given more than once."""
        values = self.request.query_params.getlist(name)
        if len(values) > 1:
            raise Problem(400, f"query parameter {name}: must be given at most once")
        return values[0] if values else None

    def query_int(self, name: str, *, default: int, minimum: int, maximum: int) -> int:
        """Return an integer query parameter within ``[minimum, maximum]``."""
        raw = self.query(name)
        if raw is None:
            return default
        if _INTEGER.fullmatch(raw) is None:
            if re.fullmatch(r"-?[0-9]+", raw):
                raise Problem(400, f"query parameter {name}: {show(raw)} is out of range")
            raise Problem(400, f"query parameter {name}: {show(raw)} is not an integer")
        value = int(raw)
        if not minimum <= value <= maximum:
            raise Problem(
                400, f"query parameter {name}: {value} is not between {minimum} and {maximum}"
            )
        return value

    def query_enum(self, name: str, choices: Sequence[str]) -> str | None:
        """Return a query parameter restricted to ``choices``, ``None`` if absent."""
        raw = self.query(name)
        if raw is not None and raw not in choices:
            raise Problem(
                400, f"query parameter {name}: {show(raw)} is not one of {', '.join(choices)}"
            )
        return raw

    async def json_body(self) -> Any:
        """Read and parse the ``application/json`` request body (400 if absent or invalid)."""
        content_type = self.request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != JSON_MEDIA_TYPE:
            raise Problem(400, f"request body: Content-Type must be {JSON_MEDIA_TYPE}")
        return _parse_json(await read_body(self.request), required=True)


async def read_body(request: Request) -> bytes:
    """Read the request body, refusing (400) bodies above ``MAX_BODY_BYTES``."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Problem(400, f"request body: larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(raw: bytes, *, required: bool) -> Any:
    if not raw.strip():
        if required:
            raise Problem(400, "request body: is required")
        return None
    try:
        return json.loads(raw.decode(), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Problem(400, f"request body: not valid JSON ({type(exc).__name__})") from None


Handler = Callable[[Call], Awaitable[Any]]
"""An operation's implementation: returns the JSON body of its 200 response."""


@dataclass(frozen=True)
class Operation:
    """One documented operation: method, path template (``{name}`` params) and handler."""

    method: str
    path: str
    handler: Handler
    public: bool = False
    """Public operations skip auth and injected faults (``/health``)."""

    def match(self, segments: Sequence[str]) -> dict[str, str] | None:
        """Return the path parameters if ``segments`` fit this path template."""
        template = self.path.split("/")[1:]
        if len(template) != len(segments):
            return None
        params: dict[str, str] = {}
        for expected, actual in zip(template, segments, strict=True):
            if expected.startswith("{") and expected.endswith("}"):
                params[expected[1:-1]] = actual
            elif expected != actual:
                return None
        return params


async def _health(call: Call) -> dict[str, Any]:
    return {"status": "ok"}


HEALTH = Operation("GET", f"{API_PREFIX}/health", _health, public=True)
"""``getHealth``: identical in every provider, so every provider serves it."""


class Fault(Enum):
    """A failure injected through a provider state; hits every non-public operation."""

    RATE_LIMITED = 429
    UNAVAILABLE = 503
    FAILING = 500

    def problem(self) -> Problem:
        """The problem every affected request answers with."""
        if self is Fault.RATE_LIMITED:
            return Problem(
                429, "Rate limit exhausted.", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
        if self is Fault.UNAVAILABLE:
            return Problem(
                503,
                "The service is temporarily unavailable.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return Problem(500, "The service failed internally.")


def _unauthorized(detail: str, challenge: str = "Bearer") -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": challenge})


# -- the provider application ---------------------------------------------------------------


class Domain(Protocol):
    """What a service contributes to its provider: its operations, states and store reset."""

    name: str
    """Human name used in messages and fault state names, e.g. ``"user service"``."""

    def operations(self) -> Sequence[Operation]:
        """Every operation of the service's spec but ``/health`` (added by ``Provider``)."""
        ...

    def states(self) -> Mapping[str, StateAction]:
        """The service's own provider states, applied after a reset to the seed."""
        ...

    def reset(self) -> None:
        """Restore the service's store to its seed."""
        ...


T = TypeVar("T")


def require_accessible(
    kind: str, key: str, items: Mapping[str, T], restricted: Collection[str]
) -> T:
    """Return ``items[key]`` if callers may access it: 403 if restricted, 404 if unknown.

    ``kind`` names the item in the problem's detail, e.g. ``"user"``.
    """
    if key in restricted:
        raise Problem(403, f"Access to {kind} {key} is restricted.")
    item = items.get(key)
    if item is None:
        raise Problem(404, f"{kind.capitalize()} {key} does not exist.")
    return item


class SeededStore(Protocol):
    """A service's in-memory store, restorable to its seed."""

    restricted: set[str]
    """Keys (user ids, template codes) that callers may not access: a 403."""

    def reset(self) -> None:
        """Restore the seed data."""
        ...


StoreT = TypeVar("StoreT", bound=SeededStore)


class Service(Generic[StoreT]):
    """A ``Domain`` over a seeded store, with the ``--drift`` and ``--bug`` switches.

    A service subclasses it with its ``name``, its operations and its provider states.
    """

    name: str

    def __init__(self, store: StoreT, *, drift: bool, bug: bool) -> None:
        self.store = store
        self._drift = drift
        self._bug = bug

    def reset(self) -> None:
        """Restore the seed data."""
        self.store.reset()

    def _restricted(self, key: str) -> StateAction:
        """The provider state in which ``key`` is restricted."""

        def apply(params: Mapping[str, Any]) -> None:
            self.store.restricted.add(key)

        return apply


class ServiceFactory(Protocol):
    """Builds a service's ``Domain`` from the ``--drift`` and ``--bug`` switches."""

    def __call__(self, *, drift: bool, bug: bool) -> Domain: ...


def create_app(
    service: ServiceFactory,
    *,
    tokens: Iterable[str] = DEFAULT_TOKENS,
    enable_states: bool = False,
    drift: bool = False,
    bug: bool = False,
) -> Starlette:
    """Build the Starlette app of a provider serving a fresh domain made by ``service``."""
    domain = service(drift=drift, bug=bug)
    return Provider(domain, tokens=tokens, enable_states=enable_states).asgi_app()


class Provider:
    """A running provider: routes operations, enforces auth, injects faults, changes states."""

    def __init__(
        self,
        domain: Domain,
        *,
        tokens: Iterable[str] = DEFAULT_TOKENS,
        enable_states: bool = False,
    ) -> None:
        self.service = domain.name
        self.fault: Fault | None = None
        self._domain = domain
        self._operations = (HEALTH, *domain.operations())
        self._tokens = frozenset(tokens)
        if not self._tokens or "" in self._tokens:
            raise ValueError("at least one non-empty bearer token is required")
        self._enable_states = enable_states
        self._states: dict[str, StateAction] = {
            **domain.states(),
            "the rate limit is exhausted": self._injector(Fault.RATE_LIMITED),
            f"the {domain.name} is unavailable": self._injector(Fault.UNAVAILABLE),
            f"the {domain.name} fails internally": self._injector(Fault.FAILING),
        }

    @property
    def state_names(self) -> list[str]:
        """All provider state names this provider understands."""
        return sorted(self._states)

    def reset(self) -> None:
        """Restore the seed data and clear any injected fault."""
        self.fault = None
        self._domain.reset()

    def asgi_app(self) -> Starlette:
        """Wrap the provider in a Starlette application (which also handles lifespan).

        The provider answers every HTTP request from a middleware, ahead of
        Starlette's router, whose patterns would not match paths with control
        characters and would answer with plain-text errors.
        """
        return Starlette(middleware=[Middleware(_Answer, provider=self)])

    def _injector(self, fault: Fault) -> StateAction:
        def inject(params: Mapping[str, Any]) -> None:
            self.fault = fault

        return inject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            raise RuntimeError(f"unsupported ASGI scope type {scope['type']!r}")
        request = Request(scope, receive)
        response = await self.dispatch(request)
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        """Answer one request; every response carries ``X-Request-ID``."""
        request_id, bad_request_id = str(uuid.uuid4()), None
        supplied = request.headers.get(REQUEST_ID_HEADER)
        if supplied is not None:
            try:
                request_id = REQUEST_ID.check(f"header {REQUEST_ID_HEADER}", supplied)
            except Problem as problem:
                bad_request_id = problem  # answered after auth, for documented operations
        try:
            response = await self._handle(request, request_id, bad_request_id)
        except Problem as problem:
            response = problem.response()
        except Exception:
            _log.exception("unhandled error answering %s %s", request.method, request.url.path)
            response = Problem(500, "An unexpected error occurred.").response()
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    async def _handle(
        self, request: Request, request_id: str, bad_request_id: Problem | None
    ) -> Response:
        raw_path = request.scope.get("raw_path") or request.scope["path"].encode()
        path = raw_path.decode("latin-1")
        if self._enable_states and path == STATES_PATH:
            if request.method != "POST":
                raise Problem(
                    405, f"Method {request.method} is not allowed.", headers={"Allow": "POST"}
                )
            return await self._change_state(request)
        operation, params = self._route(request.method, path)
        if not operation.public:
            if self.fault is not None:
                raise self.fault.problem()
            self._authenticate(request)
            if bad_request_id is not None:
                raise bad_request_id
        return json_response(await operation.handler(Call(request, params, request_id)))

    def _route(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        if not path.startswith("/"):
            raise Problem(404, f"No resource at {show(path)}.")
        segments = [unquote(segment) for segment in path.split("/")[1:]]
        allowed: set[str] = set()
        for operation in self._operations:
            params = operation.match(segments)
            if params is None:
                continue
            if operation.method == method:
                return operation, params
            allowed.add(operation.method)
        if not allowed:
            raise Problem(404, f"No resource at {show(path)}.")
        allow = ", ".join(sorted(allowed))
        raise Problem(
            405, f"Method {show(method)} is not allowed; use {allow}.", headers={"Allow": allow}
        )

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("authorization")
        if header is None:
            raise _unauthorized("A valid bearer token is required.")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized("The Authorization header must be 'Bearer <token>'.")
        if token not in self._tokens:
            raise _unauthorized("The bearer token is not valid.", 'Bearer error="invalid_token"')

    async def _change_state(self, request: Request) -> Response:
        """Apply a Pact provider state change.

        Accepts pact-python's body form ``{"state", "params", "action"}`` (a missing
        action means setup) and the query-string form ``?state=..&action=..&k=v``.
        """
        payload = _parse_json(await read_body(request), required=False)
        if payload is None:
            payload = dict(parse_qsl(request.url.query, keep_blank_values=True))
            payload = {
                "state": payload.pop("state", None),
                "action": payload.pop("action", None),
                "params": payload,
            }
        body = require_object("state change", payload)
        state = body.get("state")
        if not isinstance(state, str):
            raise Problem(400, "state change: 'state' must be a string")
        action = body.get("action") or "setup"
        if action not in ("setup", "teardown"):
            raise Problem(400, f"state change: action {show(str(action))} is not setup/teardown")
        params = body.get("params") or {}
        if not isinstance(params, dict):
            raise Problem(400, "state change: 'params' must be a JSON object")
        if state == "":
            # Pact's generic per-interaction hook: must not undo the named states.
            if action == "teardown":
                self.reset()
            return json_response({})
        apply = self._states.get(state)
        if apply is None:
            raise Problem(
                400,
                f"Unknown provider state {show(state)} for the {self.service}; "
                f"known states: {', '.join(self.state_names)}.",
            )
        self.reset()
        if action == "setup":
            apply(params)
        return json_response({})


class _Answer:
    """ASGI middleware: HTTP requests go to the provider, anything else to the app."""

    def __init__(self, app: ASGIApp, provider: Provider) -> None:
        self.app = app
        self.provider = provider

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.provider(scope, receive, send)
        else:
            await self.app(scope, receive, send)
