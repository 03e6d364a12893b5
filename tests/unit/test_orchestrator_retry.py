"""Retries, backoff, deadline and Retry-After of the service transport (fake clock, no sockets)."""

from __future__ import annotations

import random
import uuid

import pytest
import requests

from notifyhub.orchestrator import (
    CircuitBreaker,
    RateLimited,
    RetryPolicy,
    ServiceError,
    ServiceTransport,
    Timeout,
    Unavailable,
    UserClient,
)
from notifyhub.orchestrator.testing import FakeClock, ScriptedAdapter, reply, scripted_session

USER = {
    "id": "u-1001",
    "username": "alice",
    "display_name": "Alice Example",
    "created_at": "2025-01-15T09:30:00Z",
}
HALF = 0.5  # the jitter draw used throughout: delays are half their ceiling


def make(
    *script: requests.Response | Exception,
    retry: RetryPolicy | None = None,
    latency: float = 0.0,
) -> tuple[ServiceTransport, ScriptedAdapter, FakeClock]:
    clock = FakeClock()
    adapter = ScriptedAdapter(*script, clock=clock, latency=latency)
    transport = ServiceTransport(
        "user-service",
        "http://users.test/",
        session=scripted_session(adapter),
        token="test-token",
        retry=retry,
        breaker=CircuitBreaker("user-service", clock=clock),
        clock=clock,
        jitter=lambda: HALF,
    )
    return transport, adapter, clock


def echo(body: object) -> object:
    return body


def get_user(transport: ServiceTransport, request_id: str | None = None) -> object:
    return UserClient(transport).get_user("u-1001", request_id=request_id)


class TestBackoff:
    def test_ceiling_doubles_from_the_initial_delay(self) -> None:
        policy = RetryPolicy(initial_delay=0.1, max_delay=5.0)
        assert [policy.backoff(n, 1.0) for n in (1, 2, 3, 4)] == pytest.approx([0.1, 0.2, 0.4, 0.8])

    def test_ceiling_is_capped_at_max_delay(self) -> None:
        policy = RetryPolicy(initial_delay=0.1, max_delay=5.0)
        assert policy.backoff(7, 1.0) == 5.0
        assert policy.backoff(10_000, 1.0) == 5.0

    def test_full_jitter_spreads_over_zero_to_ceiling(self) -> None:
        policy = RetryPolicy(initial_delay=0.1, max_delay=5.0)
        draws = random.Random(7)
        delays = [policy.backoff(3, draws.random()) for _ in range(500)]
        assert all(0.0 <= d < 0.4 for d in delays)
        assert min(delays) < 0.05
        assert max(delays) > 0.35
        assert policy.backoff(3, 0.0) == 0.0

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"max_attempts": 0},
            {"initial_delay": -1.0},
            {"initial_delay": 2.0, "max_delay": 1.0},
            {"deadline": 0.0},
        ],
    )
    def test_rejects_nonsense(self, kwargs: dict[str, float]) -> None:
        with pytest.raises(ValueError, match=r"must|need"):
            RetryPolicy(**kwargs)  # type: ignore[arg-type]


class TestRetries:
    def test_transient_statuses_are_retried_with_backoff(self) -> None:
        transport, adapter, clock = make(reply(503), reply(502), reply(200, USER))
        assert get_user(transport) is not None
        assert len(adapter.requests) == 3
        assert clock.sleeps == pytest.approx([0.05, 0.1])

    def test_gives_up_after_max_attempts(self) -> None:
        transport, adapter, clock = make(reply(504), reply(503), reply(503))
        with pytest.raises(Unavailable) as caught:
            get_user(transport)
        assert caught.value.status == 503
        assert len(adapter.requests) == 3
        assert len(clock.sleeps) == 2

    @pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 500])
    def test_other_errors_are_not_retried(self, status: int) -> None:
        transport, adapter, clock = make(reply(status, {"title": "no"}))
        with pytest.raises(ServiceError) as caught:
            get_user(transport)
        assert not isinstance(caught.value, Unavailable | RateLimited)
        assert len(adapter.requests) == 1
        assert clock.sleeps == []

    def test_connection_errors_are_retried(self) -> None:
        transport, adapter, _ = make(requests.ConnectionError("refused"), reply(200, USER))
        get_user(transport)
        assert len(adapter.requests) == 2

    def test_timeouts_are_retried_then_raised_as_timeout(self) -> None:
        transport, adapter, _ = make(*(requests.ReadTimeout("slow") for _ in range(3)))
        with pytest.raises(Timeout):
            get_user(transport)
        assert len(adapter.requests) == 3

    def test_each_attempt_gets_the_per_call_timeout(self) -> None:
        transport, adapter, _ = make(reply(200, USER))
        get_user(transport)
        assert adapter.timeouts == [3.0]

    def test_non_idempotent_calls_are_not_retried_on_503(self) -> None:
        transport, adapter, _ = make(reply(503), reply(200, {}))
        with pytest.raises(Unavailable):
            transport.call("POST", "/v1/things", echo, idempotent=False)
        assert len(adapter.requests) == 1

    def test_max_attempts_one_disables_retries(self) -> None:
        transport, adapter, _ = make(reply(503), retry=RetryPolicy(max_attempts=1))
        with pytest.raises(Unavailable):
            get_user(transport)
        assert len(adapter.requests) == 1


