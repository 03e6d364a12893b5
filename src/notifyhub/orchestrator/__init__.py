"""The notification orchestrator and its resilient clients of the user and template services."""

from notifyhub.orchestrator.breaker import BreakerPolicy, BreakerState, CircuitBreaker
from notifyhub.orchestrator.clock import SYSTEM_CLOCK, Clock, SystemClock
from notifyhub.orchestrator.config import ServiceConfig, ServicesConfig
from notifyhub.orchestrator.errors import (
    BadRequest,
    CircuitOpen,
    ContractViolation,
    Forbidden,
    MissingVariables,
    NotFound,
    RateLimited,
    ServerError,
    ServiceError,
    Timeout,
    Unauthorized,
    Unavailable,
)
from notifyhub.orchestrator.factory import (
    TEMPLATE_SERVICE,
    USER_SERVICE,
    Clients,
    build_clients,
)
from notifyhub.orchestrator.models import (
    Channel,
    PreferencesUpdate,
    QuietHours,
    RenderedMessage,
    Template,
    TemplatePage,
    TemplateSummary,
    User,
    UserPreferences,
)
from notifyhub.orchestrator.orchestrator import (
    DEFAULT_CHANNELS,
    Delivery,
    NotificationResult,
    Orchestrator,
)
from notifyhub.orchestrator.retry import RetryPolicy
from notifyhub.orchestrator.session import build_session
from notifyhub.orchestrator.template_client import TemplateClient
from notifyhub.orchestrator.transport import ServiceTransport
from notifyhub.orchestrator.user_client import UserClient

__all__ = [
    "DEFAULT_CHANNELS",
    "SYSTEM_CLOCK",
    "TEMPLATE_SERVICE",
    "USER_SERVICE",
    "BadRequest",
    "BreakerPolicy",
    "BreakerState",
    "Channel",
    "CircuitBreaker",
    "CircuitOpen",
    "Clients",
    "Clock",
    "ContractViolation",
    "Delivery",
    "Forbidden",
    "MissingVariables",
    "NotFound",
    "NotificationResult",
    "Orchestrator",
    "PreferencesUpdate",
    "QuietHours",
    "RateLimited",
    "RenderedMessage",
    "RetryPolicy",
    "ServerError",
    "ServiceConfig",
    "ServiceError",
    "ServiceTransport",
    "ServicesConfig",
    "SystemClock",
    "Template",
    "TemplateClient",
    "TemplatePage",
    "TemplateSummary",
    "Timeout",
    "Unauthorized",
    "Unavailable",
    "User",
    "UserClient",
    "UserPreferences",
    "build_clients",
    "build_session",
]
