"""The time source behind retries and the circuit breaker, swappable in tests."""

from __future__ import annotations

import time
from typing import Final, Protocol


class Clock(Protocol):
    """Monotonic time and sleeping, the only time the clients use."""

    def monotonic(self) -> float:
        """Return seconds from an arbitrary, never decreasing origin."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block for `seconds`."""
        ...


class SystemClock:
    """The process's monotonic clock and a real sleep."""

    def monotonic(self) -> float:
        """Return `time.monotonic()`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Call `time.sleep(seconds)`."""
        time.sleep(seconds)


SYSTEM_CLOCK: Final = SystemClock()
