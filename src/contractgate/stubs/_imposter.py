"""Imposter generation: a pure function from (spec, pacts, scenario, seed) to Mountebank JSON.

The stubs of an imposter, in the order Mountebank tries them:

1. one per pact interaction (its exact request), so a consumer gets what its contract says;
2. one per operation whose parameters, credentials and body are as the spec says,
   answering the spec's example (or a generated value), literal paths first;
3. per operation, a 401 for missing credentials and a 400 for broken parameter rules;
4. a catch-all ``application/problem+json`` 404 for a request no operation documents.

The scenario's faults are folded into the responses of the stubs of groups 1 and 2
(see :mod:`._schedule`), so injecting faults adds no stub a request has to walk past.
Nothing here talks to Mountebank: the result is the JSON that ``POST /imposters``
and ``mb --configfile`` take.

:func:`lazy_imposter` gives the same plan with each stub's responses generated when
first asked for: the order, kinds and predicates of the stubs cost nothing to know,
the values of a large spec's answers do (a lazily served imposter needs only those
of the operations called).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from .._openapi import MediaType, Operation, Response, Schema, Spec
from .._pact import ABSENT, Interaction, Pact
from .._pact import Request as PactRequest
from ._predicates import (
    auth_predicate,
    parameter_predicates,
    predicate,
    route_predicates,
    value_regex,
)
from ._scenarios import (
    ConnectionFault,
    DriftFault,
    EdgeDataFault,
    ErrorFault,
    Fault,
    Scenario,
    SequenceFault,
)
from ._schedule import Schedule, Step, plan_schedule
from ._values import Values

LOOPBACK = "127.0.0.1"
KEEP_ALIVE = {"Connection": "keep-alive"}
PROBLEM_JSON = "application/problem+json"
SEQUENCE_HORIZON = 10_000
"""Requests a played-once sequence is followed by before it would play again."""
_MIXED_HORIZON = 1_000  # the same, when the rest of the schedule is not one fixed answer
_ECHO_TOKEN = "${contractgate-echo:%s}"
_CONNECTION_FAULTS = {"reset": "CONNECTION_RESET_BY_PEER", "garbage": "RANDOM_DATA_THEN_CLOSE"}
_HOP_HEADERS = {"content-length", "connection", "transfer-encoding", "host", "keep-alive"}


@dataclass(frozen=True)
class StubInfo:
    """What one generated stub is for (for tables, ``--json`` and tests)."""

    kind: str
    """``pact``, ``operation``, ``unauthorized``, ``bad-request`` or ``not-found``."""
    label: str
    operation: str | None
    responses: int
    """Entries in the stub's response cycle (after merging repeats)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "operation": self.operation,
            "responses": self.responses,
        }


@dataclass
class ImposterPlan:
    """A generated imposter and what went into it."""

    service: str
    scenario: str
    seed: int
    imposter: dict[str, Any]
    stubs: list[StubInfo]
    notes: list[str] = field(default_factory=list)
    """Things the user may want to know: unused examples, skipped faults, shadowed pacts."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "scenario": self.scenario,
            "seed": self.seed,
            "stubs": [s.to_dict() for s in self.stubs],
            "notes": self.notes,
            "imposter": self.imposter,
        }


@dataclass(frozen=True)
class _Answer:
    """A response before it becomes Mountebank JSON."""

    status: int
    headers: dict[str, str]
    body: Any = None
    """A JSON value, text, or None for no body."""
    media_type: str | None = None
    schema: Schema | None = None
    echo: tuple[tuple[str, str], ...] = ()
    """Response headers copied from the request: (name, JS regex of values to copy)."""


class LazyPlan:
    """A plan whose stubs' responses are generated when first asked for.

    ``kinds`` and ``operations`` are known at once; :meth:`stub` makes a stub (values
    generated and checked against the spec, which may raise :class:`InputError`);
    :meth:`complete` makes them all. ``notes`` grows as stubs are made.
    """

    def __init__(
        self,
        name: str,
        scenario: str,
        seed: int,
        header: dict[str, Any],
        entries: list[_Entry],
        notes: list[str],
    ) -> None:
        self.service = name
        self.scenario = scenario
        self.seed = seed
        self.header = header
        """The imposter's JSON without its stubs."""
        self.notes = notes
        self._entries = entries
        self._made: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def kinds(self) -> list[str]:
        """Each stub's kind (see :class:`StubInfo`), in Mountebank's order."""
        return [e.kind for e in self._entries]

    @property
    def operations(self) -> list[str | None]:
        """The operation (``METHOD /path``) each stub is for."""
        return [e.operation.key if e.operation else None for e in self._entries]

    def relayable(self, index: int) -> bool:
        """Whether every answer of the stub passes Mountebank's proxy unchanged (its JSON
        re-indented at most): no broken connection, no body that is a JSON scalar."""
        return self._entries[index].relayable

    def stub(self, index: int) -> dict[str, Any]:
        """The stub at ``index`` (made once)."""
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = self._entries[index].make()
        return made

    def complete(self) -> ImposterPlan:
        """The whole plan, every stub made."""
        stubs = [self.stub(i) for i in range(len(self._entries))]
        infos = [
            StubInfo(e.kind, e.label, e.operation.key if e.operation else None, len(s["responses"]))
            for e, s in zip(self._entries, stubs, strict=True)
        ]
        imposter = {**self.header, "stubs": stubs}
        return ImposterPlan(self.service, self.scenario, self.seed, imposter, infos, self.notes)


