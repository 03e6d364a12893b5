"""Build the orchestrator's clients from configuration."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Final, Self

import requests

from notifyhub.orchestrator.breaker import CircuitBreaker
from notifyhub.orchestrator.clock import SYSTEM_CLOCK, Clock
from notifyhub.orchestrator.config import ServiceConfig, ServicesConfig
from notifyhub.orchestrator.session import build_session
from notifyhub.orchestrator.template_client import TemplateClient
from notifyhub.orchestrator.transport import ServiceTransport
from notifyhub.orchestrator.user_client import UserClient

USER_SERVICE: Final = "user-service"
TEMPLATE_SERVICE: Final = "template-service"


@dataclass(frozen=True)
class Clients:
    """The clients of both services and the session they share; closing closes it."""

    users: UserClient
    templates: TemplateClient
    session: requests.Session

    def close(self) -> None:
        """Close the shared session's pooled connections."""
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def build_clients(
    config: ServicesConfig,
    *,
    session: requests.Session | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> Clients:
    """Build both clients over one session (a new tuned one unless given).

    Each service gets its own circuit breaker; the stub URLs are used when
    `config.use_mock_services` is true, the real ones otherwise.
    """
    shared = session or build_session(pool_maxsize=config.pool_maxsize)

    def transport(service: str, settings: ServiceConfig) -> ServiceTransport:
        return ServiceTransport(
            service,
            settings.stub_url if config.use_mock_services else settings.base_url,
            session=shared,
            token=settings.token,
            timeout=settings.timeout,
            retry=settings.retry,
            breaker=CircuitBreaker(service, settings.breaker, clock),
            clock=clock,
        )

    return Clients(
        users=UserClient(transport(USER_SERVICE, config.user_service)),
        templates=TemplateClient(transport(TEMPLATE_SERVICE, config.template_service)),
        session=shared,
    )
