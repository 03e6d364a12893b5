"""The circuit breaker's states, alone and around the transport (fake clock, no sockets)."""

from __future__ import annotations

import pytest
import requests

from notifyhub.orchestrator import (
    BreakerPolicy,
    BreakerState,
    CircuitBreaker,
    CircuitOpen,
    RetryPolicy,
    ServiceError,
    ServiceTransport,
    Unavailable,
    UserClient,
)
from notifyhub.orchestrator.testing import FakeClock, ScriptedAdapter, reply, scripted_session

USER = {"id": "u-1001", "username": "alice", "created_at": "2025-01-15T09:30:00Z"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(
        "user-service", BreakerPolicy(failure_threshold=5, reset_timeout=30.0), clock
    )


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.acquire()
        breaker.record_failure()


class TestStates:
    def test_starts_closed_and_opens_at_the_threshold(self, breaker: CircuitBreaker) -> None:
        fail(breaker, 4)
        assert breaker.state is BreakerState.CLOSED
        fail(breaker, 1)
        assert breaker.state is BreakerState.OPEN

    def test_only_consecutive_failures_count(self, breaker: CircuitBreaker) -> None:
        fail(breaker, 4)
        breaker.acquire()
        breaker.record_success()
        fail(breaker, 4)
        assert breaker.state is BreakerState.CLOSED

    def test_open_fails_fast_saying_when_it_half_opens(
        self, breaker: CircuitBreaker, clock: FakeClock
    ) -> None:
        fail(breaker, 5)
        clock.advance(10.0)
        with pytest.raises(CircuitOpen) as caught:
            breaker.acquire()
        assert caught.value.retry_in == pytest.approx(20.0)
        assert caught.value.service == "user-service"

    def test_half_opens_after_the_cool_down_for_one_trial(
        self, breaker: CircuitBreaker, clock: FakeClock
    ) -> None:
        fail(breaker, 5)
        clock.advance(30.0)
        assert breaker.state is BreakerState.HALF_OPEN
        breaker.acquire()
        with pytest.raises(CircuitOpen):
            breaker.acquire()  # a second caller while the trial is in flight

    def test_successful_trial_closes(self, breaker: CircuitBreaker, clock: FakeClock) -> None:
        fail(breaker, 5)
        clock.advance(30.0)
        breaker.acquire()
        breaker.record_success()
        assert breaker.state is BreakerState.CLOSED
        fail(breaker, 4)
        assert breaker.state is BreakerState.CLOSED

    def test_failed_trial_reopens_for_a_new_cool_down(
        self, breaker: CircuitBreaker, clock: FakeClock
    ) -> None:
        fail(breaker, 5)
        clock.advance(30.0)
        fail(breaker, 1)
        assert breaker.state is BreakerState.OPEN
        clock.advance(29.0)
        assert breaker.state is BreakerState.OPEN
        clock.advance(1.0)
        assert breaker.state is BreakerState.HALF_OPEN

    @pytest.mark.parametrize("kwargs", [{"failure_threshold": 0}, {"reset_timeout": -1.0}])
    def test_rejects_nonsense(self, kwargs: dict[str, float]) -> None:
        with pytest.raises(ValueError, match=r"must"):
            BreakerPolicy(**kwargs)  # type: ignore[arg-type]


def client(
    *script: requests.Response | Exception, clock: FakeClock, max_attempts: int = 1
) -> tuple[UserClient, ScriptedAdapter]:
    adapter = ScriptedAdapter(*script, clock=clock)
    transport = ServiceTransport(
        "user-service",
        "http://users.test",
        session=scripted_session(adapter),
        token="test-token",
        retry=RetryPolicy(max_attempts=max_attempts),
        breaker=CircuitBreaker("user-service", BreakerPolicy(), clock),
        clock=clock,
        jitter=lambda: 0.5,
    )
    return UserClient(transport), adapter


class TestAroundTheTransport:
    def test_opens_after_five_failed_calls_then_skips_the_service(self, clock: FakeClock) -> None:
        failures: list[requests.Response | Exception] = [
            reply(503),
            requests.ConnectionError("x"),
            requests.ReadTimeout("y"),
        ]
        users, adapter = client(*failures, reply(502), reply(504), clock=clock)
        for _ in range(5):
            with pytest.raises(Unavailable):
                users.get_user("u-1001")
        with pytest.raises(CircuitOpen) as caught:
            users.get_user("u-1001", request_id="req-7")
        assert len(adapter.requests) == 5
        assert caught.value.request_id == "req-7"
        assert users.transport.breaker.state is BreakerState.OPEN

    @pytest.mark.parametrize("status", [400, 403, 404, 422, 429, 500])
    def test_answers_from_a_working_service_do_not_count(
        self, clock: FakeClock, status: int
    ) -> None:
        users, adapter = client(*(reply(status) for _ in range(6)), clock=clock)
        for _ in range(6):
            with pytest.raises(ServiceError):
                users.get_user("u-1001")
        assert len(adapter.requests) == 6
        assert users.transport.breaker.state is BreakerState.CLOSED

    def test_half_open_trial_success_closes_the_circuit(self, clock: FakeClock) -> None:
        users, _ = client(*(reply(503) for _ in range(5)), reply(200, USER), clock=clock)
        for _ in range(5):
            with pytest.raises(Unavailable):
                users.get_user("u-1001")
        clock.advance(30.0)
        assert users.get_user("u-1001").username == "alice"
        assert users.transport.breaker.state is BreakerState.CLOSED

    def test_retries_stop_when_a_failure_opens_the_circuit(self, clock: FakeClock) -> None:
        users, adapter = client(*(reply(503) for _ in range(7)), clock=clock, max_attempts=3)
        for _ in range(2):  # 2 calls x 3 attempts = 6 failures > threshold 5
            with pytest.raises(Unavailable) as caught:
                users.get_user("u-1001")
        assert not isinstance(caught.value, CircuitOpen)
        assert len(adapter.requests) == 5
        assert clock.sleeps == pytest.approx([0.05, 0.1, 0.05])
