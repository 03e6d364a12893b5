"""Which of a plan's stubs Mountebank holds from the start, and where the others go later.

Mountebank tries an imposter's stubs one by one and, for every stub it walks past,
clones and normalises the whole request for its first predicate: measured here,
6.5k requests/s with one stub, 3k at stub 20, 800 at stub 100, 250 at stub 500. A
spec of hundreds of operations (three stubs each: the answer, 401 and 400) cannot be
served fast by one flat list, and a routing imposter in front (Mountebank's
``proxy``) costs a hop per request: a quarter of the throughput.

So a large plan is served *lazily*: the imposter starts with the pact stubs, the
stubs that cannot be answered through a proxy (connection faults, bodies that are
JSON scalars) and, last, a stub that proxies every other request to contractgate
(:mod:`._materializer`). At an operation's first request, contractgate inserts the
stubs of its *route group* at their places in the plan's order and replays the
request, which Mountebank now answers itself; later requests never leave Mountebank
and walk past only the stubs of what the consumer has called.

A route group is the operations whose paths can match one request (same method,
segments that are equal or templated): since only their stubs can match such a
request, holding all or none of a group's stubs answers every request as the flat
plan would. This module is pure: it computes the layout; nothing here talks to
Mountebank.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from .._openapi import Operation, Spec
from ._imposter import LazyPlan
from ._predicates import route_predicates

LAZY_MIN_STUBS = 32
"""Plans with more stubs than this are served lazily on a Mountebank contractgate started."""
REPLAY_HEADER = "X-Contractgate-Replay"
"""Marks a request contractgate replays to the imposter (left out of the journal)."""
PLAN_HEADER = "X-Contractgate-Plan"
"""Names the plan an imposter serves, on the requests it proxies to contractgate."""
PROXY_MODE = "proxyTransparent"


@dataclass(frozen=True)
class _Route:
    method: str
    path: str | None
    """The exact path, for an operation without path parameters."""
    regex: re.Pattern[str] | None
    group: int

    def matches(self, method: str, path: str) -> bool:
        if method != self.method:
            return False
        if self.path is not None:
            return path == self.path
        assert self.regex is not None
        return self.regex.search(path) is not None


@dataclass(frozen=True)
class Layout:
    """How one plan is served lazily."""

    plan: LazyPlan
    front: tuple[int, ...]
    """Stubs (indices into the plan) on Mountebank from the start, in plan order."""
    groups: dict[int, tuple[int, ...]]
    """The stubs of each route group put on Mountebank at its first request."""
    routes: tuple[_Route, ...]

    @property
    def lazy(self) -> bool:
        """Whether any stub waits for its first request (else the plan is served flat)."""
        return bool(self.groups)

    def group_for(self, method: str, path: str) -> int | None:
        """The lazy route group whose stubs can answer this request, if any."""
        for route in self.routes:
            if route.matches(method.upper(), path):
                return route.group
        return None

    def front_stubs(self, proxy_to: str, plan_id: str) -> list[dict[str, Any]]:
        """The imposter's stubs at the start: ``front``, then the proxy to contractgate."""
        stubs = [self.plan.stub(i) for i in self.front]
        proxy = {"to": proxy_to, "mode": PROXY_MODE, "injectHeaders": {PLAN_HEADER: plan_id}}
        return [*stubs, {"predicates": [], "responses": [{"proxy": proxy}]}]

    def insertions(self, present: list[int], group: int) -> list[tuple[int, dict[str, Any]]]:
        """``(index on Mountebank, stub)`` to insert a group's stubs, in order.

        The stubs are made here (which may raise :class:`InputError`); ``present``
        (sorted plan indices of the stubs Mountebank holds) is updated.
        """
        made = [(index, self.plan.stub(index)) for index in self.groups[group]]
        out = []
        for index, stub in made:
            position = bisect_left(present, index)
            present.insert(position, index)
            out.append((position, stub))
        return out

    def not_found(self) -> dict[str, Any]:
        """The plan's answer to a request no operation documents (Mountebank's ``is``)."""
        response: dict[str, Any] = self.plan.stub(len(self.plan) - 1)["responses"][0]["is"]
        return response


def route_groups(spec: Spec) -> dict[str, int]:
    """Operation key -> group: operations whose paths can match one request share a group."""
    ops = spec.operations
    parent = list(range(len(ops)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    shapes = [_shape(spec, op) for op in ops]
    by_method: dict[str, list[int]] = {}
    for index, op in enumerate(ops):
        by_method.setdefault(op.method, []).append(index)
    for members in by_method.values():
        by_length: dict[int, list[tuple[int, tuple[str | None, ...]]]] = {}
        wild = []
        for i in members:
            shape = shapes[i]
            if shape is None:
                wild.append(i)
            else:
                by_length.setdefault(len(shape), []).append((i, shape))
        for same in by_length.values():
            for n, (i, a) in enumerate(same):
                for j, b in same[n + 1 :]:
                    if find(i) != find(j) and _overlap(a, b):
                        parent[find(j)] = find(i)
        for i in wild:  # a parameter that may hold "/": it can match any of them
            for j in members:
                parent[find(j)] = find(i)
    return {op.key: find(i) for i, op in enumerate(ops)}


def _shape(spec: Spec, op: Operation) -> tuple[str | None, ...] | None:
    """The path's segments, templated ones as None; None when a value may span segments."""
    for param in op.parameters_in("path"):
        if param.schema is None:
            continue
        schema = spec.resolve(param.schema.node, param.schema.pointer, param.schema.source)[0]
        enum = schema.get("enum") if isinstance(schema, dict) else None
        if isinstance(enum, list) and any("/" in str(v) for v in enum):
            return None
    return tuple(None if "{" in part else part for part in op.path.split("/"))


def _overlap(a: tuple[str | None, ...], b: tuple[str | None, ...]) -> bool:
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def layout(plan: LazyPlan, spec: Spec) -> Layout:
    """The lazy layout of ``plan``: pacts and unrelayable groups in front, the rest later.

    A group stays in front when one of its stubs may answer in a way Mountebank's
    proxy cannot relay at its first request: a broken connection, or a body that is a
    JSON scalar (the proxy sends its text). Only those groups' stubs are made here.
    """
    groups_of = route_groups(spec)
    members: dict[int, list[int]] = {}
    eager: set[int] = set()
    front: list[int] = []
    for index, (kind, operation) in enumerate(zip(plan.kinds, plan.operations, strict=True)):
        if kind == "not-found":
            continue  # contractgate answers requests no group can match
        if kind == "pact" or operation not in groups_of:
            front.append(index)
            continue
        group = groups_of[operation]
        members.setdefault(group, []).append(index)
        if not plan.relayable(index):
            eager.add(group)
    for group in eager:
        front.extend(members.pop(group))
    routes = []
    for op in spec.operations:
        group = groups_of[op.key]
        if group in members:
            routes.append(_route(spec, op, group))
    return Layout(
        plan,
        tuple(sorted(front)),
        {group: tuple(indices) for group, indices in members.items()},
        tuple(routes),
    )


def _route(spec: Spec, op: Operation, group: int) -> _Route:
    """The operation's loose route (method and path, any parameter values) as a matcher."""
    path: str | None = None
    regex: re.Pattern[str] | None = None
    for pred in route_predicates(spec, op, strict=False):
        if "equals" in pred and "path" in pred["equals"]:
            path = str(pred["equals"]["path"])
        elif "matches" in pred:
            regex = re.compile(str(pred["matches"]["path"]))
    return _Route(op.method, path, regex, group)