@dataclass(frozen=True)
class _Entry:
    """A stub before its responses are generated."""

    kind: str
    label: str
    operation: Operation | None
    make: Callable[[], dict[str, Any]]
    relayable: bool = True


def build_imposter(
    spec: Spec,
    pacts: Sequence[Pact],
    scenario: Scenario,
    *,
    name: str,
    seed: int = 0,
    states: Sequence[str] | None = None,
    port: int | None = None,
    host: str = LOOPBACK,
    record_requests: bool = True,
) -> ImposterPlan:
    """Generate the imposter of one service under ``scenario``, drawn from ``seed``.

    Where pact interactions share a request (the same call given different provider
    states), the one whose states are all in ``states`` is answered, else the
    successful one. Scenario faults must name operations of ``spec`` (check with
    ``check_scenario`` first).
    """
    return lazy_imposter(
        spec,
        pacts,
        scenario,
        name=name,
        seed=seed,
        states=states,
        port=port,
        host=host,
        record_requests=record_requests,
    ).complete()


def lazy_imposter(
    spec: Spec,
    pacts: Sequence[Pact],
    scenario: Scenario,
    *,
    name: str,
    seed: int = 0,
    states: Sequence[str] | None = None,
    port: int | None = None,
    host: str = LOOPBACK,
    record_requests: bool = True,
) -> LazyPlan:
    """:func:`build_imposter`'s plan, each stub's responses generated when first needed."""
    builder = _Builder(spec, scenario, seed)
    entries: list[_Entry] = []
    seen: dict[str, Interaction] = {}
    for interaction in _ranked(pacts, states):
        assert interaction.request is not None
        preds = pact_predicates(interaction.request)
        signature = json.dumps(preds, sort_keys=True)
        if signature in seen:
            wanted = ", ".join(repr(s.name) for s in interaction.provider_states)
            builder.notes.append(
                f"pact interaction {interaction.description!r} has the same request as "
                f"{seen[signature].description!r}; "
                + (f"select it with the provider state {wanted}" if wanted else "it is never used")
            )
            continue
        seen[signature] = interaction
        op = _operation_of(spec, interaction.request)
        entries.append(builder.pact_entry(interaction, op, preds))
    # Literal paths first, so /users/me is not taken by /users/{id}.
    operations = sorted(spec.operations, key=lambda o: o.path.count("{"))
    entries += [builder.operation_entry(op) for op in operations]
    entries += [e for e in map(builder.unauthorized_entry, operations) if e is not None]
    entries += [e for e in map(builder.bad_request_entry, operations) if e is not None]
    entries.append(_Entry("not-found", "any other request", None, builder.not_found_stub))
    header: dict[str, Any] = {
        "protocol": "http",
        "host": host,
        "name": name,
        "recordRequests": record_requests,
        # Mountebank closes every connection unless told otherwise: half the throughput.
        "defaultResponse": {"statusCode": 404, "headers": dict(KEEP_ALIVE)},
    }
    if port is not None:
        header["port"] = port
    return LazyPlan(name, scenario.name, seed, header, entries, builder.notes)


