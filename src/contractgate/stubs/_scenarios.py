"""Scenarios: named, seeded fault and latency profiles for a service's stubs.

A scenario file (``stubs/<service>.yaml``) holds named scenarios; each is a list of
faults, applied to every operation or to the ones a fault names::

    service: user-service            # optional; must match the service it is used for
    scenarios:
      flaky-preferences:
        description: One in five preference reads fails with 503.
        faults:
          - operation: getPreferences   # operationId or "GET /users/{userId}/preferences"
            error: 503
            rate: 0.2
          - latency: {distribution: lognormal, p50: 80ms, p99: 900ms}

A built-in catalogue (``happy``, ``flaky``, ``timeout``, ...) is always available;
a file's scenario of the same name replaces the built-in one. Every problem in a
file is one :class:`InputError` naming the file and ``line:col``.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from statistics import NormalDist
from typing import Any, NoReturn

from .._documents import Document, json_pointer, load_document
from .._errors import InputError
from .._openapi import Operation, Spec

BUILTIN_SOURCE = "built-in"
_BUILTIN_FILE = Path(__file__).with_name("builtin.yaml")
_Z99 = NormalDist().inv_cdf(0.99)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m)")
_UNIT_MS = {"ms": 1.0, "s": 1000.0, "m": 60000.0}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_At = tuple[str | int, ...]  # a path into the document, for error places


# -- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    """A delay distribution, in milliseconds.

    ``fixed`` uses ``value``; ``uniform`` ``low``..``high``; ``normal`` ``mean`` and
    ``stddev`` (cut at 0); ``lognormal`` its median ``p50`` and 99th percentile ``p99``.
    """

    distribution: str
    value: float = 0.0
    low: float = 0.0
    high: float = 0.0
    mean: float = 0.0
    stddev: float = 0.0
    p50: float = 0.0
    p99: float = 0.0

    def quantile(self, q: float) -> float:
        """The delay at cumulative probability ``q`` (0 < q < 1), in milliseconds."""
        if self.distribution == "fixed":
            return self.value
        if self.distribution == "uniform":
            return self.low + q * (self.high - self.low)
        z = NormalDist().inv_cdf(min(max(q, 1e-9), 1 - 1e-9))
        if self.distribution == "normal":
            return max(0.0, self.mean + z * self.stddev)
        if self.p50 <= 0:
            return 0.0
        sigma = (math.log(self.p99) - math.log(self.p50)) / _Z99 if self.p99 > self.p50 else 0.0
        return math.exp(math.log(self.p50) + sigma * z)

    def to_dict(self) -> dict[str, Any]:
        keys = {
            "fixed": ("value",),
            "uniform": ("low", "high"),
            "normal": ("mean", "stddev"),
            "lognormal": ("p50", "p99"),
        }[self.distribution]
        return {"distribution": self.distribution, **{f"{k}_ms": getattr(self, k) for k in keys}}


@dataclass(frozen=True, kw_only=True)
class _Fault:
    operations: tuple[str, ...] = ()
    """operationIds or ``METHOD /path`` keys; empty means every operation."""
    rate: float = 1.0
    """The share of responses the fault affects, 0 to 1."""
    source: str = BUILTIN_SOURCE
    place: str | None = None

    kind = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        out.update(self._fields())
        if self.operations:
            out["operations"] = list(self.operations)
        out["rate"] = self.rate
        return out

    def _fields(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, kw_only=True)
class ErrorFault(_Fault):
    """Answer with an HTTP error status (and the spec's problem body for it)."""

    status: int
    retry_after: int = 1
    """``Retry-After`` seconds sent with 429 and 503."""
    kind = "error"

    def _fields(self) -> dict[str, Any]:
        return {"status": self.status, "retry_after": self.retry_after}


@dataclass(frozen=True, kw_only=True)
class SequenceFault(_Fault):
    """Play these statuses (``"ok"`` for the normal answer) once, then the rest of the scenario."""

    steps: tuple[int | str, ...]
    retry_after: int = 1
    kind = "sequence"

    def _fields(self) -> dict[str, Any]:
        return {"steps": list(self.steps), "retry_after": self.retry_after}


@dataclass(frozen=True, kw_only=True)
class LatencyFault(_Fault):
    """Delay responses by a seeded draw from a distribution."""

    latency: Latency
    kind = "latency"

    def _fields(self) -> dict[str, Any]:
        return {"latency": self.latency.to_dict()}


@dataclass(frozen=True, kw_only=True)
class TimeoutFault(_Fault):
    """Hang for ``after_ms`` before answering: past the consumer's timeout."""

    after_ms: float = 10000.0
    kind = "timeout"

    def _fields(self) -> dict[str, Any]:
        return {"after_ms": self.after_ms}


@dataclass(frozen=True, kw_only=True)
class ConnectionFault(_Fault):
    """Break the connection: ``reset`` (TCP reset) or ``garbage`` (random bytes, then close)."""

    mode: str
    kind = "connection"

    def _fields(self) -> dict[str, Any]:
        return {"mode": self.mode}


@dataclass(frozen=True, kw_only=True)
class DriftFault(_Fault):
    """Break the success body's contract: rename or remove fields.

    With neither ``rename`` nor ``remove``, the first required string property is
    renamed (``user_id`` becomes ``userId``, ``userId`` becomes ``user_id``).
    """

    rename: Mapping[str, str] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    kind = "drift"

    def _fields(self) -> dict[str, Any]:
        return {"rename": dict(self.rename), "remove": list(self.remove)}


@dataclass(frozen=True, kw_only=True)
class EdgeDataFault(_Fault):
    """Valid but awkward bodies: unicode, emoji and long strings; optional fields left out."""

    max_length: int = 1000
    """Length of generated strings where the schema sets no ``maxLength``."""
    kind = "edge_data"

    def _fields(self) -> dict[str, Any]:
        return {"max_length": self.max_length}


Fault = (
    ErrorFault
    | SequenceFault
    | LatencyFault
    | TimeoutFault
    | ConnectionFault
    | DriftFault
    | EdgeDataFault
)


@dataclass(frozen=True)
class Scenario:
    """A named fault profile: what the stubs of a service do wrong, and how often."""

    name: str
    description: str = ""
    faults: tuple[Fault, ...] = ()
    source: str = BUILTIN_SOURCE
    place: str | None = None

    def faults_for(self, operation: Operation | None) -> list[Fault]:
        """The faults that apply to ``operation`` (``None``: a request no operation documents)."""
        return [f for f in self.faults if applies(f, operation)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "faults": [f.to_dict() for f in self.faults],
        }


@dataclass(frozen=True)
class ScenarioFile:
    """A loaded scenario file: the service it is for (if stated) and its scenarios in order."""

    source: str
    service: str | None
    scenarios: dict[str, Scenario]
    document: Document = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "service": self.service,
            "scenarios": [s.to_dict() for s in self.scenarios.values()],
        }


