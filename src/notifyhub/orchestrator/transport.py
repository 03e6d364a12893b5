"""One logical call to a service: headers, timeouts, retries, circuit breaker, typed errors."""

from __future__ import annotations

import logging
import random
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, TypeVar

import requests

from notifyhub.orchestrator.breaker import BreakerState, CircuitBreaker
from notifyhub.orchestrator.clock import SYSTEM_CLOCK, Clock
from notifyhub.orchestrator.errors import (
    CircuitOpen,
    ContractViolation,
    RateLimited,
    ServiceError,
    Timeout,
    Unavailable,
)
from notifyhub.orchestrator.models import ShapeError
from notifyhub.orchestrator.problems import TRANSIENT_STATUSES, error_from_response
from notifyhub.orchestrator.retry import RetryPolicy

T = TypeVar("T")

logger = logging.getLogger(__name__)

#: What the services accept as `X-Request-ID` (see the OpenAPI specs).
REQUEST_ID_PATTERN: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

QueryParams = Mapping[str, str | int]


class ServiceTransport:
    """Sends calls to one service over a shared session, resiliently.

    Retried (with backoff, within `retry.deadline`): connection errors,
    timeouts and 502/503/504 when the call is idempotent; 429 always, since
    the service did not process the request. A `Retry-After` header replaces
    the backoff delay; a wait that would pass the deadline is not started and
    the error is raised at once. Nothing else is retried.
    """

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        session: requests.Session,
        token: str,
        timeout: float = 3.0,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        clock: Clock = SYSTEM_CLOCK,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.breaker = breaker or CircuitBreaker(service, clock=clock)
        self._session = session
        self._token = token
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._clock = clock
        self._jitter = jitter

    def call(
        self,
        method: str,
        path: str,
        parse: Callable[[object], T],
        *,
        idempotent: bool,
        request_id: str | None = None,
        json_body: object = None,
        params: QueryParams | None = None,
    ) -> T:
        """Send `method path`, retrying as allowed, and `parse` the 2xx JSON body.

        `request_id` becomes `X-Request-ID` (a uuid4 when None) and is kept
        across retries. Raises a `ServiceError` subclass; a body that is not
        JSON or that `parse` rejects raises `ContractViolation`.
        """
        rid = _request_id(request_id)
        headers = {
            "Authorization": f"Bearer {self._token}",
            "X-Request-ID": rid,
            "Accept": "application/json, application/problem+json",
        }
        request = _Request(method, self.base_url + path, headers, json_body, params)
        response = self._send_with_retries(request, rid, idempotent=idempotent)
        try:
            return parse(response.json())
        except (requests.JSONDecodeError, ShapeError) as exc:
            raise ContractViolation(
                f"{method} {path}: {exc}",
                service=self.service,
                status=response.status_code,
                request_id=rid,
            ) from exc

    def _send_with_retries(
        self, request: _Request, request_id: str, *, idempotent: bool
    ) -> requests.Response:
        deadline = self._clock.monotonic() + self._retry.deadline
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(request, request_id, deadline)
            except ServiceError as error:
                delay = self._retry_delay(error, attempt, idempotent=idempotent)
                if delay is None or delay >= deadline - self._clock.monotonic():
                    raise
                logger.info("%s; retry %d in %.3fs", error, attempt, delay)
                self._clock.sleep(delay)

    def _retry_delay(self, error: ServiceError, attempt: int, *, idempotent: bool) -> float | None:
        """Seconds to wait before the next attempt, or None when `error` is final."""
        if attempt >= self._retry.max_attempts or isinstance(error, CircuitOpen):
            return None
        if self.breaker.state is BreakerState.OPEN:  # this failure opened it: stop here
            return None
        if isinstance(error, RateLimited) or (idempotent and isinstance(error, Unavailable)):
            hint = error.retry_after
        else:
            return None
        return hint if hint is not None else self._retry.backoff(attempt, self._jitter())

    def _attempt(self, request: _Request, request_id: str, deadline: float) -> requests.Response:
        """One try: through the breaker, bounded by the per-call timeout and the deadline."""
        timeout = min(self._timeout, deadline - self._clock.monotonic())
        if timeout <= 0:
            raise Timeout("deadline passed", service=self.service, request_id=request_id)
        try:
            self.breaker.acquire()
        except CircuitOpen as exc:
            exc.request_id = request_id
            raise
        healthy = False
        try:
            response = self._session.request(
                request.method,
                request.url,
                headers=request.headers,
                json=request.json_body,
                params=request.params,
                timeout=timeout,
                allow_redirects=False,
            )
            healthy = response.status_code not in TRANSIENT_STATUSES
        except requests.Timeout as exc:
            raise Timeout(
                f"no answer within {timeout:.3f}s", service=self.service, request_id=request_id
            ) from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise Unavailable(
                f"connection failed: {exc}", service=self.service, request_id=request_id
            ) from exc
        except requests.RequestException as exc:
            raise ServiceError(
                f"request failed: {exc}", service=self.service, request_id=request_id
            ) from exc
        finally:
            if healthy:
                self.breaker.record_success()
            else:
                self.breaker.record_failure()
        if not 200 <= response.status_code < 300:
            raise error_from_response(self.service, response, request_id)
        return response


@dataclass(frozen=True)
class _Request:
    """What is sent on every attempt of one call."""

    method: str
    url: str
    headers: dict[str, str]
    json_body: object
    params: QueryParams | None


def _request_id(request_id: str | None) -> str:
    """The caller's correlation id (validated) or a fresh uuid4."""
    if request_id is None:
        return str(uuid.uuid4())
    if not REQUEST_ID_PATTERN.fullmatch(request_id):
        raise ValueError(f"request_id {request_id!r} does not match {REQUEST_ID_PATTERN.pattern}")
    return request_id