def _ranked(pacts: Sequence[Pact], states: Sequence[str] | None) -> list[Interaction]:
    """The pacts' HTTP interactions, the ones the stub should prefer first.

    Where interactions share a request only the first is answered, so: interactions
    whose provider states are all in ``states``, then successful (2xx) ones, then the
    rest, each group in pact order.
    """
    interactions = [i for pact in pacts for i in pact.http()]

    def rank(interaction: Interaction) -> tuple[int, int]:
        chosen = bool(
            states
            and interaction.provider_states
            and all(s.name in states for s in interaction.provider_states)
        )
        assert interaction.response is not None
        return (0 if chosen else 1, 0 if 200 <= interaction.response.status < 300 else 1)

    return sorted(interactions, key=rank)


def _operation_of(spec: Spec, request: PactRequest) -> Operation | None:
    route = spec.route(request.path)
    return route.operations.get(request.method) if route else None


def pact_predicates(request: PactRequest) -> list[dict[str, Any]]:
    """Predicates matching exactly the requests a pact interaction describes.

    Every exact value goes into one ``equals`` predicate, first: a request for
    another interaction fails it in one evaluation.
    """
    equal: dict[str, Any] = {"method": request.method}
    rest: list[dict[str, Any]] = []
    path_rule = _regex_rule(request.rules_for("path").at(()))
    if path_rule:
        rest.append(predicate("matches", {"path": f"^(?:{path_rule})$"}))
    else:
        equal["path"] = request.path
    fields: list[tuple[str, str, Any]] = [
        ("query", key, values[0] if len(values) == 1 else values)
        for key, values in request.query.items()
    ]
    fields += [
        ("headers", name, value)
        for name, value in request.headers.items()
        if name.lower() not in _HOP_HEADERS
    ]
    for where, name, value in fields:
        if where == "headers":
            rule = request.rules_for("header").at((name.lower(),))
        else:
            rule = request.rules_for("query").at((name,))
        regex = _regex_rule(rule)
        if regex:
            rest.append(predicate("matches", {where: {name: f"^(?:{regex})$"}}))
        elif rule is not None:
            rest.append(predicate("exists", {where: {name: True}}))
        else:
            equal.setdefault(where, {})[name] = value
    if request.body is not ABSENT and not request.rules_for("body"):
        equal["body"] = request.body
    return [predicate("equals", equal), *rest]


def _regex_rule(ruleset: Any) -> str | None:
    if ruleset is None:
        return None
    for rule in ruleset.rules:
        if rule.match == "regex" and isinstance(rule.attrs.get("regex"), str):
            return str(rule.attrs["regex"])
    return None