def applies(fault: Fault, operation: Operation | None) -> bool:
    """Whether ``fault`` is meant for ``operation`` (faults naming no operation apply to all)."""
    if not fault.operations:
        return True
    if operation is None:
        return False
    return any(ref in (operation.operation_id, operation.key) for ref in fault.operations)


# -- reading -----------------------------------------------------------------------------

_COMMON = ("operation", "rate")
_KINDS: dict[str, tuple[str, ...]] = {
    "error": ("retry_after",),
    "sequence": ("retry_after",),
    "latency": (),
    "timeout": (),
    "connection": (),
    "drift": (),
    "edge_data": (),
}
_NO_RATE = {"sequence"}


class _Reader:
    """Validates one document's scenarios, every error pointing at a line and column."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def fail(self, message: str, parts: _At, hint: str | None = None) -> NoReturn:
        raise self.doc.error(message, json_pointer(parts), hint=hint)

    def keys(self, data: dict[str, Any], allowed: tuple[str, ...], at: _At) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(allowed)
                self.fail(f"unknown key {key!r}", (*at, key), hint)

    def mapping(self, value: Any, at: _At, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(f"{what} must be a mapping, found {_kind(value)}", at)
        return value

    def read(self) -> ScenarioFile:
        data = self.doc.data
        self.keys(data, ("service", "scenarios"), ())
        service = data.get("service")
        if service is not None and (not isinstance(service, str) or not service):
            self.fail("service must be a service name", ("service",))
        if "scenarios" not in data:
            self.fail("no 'scenarios' mapping", (), hint="add scenarios: {NAME: {faults: [...]}}")
        raw = self.mapping(data["scenarios"], ("scenarios",), "scenarios")
        if not raw:
            self.fail("'scenarios' is empty", ("scenarios",), hint="define at least one scenario")
        scenarios = {}
        for name, body in raw.items():
            scenarios[name] = self.scenario(name, body, ("scenarios", name))
        return ScenarioFile(self.doc.source, service, scenarios, self.doc)

    def scenario(self, name: Any, body: Any, at: _At) -> Scenario:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            self.fail(
                f"scenario name {name!r} is not a name",
                at,
                hint="use letters, digits, '-', '_' and '.', e.g. flaky-preferences",
            )
        if body is None:
            body = {}
        body = self.mapping(body, at, f"scenario {name!r}")
        self.keys(body, ("description", "faults"), at)
        description = body.get("description", "")
        if not isinstance(description, str):
            self.fail("description must be text", (*at, "description"))
        raw_faults = body.get("faults", [])
        if raw_faults is None:
            raw_faults = []
        if not isinstance(raw_faults, list):
            self.fail("faults must be a list", (*at, "faults"), hint="- error: 503")
        faults = tuple(self.fault(entry, (*at, "faults", i)) for i, entry in enumerate(raw_faults))
        return Scenario(
            name, description.strip(), faults, self.doc.source, self.doc.place(json_pointer(at))
        )

    def fault(self, raw: Any, at: _At) -> Fault:
        raw = self.mapping(raw, at, "a fault")
        kinds = [k for k in raw if k in _KINDS]
        if len(kinds) != 1:
            unknown = [k for k in raw if k not in _KINDS and k not in _COMMON]
            known = tuple(_KINDS) + _COMMON + ("retry_after",)
            if unknown:  # most often a misspelt kind
                close = difflib.get_close_matches(str(unknown[0]), known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "kinds: " + ", ".join(_KINDS)
                self.fail(f"unknown key {unknown[0]!r}", (*at, unknown[0]), hint)
            self.fail(
                "a fault needs exactly one kind" + (f", found {', '.join(kinds)}" if kinds else ""),
                at,
                hint="kinds: " + ", ".join(_KINDS),
            )
        kind = kinds[0]
        allowed = (kind, "operation", *_KINDS[kind])
        if kind not in _NO_RATE:
            allowed += ("rate",)
        self.keys(raw, allowed, at)
        common: dict[str, Any] = {
            "operations": self.operations(raw.get("operation"), (*at, "operation")),
            "rate": self.rate(raw.get("rate", 1.0), (*at, "rate")),
            "source": self.doc.source,
            "place": self.doc.place(json_pointer(at)),
        }
        value, v_at = raw[kind], (*at, kind)
        if kind == "error":
            return ErrorFault(
                status=self.status(value, v_at, errors_only=True),
                retry_after=self.retry_after(raw, at),
                **common,
            )
        if kind == "sequence":
            return SequenceFault(
                steps=self.steps(value, v_at), retry_after=self.retry_after(raw, at), **common
            )
        if kind == "latency":
            return LatencyFault(latency=self.latency(value, v_at), **common)
        if kind == "timeout":
            after = 10000.0 if value in (None, True) else self.duration(value, v_at)
            return TimeoutFault(after_ms=after, **common)
        if kind == "connection":
            if value not in ("reset", "garbage"):
                self.fail(
                    f"connection fault {value!r} is not known", v_at, hint="use reset or garbage"
                )
            return ConnectionFault(mode=value, **common)
        if kind == "drift":
            rename, remove = self.drift(value, v_at)
            return DriftFault(rename=rename, remove=remove, **common)
        return EdgeDataFault(max_length=self.edge(value, v_at), **common)

    def operations(self, value: Any, at: _At) -> tuple[str, ...]:
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                where = (*at, i) if isinstance(value, list) else at
                self.fail(
                    "operation must be an operationId or 'METHOD /path'",
                    where,
                    hint="e.g. getPreferences or GET /users/{userId}/preferences",
                )
        return tuple(_normalize_ref(i) for i in items)

    def rate(self, value: Any, at: _At) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            self.fail(
                f"rate {value!r} is not between 0 and 1",
                at,
                hint="a share of requests: 0.2 means one in five",
            )
        return float(value)

    def status(self, value: Any, at: _At, *, errors_only: bool) -> int:
        low = 400 if errors_only else 100
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 599:
            self.fail(
                f"status {value!r} is not an HTTP {'error ' if errors_only else ''}status",
                at,
                hint=f"use a number from {low} to 599",
            )
        return int(value)

    def retry_after(self, raw: dict[str, Any], at: _At) -> int:
        if "retry_after" not in raw:
            return 1
        ms = self.duration(raw["retry_after"], (*at, "retry_after"))
        if ms % 1000:
            self.fail(
                "retry_after must be whole seconds", (*at, "retry_after"), hint="e.g. 2s or 0s"
            )
        return int(ms // 1000)

    def steps(self, value: Any, at: _At) -> tuple[int | str, ...]:
        if not isinstance(value, list) or not value:
            self.fail("sequence must be a list of statuses", at, hint="e.g. [503, 503]")
        steps: list[int | str] = []
        for i, step in enumerate(value):
            if step == "ok":
                steps.append("ok")
            else:
                steps.append(self.status(step, (*at, i), errors_only=False))
        return tuple(steps)

    def duration(self, value: Any, at: _At) -> float:
        if value == 0 and not isinstance(value, bool):
            return 0.0
        m = _DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
        if m is None:
            self.fail(
                f"{value!r} is not a duration",
                at,
                hint="a number with a unit: 250ms, 1.5s or 2m",
            )
        return float(m.group(1)) * _UNIT_MS[m.group(2)]

    def latency(self, value: Any, at: _At) -> Latency:
        if not isinstance(value, dict):
            return Latency("fixed", value=self.duration(value, at))
        dist = value.get("distribution", "fixed")
        if not isinstance(dist, str):
            self.fail("distribution must be a name", (*at, "distribution"), hint="e.g. lognormal")
        shapes: dict[str, tuple[str, ...]] = {
            "fixed": ("value",),
            "uniform": ("min", "max"),
            "normal": ("mean", "stddev"),
            "lognormal": ("p50", "p99"),
        }
        if dist not in shapes:
            close = difflib.get_close_matches(str(dist), list(shapes), n=1)
            self.fail(
                f"unknown latency distribution {dist!r}",
                (*at, "distribution"),
                hint=f"did you mean {close[0]!r}?" if close else "use " + ", ".join(shapes),
            )
        needed = shapes[dist] if dist != "normal" or "mean" in value else ("p50", "p99")
        allowed = ("distribution", *needed)
        if dist == "normal":
            allowed = ("distribution", "mean", "stddev", "p50", "p99")
        self.keys(value, allowed, at)
        for key in needed:
            if key not in value:
                self.fail(f"{dist} latency needs {' and '.join(needed)}", at)
        got = {k: self.duration(value[k], (*at, k)) for k in needed}
        if dist == "fixed":
            return Latency("fixed", value=got["value"])
        if dist == "uniform":
            if got["max"] < got["min"]:
                self.fail("max is below min", (*at, "max"))
            return Latency("uniform", low=got["min"], high=got["max"])
        if "p99" in got and got["p99"] < got["p50"]:
            self.fail(
                "p99 is below p50", (*at, "p99"), hint="the 99th percentile is at least the median"
            )
        if dist == "normal":
            if "mean" in got:
                return Latency("normal", mean=got["mean"], stddev=got["stddev"])
            return Latency("normal", mean=got["p50"], stddev=(got["p99"] - got["p50"]) / _Z99)
        if got["p50"] <= 0:
            self.fail("a lognormal p50 must be above 0", (*at, "p50"))
        return Latency("lognormal", p50=got["p50"], p99=got["p99"])

    def drift(self, value: Any, at: _At) -> tuple[dict[str, str], tuple[str, ...]]:
        if value in (None, True, "auto"):
            return {}, ()
        value = self.mapping(value, at, "drift")
        self.keys(value, ("rename", "remove"), at)
        rename = value.get("rename", {}) or {}
        if not isinstance(rename, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in rename.items()
        ):
            self.fail("rename maps field names to new names", (*at, "rename"), hint="{id: userId}")
        remove = value.get("remove", []) or []
        remove = [remove] if isinstance(remove, str) else remove
        if not isinstance(remove, list) or not all(isinstance(v, str) and v for v in remove):
            self.fail("remove is a list of field names", (*at, "remove"))
        return dict(rename), tuple(remove)

    def edge(self, value: Any, at: _At) -> int:
        if value in (None, True):
            return 1000
        value = self.mapping(value, at, "edge_data")
        self.keys(value, ("max_length",), at)
        length = value.get("max_length", 1000)
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            self.fail("max_length must be a whole number >= 1", (*at, "max_length"))
        return int(length)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {list: "a list", str: "text", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _normalize_ref(ref: str) -> str:
    """``get /users/{id}`` and ``GET  /users/{id}`` both become ``GET /users/{id}``."""
    method, _, path = ref.strip().partition(" ")
    if path.strip().startswith("/"):
        return f"{method.upper()} {path.strip()}"
    return ref.strip()


def read_scenario_file(doc: Document) -> ScenarioFile:
    """Validate a parsed scenario document into a :class:`ScenarioFile`."""
    return _Reader(doc).read()


def load_scenario_file(path: str | Path) -> ScenarioFile:
    """Load and validate a scenario file, or raise one :class:`InputError` naming file and line."""
    return read_scenario_file(load_document(path))


@cache
def builtin_scenarios() -> Mapping[str, Scenario]:
    """The built-in catalogue: ``happy``, ``not-found``, ..., ``edge-data``."""
    doc = load_document(_BUILTIN_FILE)
    loaded = read_scenario_file(doc)
    return {
        name: Scenario(s.name, s.description, _as_builtin(s.faults), BUILTIN_SOURCE)
        for name, s in loaded.scenarios.items()
    }


def _as_builtin(faults: tuple[Fault, ...]) -> tuple[Fault, ...]:
    return tuple(dataclasses.replace(f, source=BUILTIN_SOURCE, place=None) for f in faults)


def scenario_catalogue(scenarios: ScenarioFile | None = None) -> dict[str, Scenario]:
    """A file's scenarios, then the built-in ones it does not replace, by name."""
    catalogue = dict(scenarios.scenarios) if scenarios is not None else {}
    for name, scenario in builtin_scenarios().items():
        catalogue.setdefault(name, scenario)
    return catalogue


