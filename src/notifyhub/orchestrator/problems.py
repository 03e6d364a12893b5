"""Map a non-2xx response (an RFC 9457 problem document) to a typed `ServiceError`."""

from __future__ import annotations

from typing import Final

import requests

from notifyhub.orchestrator.errors import (
    BadRequest,
    ContractViolation,
    Forbidden,
    MissingVariables,
    NotFound,
    RateLimited,
    ServerError,
    ServiceError,
    Unauthorized,
    Unavailable,
)
from notifyhub.orchestrator.models import ShapeError, missing_variables

#: Statuses meaning "transient, try again": the service or a proxy in front is overloaded.
TRANSIENT_STATUSES: Final = frozenset({502, 503, 504})

_PLAIN: Final[dict[int, type[ServiceError]]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
}


def retry_after_seconds(response: requests.Response) -> float | None:
    """Return the `Retry-After` delay in seconds, or None if absent or not delta-seconds."""
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def error_from_response(service: str, response: requests.Response, request_id: str) -> ServiceError:
    """Return the typed error for a response whose status is not 2xx."""
    status = response.status_code
    text = _problem_text(response)
    if status in _PLAIN:
        return _PLAIN[status](text, service=service, status=status, request_id=request_id)
    if status == 422:
        return _missing_variables_error(service, response, text, request_id)
    if status == 429:
        retry_after = retry_after_seconds(response)
        return RateLimited(text, service=service, retry_after=retry_after, request_id=request_id)
    if 400 <= status < 500:
        return BadRequest(text, service=service, status=status, request_id=request_id)
    if status in TRANSIENT_STATUSES:
        return Unavailable(
            text,
            service=service,
            status=status,
            retry_after=retry_after_seconds(response),
            request_id=request_id,
        )
    if 500 <= status < 600:
        return ServerError(text, service=service, status=status, request_id=request_id)
    return ContractViolation(
        f"unexpected status {text}", service=service, status=status, request_id=request_id
    )


def _problem_text(response: requests.Response) -> str:
    """`<status> <detail or title>` from the problem body, else the reason phrase."""
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if isinstance(problem, dict):
        for key in ("detail", "title"):
            if isinstance(problem.get(key), str):
                return f"{response.status_code} {problem[key]}"
    return f"{response.status_code} {response.reason or ''}".rstrip()


def _missing_variables_error(
    service: str, response: requests.Response, text: str, request_id: str
) -> ServiceError:
    """A 422 must list the missing variables; without that list it breaks the contract."""
    try:
        names = missing_variables(response.json())
    except (ValueError, ShapeError) as exc:
        return ContractViolation(
            f"422 without a usable missing_variables list: {exc}",
            service=service,
            status=422,
            request_id=request_id,
        )
    return MissingVariables(text, service=service, missing_variables=names, request_id=request_id)