class _Builder:
    """Answers and stubs of one imposter, with the notes gathered on the way."""

    def __init__(self, spec: Spec, scenario: Scenario, seed: int) -> None:
        self.spec = spec
        self.values = Values(spec)
        self.scenario = scenario
        self.seed = seed
        self.notes: list[str] = []

    # -- stubs -------------------------------------------------------------------------------

    def pact_entry(
        self, interaction: Interaction, op: Operation | None, preds: list[dict[str, Any]]
    ) -> _Entry:
        response = interaction.response
        assert response is not None
        media = response.content_type
        body = None if response.body is ABSENT else response.body
        if media is None and isinstance(body, dict | list):
            media = "application/json"
        headers = {k: v for k, v in response.headers.items() if k.lower() not in _HOP_HEADERS}
        documented = op.response_for(response.status) if op else None
        answer = _Answer(
            response.status,
            headers,
            body,
            media,
            _body_schema(documented, media) if documented else None,
        )
        key = f"pact/{interaction.pointer}/{interaction.description}"

        def make() -> dict[str, Any]:
            return {"predicates": preds, "responses": self.responses(answer, op, key)}

        return _Entry("pact", interaction.label, op, make, relayable=False)

    def operation_entry(self, op: Operation) -> _Entry:
        preds = route_predicates(self.spec, op, strict=True)
        preds += parameter_predicates(self.spec, op)
        auth = auth_predicate(self.spec, op)
        if auth is not None:
            preds.append(auth)

        def make() -> dict[str, Any]:
            return {"predicates": preds, "responses": self.responses(self.success(op), op, op.key)}

        faults = self.faults_for(op)
        statuses = [self.success_status(op)]
        for fault in faults:
            if isinstance(fault, ErrorFault):
                statuses.append(fault.status)
            elif isinstance(fault, SequenceFault):
                statuses += [s for s in fault.steps if isinstance(s, int)]
        relayable = not any(isinstance(f, ConnectionFault) for f in faults) and all(
            self.relayable(op, status) for status in statuses
        )
        return _Entry("operation", op.key, op, make, relayable)

    def unauthorized_entry(self, op: Operation) -> _Entry | None:
        auth = auth_predicate(self.spec, op)
        if auth is None:
            return None
        preds = [*route_predicates(self.spec, op, strict=False), {"not": auth}]

        def make() -> dict[str, Any]:
            return {"predicates": preds, "responses": [self.render(self.error(op, 401, 1), 0)]}

        label = f"{op.key} without credentials"
        return _Entry("unauthorized", label, op, make, self.relayable(op, 401))

    def bad_request_entry(self, op: Operation) -> _Entry | None:
        strict = route_predicates(self.spec, op, strict=True)
        loose = route_predicates(self.spec, op, strict=False)
        if strict == loose and not parameter_predicates(self.spec, op):
            return None  # nothing a request could break

        def make() -> dict[str, Any]:
            return {"predicates": loose, "responses": [self.render(self.error(op, 400, 1), 0)]}

        label = f"{op.key} breaking its parameter rules"
        return _Entry("bad-request", label, op, make, self.relayable(op, 400))

    def not_found_stub(self) -> dict[str, Any]:
        body = _problem(404, f"No operation of {self.spec.title} matches this method and path.")
        answer = _Answer(404, {}, body, PROBLEM_JSON)
        return {"predicates": [], "responses": [self.render(answer, 0)]}

    # -- answers -----------------------------------------------------------------------------

    def success(self, op: Operation) -> _Answer:
        """The operation's documented success: lowest 2xx, else default, else the first."""
        key = _success_key(op)
        if key is None:
            self.notes.append(f"{op.key} documents no response: answering 200 with no body")
            return _Answer(200, {})
        return self.documented(op, op.responses[key], self.success_status(op), prefer="json")

    def success_status(self, op: Operation) -> int:
        key = _success_key(op)
        return int(key.replace("X", "0")) if key and key[0].isdigit() else 200

    def relayable(self, op: Operation, status: int) -> bool:
        """Whether the answer with ``status`` is certainly a JSON object or array, or no body.

        Read from the schema the body is generated from, without generating it.
        """
        success = status == self.success_status(op)
        key = _success_key(op) if success else None
        response = op.responses[key] if key else op.response_for(status)
        if response is None:
            return True  # a problem document
        media = _pick_media(response.content, "json" if success else "problem")
        if media is None:
            return True
        if media.schema is None:
            return bool(media.examples) and isinstance(media.examples[0], dict | list)
        return self.values.structured(media.schema)

    def error(self, op: Operation | None, status: int, retry_after: int) -> _Answer:
        """An error answer: the spec's documented body for it, else a problem document."""
        documented = op.response_for(status) if op else None
        if documented is None:
            answer = _Answer(status, {}, _problem(status), PROBLEM_JSON)
        else:
            assert op is not None
            answer = self.documented(op, documented, status, prefer="problem")
        if status in (429, 503):
            answer.headers["Retry-After"] = str(retry_after)
        return answer

    def documented(self, op: Operation, response: Response, status: int, prefer: str) -> _Answer:
        headers: dict[str, str] = {}
        echo: list[tuple[str, str]] = []
        for lowered, header in response.headers.items():
            if lowered in ("content-type", *_HOP_HEADERS):
                continue
            value = self.header_value(header.schema)
            copy = self.echo_rule(op, header.name, header.schema)
            if copy is not None:
                echo.append((header.name, copy))
                headers[header.name] = _ECHO_TOKEN % header.name
            elif value is not None:
                headers[header.name] = value
        media = _pick_media(response.content, prefer)
        if media is None:
            return _Answer(status, headers, None, None, None, tuple(echo))
        body: Any = ""
        if media.schema is not None:
            body = self.values.example(media.schema, media.examples)
            if status >= 400:
                body = self.fit_problem(body, media.schema, status)
        elif media.examples:
            body = media.examples[0]
        return _Answer(status, headers, body, media.media_type, media.schema, tuple(echo))

    def header_value(self, schema: Schema | None) -> str | None:
        if schema is None:
            return None
        value = self.values.example(schema)
        if isinstance(value, bool):
            return "true" if value else "false"
        return None if value is None else str(value)

    def echo_rule(self, op: Operation, name: str, schema: Schema | None) -> str | None:
        """A regex for request values of header ``name`` the response may echo, if any.

        Only when the request documents the header too, and the fallback sent when the
        request lacks it (the client's port number) is valid for the response header.
        """
        param = next(
            (p for p in op.parameters_in("header") if p.name.lower() == name.lower()), None
        )
        if param is None or (schema is not None and not self.values.is_valid(schema, "54321")):
            return None
        return value_regex(self.spec, param, segment=False) or "[^\\r\\n]{1,256}"

    def fit_problem(self, body: Any, schema: Schema, status: int) -> Any:
        """A documented problem body with its ``status`` and ``title`` set to this answer's."""
        if not isinstance(body, dict) or body.get("status") in (None, status):
            return body
        fitted = {**body, "status": status}
        if "title" in body:
            fitted["title"] = _phrase(status)
        return fitted if self.values.is_valid(schema, fitted) else body

    # -- schedules -------------------------------------------------------------------------

    def faults_for(self, op: Operation | None) -> list[Fault]:
        """The scenario's faults for an operation, without errors it does not document.

        A 4xx fault meant for every operation skips those that do not document the
        status (``/health`` does not answer 401); 5xx can come from anywhere.
        """
        out = []
        for fault in self.scenario.faults_for(op):
            if (
                isinstance(fault, ErrorFault)
                and not fault.operations
                and fault.status < 500
                and (op is None or op.response_for(fault.status) is None)
            ):
                continue
            out.append(fault)
        return out

    def responses(self, ok: _Answer, op: Operation | None, key: str) -> list[dict[str, Any]]:
        faults = self.faults_for(op)
        schedule = plan_schedule(faults, self.seed, key)
        cache: dict[tuple[Any, ...], dict[str, Any]] = {}
        variants = self.variants(ok, faults, key)

        def render(step: Step) -> dict[str, Any]:
            cache_key = (step.outcome, step.delay_ms, step.body, step.variant, step.retry_after)
            if cache_key not in cache:
                if step.outcome in _CONNECTION_FAULTS:
                    cache[cache_key] = {"fault": _CONNECTION_FAULTS[str(step.outcome)]}
                elif isinstance(step.outcome, int):
                    answer = self.error(op, step.outcome, step.retry_after)
                    cache[cache_key] = self.render(answer, step.delay_ms)
                else:
                    answer = variants(step)
                    cache[cache_key] = self.render(answer, step.delay_ms)
            return cache[cache_key]

        return _cycle(schedule, render)

    def variants(self, ok: _Answer, faults: list[Fault], key: str) -> Callable[[Step], _Answer]:
        """The normal answer for a step: as documented, drifted, or an edge-data variant.

        Only success answers drift or get edge data (a pact's 404 stays as agreed).
        """
        success = 200 <= ok.status < 300
        drift = next((f for f in faults if isinstance(f, DriftFault)), None) if success else None
        edge = next((f for f in faults if isinstance(f, EdgeDataFault)), None) if success else None
        drifted = ok
        if drift is not None:
            body, note = self.values.drift(ok.body, ok.schema, dict(drift.rename), drift.remove)
            drifted = _with_body(ok, body)
            self.notes.append(f"{key}: {note}")
        edges = [ok]
        if edge is not None and ok.schema is not None:
            found = self.values.edge_variants(ok.body, ok.schema, edge.max_length)
            edges = [_with_body(ok, b) for b in found] or [ok]
            if not found:
                self.notes.append(f"{key}: edge data has no valid variant of this body")

        def pick(step: Step) -> _Answer:
            if step.body == "drift":
                return drifted
            if step.body == "edge":
                return edges[step.variant % len(edges)]
            return ok

        return pick

    def render(self, answer: _Answer, delay_ms: int) -> dict[str, Any]:
        """Mountebank's JSON for an answer, delayed by ``delay_ms``."""
        headers = dict(answer.headers)
        body = ""
        if answer.body is not None:
            if isinstance(answer.body, str) and "json" not in (answer.media_type or ""):
                body = answer.body
            else:
                body = json.dumps(answer.body, ensure_ascii=False, separators=(",", ":"))
        typed = any(k.lower() == "content-type" for k in headers)
        if answer.media_type and answer.body is not None and not typed:
            headers["Content-Type"] = answer.media_type
        headers.update(KEEP_ALIVE)
        response: dict[str, Any] = {
            "is": {"statusCode": answer.status, "headers": headers, "body": body}
        }
        behaviors: list[dict[str, Any]] = []
        for name, regex in answer.echo:
            token = _ECHO_TOKEN % name
            behaviors.append(_copy({"headers": name}, token, f"^(?!undefined$)(?:{regex})$"))
            # The request had no such header: send the client's port number instead.
            behaviors.append(_copy("requestFrom", token, "[0-9]+$"))
        if delay_ms > 0:
            behaviors.append({"wait": delay_ms})
        if behaviors:
            response["behaviors"] = behaviors
        return response