def find_scenario(name: str, scenarios: ScenarioFile | None = None) -> Scenario:
    """The scenario called ``name``: the file's, else the built-in one; else :class:`InputError`."""
    catalogue = scenario_catalogue(scenarios)
    if name in catalogue:
        return catalogue[name]
    close = difflib.get_close_matches(name, list(catalogue), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "known: " + ", ".join(catalogue)
    raise InputError(
        f"no scenario named {name!r}",
        source=scenarios.source if scenarios else None,
        hint=hint,
    )


def check_scenario(scenario: Scenario, spec: Spec) -> None:
    """Raise :class:`InputError` (file and line) for a fault naming an operation ``spec`` lacks."""
    known: dict[str, Operation] = {}
    for op in spec.operations:
        known[op.key] = op
        if op.operation_id:
            known[op.operation_id] = op
    for fault in scenario.faults:
        for ref in fault.operations:
            if ref in known:
                continue
            close = difflib.get_close_matches(ref, list(known), n=1)
            raise InputError(
                f"scenario {scenario.name!r}: {spec.source} has no operation {ref!r}",
                source=fault.source,
                place=fault.place,
                hint=f"did you mean {close[0]!r}?"
                if close
                else "name an operationId or 'METHOD /path' of the spec",
            )


def check_scenario_file(scenarios: ScenarioFile, service: str, spec: Spec | None = None) -> None:
    """Raise :class:`InputError` if the file is for another service or names unknown operations."""
    if scenarios.service is not None and scenarios.service != service:
        raise scenarios.document.error(
            f"this scenario file is for {scenarios.service!r}, not {service!r}",
            "/service",
            hint="fix 'service' or the scenarios path in the configuration",
        )
    if spec is not None:
        for scenario in scenarios.scenarios.values():
            check_scenario(scenario, spec)
