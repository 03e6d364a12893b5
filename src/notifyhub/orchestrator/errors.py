"""Typed errors of the orchestrator's service clients, all under `ServiceError`.

`Unavailable` covers every "the service gave no usable answer" case; `Timeout`
and `CircuitOpen` are kinds of it, so `except Unavailable` is the place to
degrade gracefully.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A call to a downstream service failed; names the service and correlation id."""

    def __init__(
        self,
        message: str,
        *,
        service: str,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.status = status
        self.request_id = request_id


class BadRequest(ServiceError):
    """The service rejected the request as malformed (400 or another 4xx): a caller bug."""


class Unauthorized(ServiceError):
    """The bearer token is missing or invalid (401)."""


class Forbidden(ServiceError):
    """The token may not access the resource (403)."""


class NotFound(ServiceError):
    """The resource does not exist (404)."""


class MissingVariables(ServiceError):
    """Rendering needs variables that were not given (422)."""

    def __init__(
        self,
        message: str,
        *,
        service: str,
        missing_variables: tuple[str, ...],
        status: int | None = 422,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, service=service, status=status, request_id=request_id)
        self.missing_variables = missing_variables


class RateLimited(ServiceError):
    """The rate limit is exhausted (429); `retry_after` is the server's hint in seconds."""

    def __init__(
        self,
        message: str,
        *,
        service: str,
        retry_after: float | None,
        status: int | None = 429,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, service=service, status=status, request_id=request_id)
        self.retry_after = retry_after


class ServerError(ServiceError):
    """The service failed internally (500 or another non-transient 5xx)."""


class Unavailable(ServiceError):
    """No usable answer: connection failure or 502/503/504; `retry_after` from the server."""

    def __init__(
        self,
        message: str,
        *,
        service: str,
        retry_after: float | None = None,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, service=service, status=status, request_id=request_id)
        self.retry_after = retry_after


class Timeout(Unavailable):
    """The service did not answer within the per-call timeout."""


class CircuitOpen(Unavailable):
    """The breaker is open, so the service was not called; it half-opens in `retry_in` s."""

    def __init__(
        self,
        message: str,
        *,
        service: str,
        retry_in: float,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, service=service, request_id=request_id)
        self.retry_in = retry_in


class ContractViolation(ServiceError):
    """A response lacks the shape the client relies on (status, JSON, field or type)."""
