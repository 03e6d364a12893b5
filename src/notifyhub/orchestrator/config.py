"""Configuration of the orchestrator's downstream services (mirrors the seed's ServicesConfig)."""

from __future__ import annotations

from dataclasses import dataclass, field

from notifyhub.orchestrator.breaker import BreakerPolicy
from notifyhub.orchestrator.retry import RetryPolicy


@dataclass(frozen=True)
class ServiceConfig:
    """Where and how to call one service.

    `base_url` and `stub_url` are service roots such as `http://127.0.0.1:8081`
    (the clients add `/v1/...`); `timeout` bounds each attempt in seconds.
    """

    base_url: str
    stub_url: str
    token: str
    timeout: float = 3.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: BreakerPolicy = field(default_factory=BreakerPolicy)


@dataclass(frozen=True)
class ServicesConfig:
    """Both services; `use_mock_services` points the clients at the stubs instead."""

    user_service: ServiceConfig
    template_service: ServiceConfig
    use_mock_services: bool = False
    pool_maxsize: int = 20
