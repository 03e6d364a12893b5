"""Retry policy: how often, how long between attempts, and the total time budget."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by attempts and a deadline.

    `max_attempts` counts the first try (1 disables retries). `deadline` bounds
    the whole call in seconds, attempts and waits included.
    """

    max_attempts: int = 3
    initial_delay: float = 0.1
    max_delay: float = 5.0
    deadline: float = 10.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_delay < 0 or self.max_delay < self.initial_delay:
            raise ValueError("need 0 <= initial_delay <= max_delay")
        if self.deadline <= 0:
            raise ValueError("deadline must be positive")

    def backoff(self, retry: int, jitter: float) -> float:
        """Delay before retry number `retry` (1-based), `jitter` drawn uniformly from [0, 1).

        Full jitter: uniform in [0, min(max_delay, initial_delay * 2 ** (retry - 1))).
        """
        ceiling = min(self.max_delay, self.initial_delay * 2.0 ** min(retry - 1, 64))
        return jitter * ceiling
