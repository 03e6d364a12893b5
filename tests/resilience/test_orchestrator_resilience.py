"""The orchestrator's resilience suite: its real clients against contractgate's stubs.

Each test puts a user or template service stub with a fault scenario on Mountebank
(the `stub` fixture of contractgate's pytest plugin) and checks that the orchestrator
survives it as the seed's risks ask: retries where safe, not where not, honours
Retry-After, opens its circuit, bounds hangs, and degrades when the user service is
down. `contractgate gate` runs this file as its resilience stage.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import pairwise

import pytest

from contractgate.stubs import RecordedRequest, Stub
from notifyhub.orchestrator import (
    BreakerPolicy,
    CircuitOpen,
    ContractViolation,
    MissingVariables,
    NotFound,
    Orchestrator,
    RetryPolicy,
    ServiceConfig,
    ServicesConfig,
    Timeout,
    Unavailable,
    build_clients,
)
from notifyhub.orchestrator.factory import Clients

pytestmark = pytest.mark.integration

StubFactory = Callable[..., Stub]
TOKEN = "test-token"
FAST_RETRY = RetryPolicy(max_attempts=3, initial_delay=0.05, max_delay=0.2, deadline=5.0)


def service(url: str, **overrides: object) -> ServiceConfig:
    settings: dict[str, object] = {"timeout": 1.0, "retry": FAST_RETRY, **overrides}
    return ServiceConfig(base_url=url, stub_url=url, token=TOKEN, **settings)  # type: ignore[arg-type]


@pytest.fixture
def clients() -> Iterator[Callable[..., Clients]]:
    built: list[Clients] = []

    def make(users: ServiceConfig, templates: ServiceConfig) -> Clients:
        made = build_clients(ServicesConfig(user_service=users, template_service=templates))
        built.append(made)
        return made

    yield make
    for made in built:
        made.close()


def seconds_between(requests: list[RecordedRequest]) -> list[float]:
    stamps = [datetime.fromisoformat(r.timestamp.replace("Z", "+00:00")) for r in requests]
    return [(b - a).total_seconds() for a, b in pairwise(stamps)]


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens here any more


def test_outage_then_recovery_is_retried_after_retry_after(
    stub: StubFactory, clients: Callable[..., Clients]
) -> None:
    users = stub(
        "user-service", scenario="outage-then-recovery"
    )  # 503, 503 (Retry-After: 1), then 200
    made = clients(service(users.url), service(stub("template-service").url))

    prefs = made.users.get_preferences("u-1001")

    assert isinstance(prefs.email, bool)
    journal = users.requests()
    assert [r.path for r in journal] == ["/v1/users/u-1001/preferences"] * 3
    assert len({r.header("X-Request-ID") for r in journal}) == 1  # one logical call, three attempts
    assert all(0.95 <= gap <= 2.0 for gap in seconds_between(journal))  # waited as told, no longer


def test_gateway_errors_are_retried_with_bounded_jittered_backoff(
    stub: StubFactory, clients: Callable[..., Clients]
) -> None:
    users = stub("user-service", scenario="gateway-errors")  # 502, 504 (no Retry-After), then 200
    made = clients(service(users.url), service(stub("template-service").url))

    user = made.users.get_user("u-1001")

    assert user.username
    journal = users.requests()
    assert len(journal) == 3
    # full jitter: each wait is drawn from [0, min(cap, initial * 2**attempt)]
    assert all(gap <= FAST_RETRY.max_delay + 0.15 for gap in seconds_between(journal))


def test_not_found_is_not_retried(stub: StubFactory, clients: Callable[..., Clients]) -> None:
    users = stub("user-service", scenario="not-found")
    made = clients(service(users.url), service(stub("template-service").url))

    with pytest.raises(NotFound):
        made.users.get_user("u-1001")

    assert len(users.requests()) == 1


def test_rate_limit_waits_for_retry_after(
    stub: StubFactory, clients: Callable[..., Clients]
) -> None:
    users = stub("user-service", scenario="throttled-once")
    made = clients(service(users.url), service(stub("template-service").url))

    started = time.monotonic()
    user = made.users.get_user("u-1001")
    elapsed = time.monotonic() - started

    assert user.username
    assert len(users.requests()) == 2
    assert elapsed >= 1.0  # the stub said Retry-After: 1
    assert seconds_between(users.requests())[0] >= 0.95


def test_circuit_opens_and_then_fails_fast(
    stub: StubFactory, clients: Callable[..., Clients]
) -> None:
    users = stub("user-service", scenario="unavailable")
    policy = BreakerPolicy(failure_threshold=3, reset_timeout=30.0)
    no_retry = RetryPolicy(max_attempts=1, initial_delay=0.01, max_delay=0.01, deadline=2.0)
    made = clients(
        service(users.url, retry=no_retry, breaker=policy), service(stub("template-service").url)
    )

    for _ in range(3):
        with pytest.raises(Unavailable) as caught:
            made.users.get_preferences("u-1001")
        assert not isinstance(caught.value, CircuitOpen)
    calls_when_opened = len(users.requests())

    started = time.monotonic()
    with pytest.raises(CircuitOpen):
        made.users.get_preferences("u-1001")

    assert time.monotonic() - started < 0.1
    assert calls_when_opened == 3
    assert len(users.requests()) == calls_when_opened  # the open circuit did not call the stub


def test_hang_hits_the_timeout_within_bounds(
    stub: StubFactory, clients: Callable[..., Clients]
) -> None:
    users = stub("user-service", scenario="preferences-timeout")
    no_retry = RetryPolicy(max_attempts=1, initial_delay=0.01, max_delay=0.01, deadline=2.0)
    made = clients(
        service(users.url, timeout=0.5, retry=no_retry), service(stub("template-service").url)
    )

    started = time.monotonic()
    with pytest.raises(Timeout):
        made.users.get_preferences("u-1001")

    assert 0.45 <= time.monotonic() - started < 1.5


def test_connection_reset_is_retried(stub: StubFactory, clients: Callable[..., Clients]) -> None:
    users = stub("user-service", scenario="connection-reset")
    made = clients(service(users.url), service(stub("template-service").url))

    with pytest.raises(Unavailable):
        made.users.get_preferences("u-1001")

    assert len(users.requests()) == FAST_RETRY.max_attempts


def test_drift_surfaces_as_a_contract_violation(
    stub: StubFactory, clients: Callable[..., Clients]
) -> None:
    users = stub("user-service", scenario="user-drift")
    made = clients(service(users.url), service(stub("template-service").url))

    with pytest.raises(ContractViolation, match="username"):
        made.users.get_user("u-1001")


@pytest.mark.contractgate_service("user-service")
def test_orchestrator_degrades_when_the_user_service_is_down(
    stub: StubFactory, clients: Callable[..., Clients]
) -> None:
    templates = stub("template-service")
    no_retry = RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.02, deadline=2.0)
    made = clients(service(closed_port_url(), retry=no_retry), service(templates.url))

    result = Orchestrator(made.users, made.templates).notify("u-1001", "welcome", {"name": "Alice"})

    assert result.degraded
    assert result.degraded_reason
    assert [d.channel for d in result.deliveries] == ["email"]  # the default preferences
    assert [r.path for r in templates.requests()] == ["/v1/templates/welcome/render"]


def test_render_is_retried_through_an_outage(
    stub: StubFactory, clients: Callable[..., Clients]
) -> None:
    templates = stub("template-service", scenario="outage-then-recovery")
    made = clients(service(stub("user-service").url), service(templates.url))

    message = made.templates.render("welcome", {"name": "Alice"}, locale="en")

    assert message.body
    assert [r.method for r in templates.requests()] == ["POST"] * 3  # render is safe to retry


@pytest.mark.contractgate_service("template-service")
def test_missing_variables_are_reported_not_retried(
    stub: StubFactory, clients: Callable[..., Clients]
) -> None:
    templates = stub("template-service")  # the pact's 422 interaction answers this request
    made = clients(service(stub("user-service").url), service(templates.url))

    with pytest.raises(MissingVariables) as caught:
        made.templates.render("welcome", {}, locale="en")  # the request the pact records

    assert caught.value.missing_variables
    assert len(templates.requests()) == 1


def test_template_drift_surfaces_as_a_contract_violation(
    stub: StubFactory, clients: Callable[..., Clients]
) -> None:
    templates = stub("template-service", scenario="drift")
    made = clients(service(stub("user-service").url), service(templates.url))

    with pytest.raises(ContractViolation):
        made.templates.get_template("welcome")
