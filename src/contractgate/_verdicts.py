"""A pact's outcome as ``check`` and ``verify`` report it: a verdict per interaction, counted.

Both commands judge every interaction of a pact as passed, failed or something that
neither passes nor fails (not applicable; with ``verify`` also pending); a pact
passes when no interaction failed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar


class Judged(Protocol):
    """An interaction with a verdict and a ``--json`` shape."""

    @property
    def verdict(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


_I = TypeVar("_I", bound=Judged)


def count_verdicts(interactions: list[_I], verdicts: Iterable[str]) -> dict[str, int]:
    """How many ``interactions`` there are and how many have each of ``verdicts``.

    A verdict's key has its spaces as underscores (``not applicable``: ``not_applicable``).
    """
    counted = Counter(i.verdict for i in interactions)
    return {
        "interactions": len(interactions),
        **{verdict.replace(" ", "_"): counted[verdict] for verdict in verdicts},
    }


@dataclass
class PactOutcome(ABC, Generic[_I]):
    """One pact file and the verdict on each of its interactions."""

    source: str
    consumer: str
    provider: str
    spec_version: str
    interactions: list[_I]

    @property
    def passed(self) -> bool:
        """No interaction failed (the other verdicts neither pass nor fail)."""
        return not any(i.verdict == "failed" for i in self.interactions)

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """The interactions counted by verdict."""

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape."""
        return {
            "source": self.source,
            "consumer": self.consumer,
            "provider": self.provider,
            "spec_version": self.spec_version,
            "passed": self.passed,
            "counts": self.counts(),
            "interactions": [i.to_dict() for i in self.interactions],
        }