class TestDeadline:
    def test_deadline_bounds_attempts_and_shortens_the_last_timeout(self) -> None:
        slow = [requests.ReadTimeout("slow") for _ in range(3)]
        transport, adapter, clock = make(*slow, retry=RetryPolicy(deadline=5.0), latency=3.0)
        with pytest.raises(Timeout):
            get_user(transport)
        # t=0 first try (3 s), t=3.05 second try with the 1.95 s left, then out of budget.
        assert adapter.timeouts == pytest.approx([3.0, 1.95])
        assert clock.now - 1000.0 == pytest.approx(5.0)

    def test_no_wait_is_started_that_would_pass_the_deadline(self) -> None:
        policy = RetryPolicy(initial_delay=8.0, max_delay=8.0, deadline=3.0)  # waits 4 s
        transport, adapter, clock = make(reply(503), reply(200, USER), retry=policy)
        with pytest.raises(Unavailable):
            get_user(transport)
        assert clock.sleeps == []
        assert len(adapter.requests) == 1


class TestRetryAfter:
    def test_429_waits_retry_after_then_succeeds(self) -> None:
        transport, adapter, clock = make(
            reply(429, {"title": "slow down"}, headers={"Retry-After": "1"}), reply(200, USER)
        )
        get_user(transport)
        assert clock.sleeps == [1.0]
        assert len(adapter.requests) == 2

    def test_429_beyond_the_budget_fails_at_once(self) -> None:
        transport, adapter, clock = make(reply(429, headers={"Retry-After": "30"}))
        with pytest.raises(RateLimited) as caught:
            get_user(transport)
        assert caught.value.retry_after == 30.0
        assert clock.sleeps == []
        assert len(adapter.requests) == 1

    def test_429_without_retry_after_backs_off(self) -> None:
        transport, _, clock = make(reply(429), reply(200, USER))
        get_user(transport)
        assert clock.sleeps == pytest.approx([0.05])

    def test_429_is_retried_even_when_not_idempotent(self) -> None:
        transport, adapter, _ = make(reply(429, headers={"Retry-After": "0"}), reply(200, {}))
        transport.call("POST", "/v1/things", echo, idempotent=False)
        assert len(adapter.requests) == 2

    def test_429_exhausting_attempts_raises_rate_limited(self) -> None:
        limited = [reply(429, headers={"Retry-After": "1"}) for _ in range(3)]
        transport, _, clock = make(*limited)
        with pytest.raises(RateLimited) as caught:
            get_user(transport)
        assert caught.value.retry_after == 1.0
        assert clock.sleeps == [1.0, 1.0]

    def test_503_retry_after_replaces_the_backoff(self) -> None:
        transport, _, clock = make(reply(503, headers={"Retry-After": "2"}), reply(200, USER))
        get_user(transport)
        assert clock.sleeps == [2.0]

    def test_unparseable_retry_after_falls_back_to_backoff(self) -> None:
        date = "Wed, 21 Oct 2015 07:28:00 GMT"
        transport, _, clock = make(reply(429, headers={"Retry-After": date}), reply(200, USER))
        get_user(transport)
        assert clock.sleeps == pytest.approx([0.05])


class TestHeaders:
    def test_token_and_caller_request_id_go_with_every_attempt(self) -> None:
        transport, adapter, _ = make(reply(503), reply(200, USER))
        get_user(transport, request_id="req-42")
        for sent in adapter.requests:
            assert sent.headers["Authorization"] == "Bearer test-token"
            assert sent.headers["X-Request-ID"] == "req-42"
        assert adapter.requests[0].url == "http://users.test/v1/users/u-1001"

    def test_request_id_defaults_to_a_uuid4(self) -> None:
        transport, adapter, _ = make(reply(200, USER))
        get_user(transport)
        assert uuid.UUID(adapter.requests[0].headers["X-Request-ID"]).version == 4

    def test_invalid_request_id_is_refused_before_sending(self) -> None:
        transport, adapter, _ = make()
        with pytest.raises(ValueError, match="request_id"):
            get_user(transport, request_id="not valid!")
        assert adapter.requests == []
