"""A per-service circuit breaker driven by an injectable clock.

pybreaker 1.4 was evaluated and not used: it reads `datetime.now()` directly
(module-level, wall-clock, not injectable per breaker), so its cool-down can
only be tested with real sleeps or by patching the module; and its half-open
state lets every concurrent caller through instead of a single trial call.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import StrEnum

from notifyhub.orchestrator.clock import SYSTEM_CLOCK, Clock
from notifyhub.orchestrator.errors import CircuitOpen

logger = logging.getLogger(__name__)


class BreakerState(StrEnum):
    """The three breaker states."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass(frozen=True)
class BreakerPolicy:
    """Open after `failure_threshold` consecutive failures; try again after `reset_timeout` s."""

    failure_threshold: int = 5
    reset_timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if self.reset_timeout < 0:
            raise ValueError("reset_timeout must not be negative")


class CircuitBreaker:
    """Fails fast while a service is known to be down; one trial call when cooling down ends.

    Callers wrap each attempt: `acquire()` before (raises `CircuitOpen`), then
    exactly one of `record_success()` or `record_failure()` after. Thread-safe.
    """

    def __init__(
        self, service: str, policy: BreakerPolicy | None = None, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.service = service
        self.policy = policy or BreakerPolicy()
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        """The current state; an open breaker whose cool-down is over reports half-open."""
        with self._lock:
            return self._current()

    def acquire(self) -> None:
        """Let a call through, or raise `CircuitOpen` without calling the service."""
        with self._lock:
            state = self._current()
            if state is BreakerState.CLOSED:
                return
            if state is BreakerState.HALF_OPEN and not self._trial_in_flight:
                self._move(BreakerState.HALF_OPEN)
                self._trial_in_flight = True
                return
            retry_in = max(0.0, self._opened_at + self.policy.reset_timeout - self._now())
        raise CircuitOpen(
            f"circuit open, calls fail fast for another {retry_in:.1f}s",
            service=self.service,
            retry_in=retry_in,
        )

    def record_success(self) -> None:
        """The call got an answer from the service: reset the count, close after a trial."""
        with self._lock:
            self._failures = 0
            if self._state is BreakerState.HALF_OPEN:
                self._trial_in_flight = False
                self._move(BreakerState.CLOSED)

    def record_failure(self) -> None:
        """The call failed in a way that suggests the service is down."""
        with self._lock:
            if self._state is BreakerState.HALF_OPEN:
                self._trial_in_flight = False
                self._open()
            elif self._state is BreakerState.CLOSED:
                self._failures += 1
                if self._failures >= self.policy.failure_threshold:
                    self._open()

    def _now(self) -> float:
        return self._clock.monotonic()

    def _current(self) -> BreakerState:
        cooled_down = self._now() - self._opened_at >= self.policy.reset_timeout
        if self._state is BreakerState.OPEN and cooled_down:
            return BreakerState.HALF_OPEN
        return self._state

    def _open(self) -> None:
        self._opened_at = self._now()
        self._failures = 0
        self._move(BreakerState.OPEN)

    def _move(self, state: BreakerState) -> None:
        if state is not self._state:
            level = logging.WARNING if state is BreakerState.OPEN else logging.INFO
            logger.log(level, "circuit breaker %s: %s -> %s", self.service, self._state, state)
            self._state = state
