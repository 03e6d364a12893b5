"""Building the clients from configuration: URLs, the shared session, policies, breakers."""

from __future__ import annotations

import pytest
from requests.adapters import HTTPAdapter

from notifyhub.orchestrator import (
    BreakerPolicy,
    BreakerState,
    CircuitOpen,
    RetryPolicy,
    ServiceConfig,
    ServicesConfig,
    Unavailable,
    build_clients,
    build_session,
)
from notifyhub.orchestrator.testing import FakeClock, ScriptedAdapter, reply, scripted_session


def config(*, use_mock_services: bool, threshold: int = 5) -> ServicesConfig:
    return ServicesConfig(
        use_mock_services=use_mock_services,
        user_service=ServiceConfig(
            base_url="http://users.real:8081",
            stub_url="http://127.0.0.1:9081",
            token="user-token",
            timeout=1.5,
            retry=RetryPolicy(max_attempts=1),
            breaker=BreakerPolicy(failure_threshold=threshold),
        ),
        template_service=ServiceConfig(
            base_url="http://templates.real:8082",
            stub_url="http://127.0.0.1:9082",
            token="template-token",
        ),
    )


@pytest.mark.parametrize(
    ("use_mock_services", "users_url", "templates_url"),
    [
        (False, "http://users.real:8081", "http://templates.real:8082"),
        (True, "http://127.0.0.1:9081", "http://127.0.0.1:9082"),
    ],
)
def test_picks_stub_or_real_urls(
    use_mock_services: bool, users_url: str, templates_url: str
) -> None:
    with build_clients(config(use_mock_services=use_mock_services)) as clients:
        assert clients.users.transport.base_url == users_url
        assert clients.templates.transport.base_url == templates_url


def test_clients_share_one_session_but_not_breakers_or_tokens() -> None:
    clock = FakeClock()
    adapter = ScriptedAdapter(
        reply(503), reply(200, {"items": [], "page": 1, "page_size": 20, "total": 0})
    )
    cfg = config(use_mock_services=False, threshold=1)
    with build_clients(cfg, session=scripted_session(adapter), clock=clock) as clients:
        with pytest.raises(Unavailable):
            clients.users.get_user("u-1001")
        with pytest.raises(CircuitOpen):
            clients.users.get_user("u-1001")
        assert clients.templates.list_templates().total == 0
        assert clients.templates.transport.breaker.state is BreakerState.CLOSED
    assert adapter.timeouts == [1.5, 3.0]
    tokens = [r.headers["Authorization"] for r in adapter.requests]
    assert tokens == ["Bearer user-token", "Bearer template-token"]


def test_session_pools_connections_and_leaves_retries_to_the_clients() -> None:
    session = build_session(pool_maxsize=32)
    adapter = session.get_adapter("http://users.real:8081")
    assert isinstance(adapter, HTTPAdapter)
    assert adapter.max_retries.total == 0
    assert adapter.poolmanager.connection_pool_kw["maxsize"] == 32
    assert session.get_adapter("https://x") is adapter
    assert session.trust_env is False
