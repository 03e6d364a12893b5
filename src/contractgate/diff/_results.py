"""What ``diff`` returns: classified changes, who relies on them, per spec pair.

Plain dataclasses with ``to_dict()`` (the ``--json`` shape); the terminal table and
the gate are renderings of the same objects.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from ..check import Location
from ._rules import SEVERITIES, Severity

Side = Literal["request", "response"]


def field_path(path: tuple[str, ...]) -> str:
    """``("items", "*", "code")`` as ``$.items[*].code`` (the notation of pact matchers)."""
    return "$" + "".join("[*]" if part == "*" else f".{part}" for part in path)


@dataclass(frozen=True)
class Target:
    """What a change touches, in terms an interaction of a pact can rely on.

    ``operation`` is the old spec's ``METHOD /template`` (None: every operation);
    ``status`` a response status key of the old spec; ``parameter`` a
    ``(location, name)`` pair (header names in lower case). A body change is
    ``anchored`` to the old schema node (``(file, pointer)``) it concerns, and to a
    field ``key`` of it for changes to one field; ``field`` is the body path where it
    was first found (``*``: any array item or map value), for people. With
    ``absent``, the change hits the interactions that do *not* send the parameter or
    field (a new requirement), not those that do.
    """

    operation: str | None
    side: Side | None = None
    status: str | None = None
    media: str | None = None
    parameter: tuple[str, str] | None = None
    header: str | None = None
    field: tuple[str, ...] | None = None
    anchor: tuple[str, str] | None = None
    key: str | None = None
    absent: bool = False

    def describe(self) -> str:
        """Where the change is, for people: ``GET /users/{id} 200 $.name``."""
        parts = [self.operation or "every operation"]
        if self.parameter is not None:
            parts.append(f"{self.parameter[0]} parameter {self.parameter[1]}")
        elif self.side == "request" and (self.media or self.field is not None or self.absent):
            parts.append("request")
        if self.status is not None:
            parts.append(self.status)
        if self.header is not None:
            parts.append(f"header {self.header}")
        elif self.field is not None and self.parameter is None:
            parts.append(field_path(self.field))
        elif self.media is not None:
            parts.append(f"({self.media})")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "side": self.side,
            "status": self.status,
            "media_type": self.media,
            "parameter": list(self.parameter) if self.parameter else None,
            "header": self.header,
            "field": field_path(self.field) if self.field is not None else None,
            "absent": self.absent,
            "where": self.describe(),
        }


@dataclass(frozen=True)
class Affected:
    """One interaction of a consumer's pact that relies on what changed, and how."""

    consumer: str
    pact: str
    interaction: int
    description: str
    pointer: str
    relies_on: str
    provider_states: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "pact": self.pact,
            "interaction": self.interaction,
            "description": self.description,
            "provider_states": list(self.provider_states),
            "pointer": self.pointer,
            "relies_on": self.relies_on,
        }


@dataclass(frozen=True)
class Change:
    """One classified difference between the old and the new spec.

    ``old``/``new`` point into each spec (None where the thing does not exist on that
    side); ``targets`` are every place the changed definition is used; ``affected``
    the interactions that rely on it (listed for breaking and possibly breaking
    changes only).
    """

    rule: str
    severity: Severity
    message: str
    old: Location | None
    new: Location | None
    targets: tuple[Target, ...]
    affected: tuple[Affected, ...] = ()

    @property
    def consumers(self) -> list[str]:
        """The consumers with an interaction that relies on this change."""
        return sorted({a.consumer for a in self.affected})

    @property
    def breaks_consumer(self) -> bool:
        """A breaking change that a consumer relies on."""
        return self.severity == "breaking" and bool(self.affected)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "old": self.old.to_dict() if self.old else None,
            "new": self.new.to_dict() if self.new else None,
            "where": [t.to_dict() for t in self.targets],
            "consumers": self.consumers,
            "affected": [a.to_dict() for a in self.affected],
        }


@dataclass
class DiffResult:
    """The changes between two versions of one spec, with their consumers.

    ``passed`` is false when a breaking change has a consumer relying on it, or, with
    ``strict``, when there is any breaking change at all. ``unmatched`` lists the
    interactions that reach no operation of the old spec (``contractgate check``
    tells why); they rely on nothing here.
    """

    old: str
    new: str
    changes: list[Change]
    consumers: tuple[str, ...] = ()
    unmatched: tuple[Affected, ...] = ()
    strict: bool = False
    service: str | None = None
    note: str | None = None

    @property
    def failures(self) -> list[Change]:
        """The changes that fail the diff."""
        return [
            c
            for c in self.changes
            if c.severity == "breaking" and (self.strict or c.breaks_consumer)
        ]

    @property
    def passed(self) -> bool:
        return not self.failures

    def counts(self) -> dict[str, int]:
        by_severity = Counter(c.severity for c in self.changes)
        return {
            **{s: by_severity[s] for s in SEVERITIES},
            "breaking_relied_upon": sum(c.breaks_consumer for c in self.changes),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "old": self.old,
            "new": self.new,
            "note": self.note,
            "passed": self.passed,
            "strict": self.strict,
            "consumers": list(self.consumers),
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
            "unmatched_interactions": [a.to_dict() for a in self.unmatched],
        }


@dataclass
class DiffReport:
    """The diffs of several services (``contractgate diff --base REF`` with a config)."""

    results: list[DiffResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for result in self.results:
            total.update(result.counts())
        return {key: total[key] for key in (*SEVERITIES, "breaking_relied_upon")}

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "counts": self.counts(),
            "results": [r.to_dict() for r in self.results],
        }