def _copy(source: Any, token: str, selector: str) -> dict[str, Any]:
    return {
        "copy": {"from": source, "into": token, "using": {"method": "regex", "selector": selector}}
    }


def _with_body(answer: _Answer, body: Any) -> _Answer:
    return _Answer(
        answer.status, answer.headers, body, answer.media_type, answer.schema, answer.echo
    )


def _cycle(schedule: Schedule, render: Callable[[Step], dict[str, Any]]) -> list[dict[str, Any]]:
    """Mountebank's response list: the prefix once, then the cycle (long enough to last)."""
    cycle = _merge([render(s) for s in schedule.cycle])
    if not schedule.prefix:
        return cycle
    prefix = _merge([render(s) for s in schedule.prefix])
    if len(cycle) == 1:
        return [*prefix, {**cycle[0], "repeat": SEQUENCE_HORIZON}]
    copies = math.ceil(_MIXED_HORIZON / len(schedule.cycle))
    return [*prefix, *(cycle * copies)]


def _merge(responses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Runs of the same response as one entry with Mountebank's ``repeat``."""
    out: list[dict[str, Any]] = []
    runs: list[int] = []
    for response in responses:
        if out and response is out[-1]:
            runs[-1] += 1
        else:
            out.append(response)
            runs.append(1)
    return [r if n == 1 else {**r, "repeat": n} for r, n in zip(out, runs, strict=True)]


def _success_key(op: Operation) -> str | None:
    keys = sorted(k for k in op.responses if k.startswith("2"))
    key = keys[0] if keys else ("default" if "default" in op.responses else None)
    if key is None and op.responses:
        key = next(iter(op.responses))
    return key


def _pick_media(content: dict[str, MediaType], prefer: str) -> MediaType | None:
    if not content:
        return None
    ranked = sorted(
        content.values(),
        key=lambda m: (
            prefer not in m.media_type,
            "json" not in m.media_type,
            m.media_type != "application/json",
        ),
    )
    return ranked[0]


def _body_schema(response: Response, media: str | None) -> Schema | None:
    chosen = response.content.get(media or "") or _pick_media(response.content, "json")
    return chosen.schema if chosen else None


def _problem(status: int, detail: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": _phrase(status), "status": status}
    if detail:
        body["detail"] = detail
    return body


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
