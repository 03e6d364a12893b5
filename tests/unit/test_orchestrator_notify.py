"""Orchestrator.notify: channels from preferences, variables, locale, graceful degradation."""

from __future__ import annotations

import json

import pytest
import requests

from notifyhub.orchestrator import (
    Channel,
    NotFound,
    Orchestrator,
    RetryPolicy,
    ServiceConfig,
    ServicesConfig,
    build_clients,
)
from notifyhub.orchestrator.testing import FakeClock, ScriptedAdapter, reply, scripted_session

ALICE = {
    "id": "u-1001",
    "username": "alice",
    "display_name": "Alice Example",
    "created_at": "2025-01-15T09:30:00Z",
}


def preferences(*, email: bool, push: bool, locale: str | None = "en-GB") -> dict[str, object]:
    prefs: dict[str, object] = {
        "user_id": "u-1001",
        "email": email,
        "push": push,
        "updated_at": "2025-03-01T12:00:00Z",
    }
    if locale:
        prefs["locale"] = locale
    return prefs


def rendered(code: str, channel: str, body: str = "Hello Alice") -> requests.Response:
    return reply(
        200,
        {
            "template_code": code,
            "channel": channel,
            "subject": "Hi" if channel == "email" else None,
            "body": body,
            "locale": "en",
            "rendered_at": "2025-03-01T12:00:00Z",
        },
    )


def run(
    *script: requests.Response | Exception, attempts: int = 1
) -> tuple[Orchestrator, ScriptedAdapter]:
    adapter = ScriptedAdapter(*script)
    service = ServiceConfig(
        base_url="http://svc.test",
        stub_url="http://stub.test",
        token="test-token",
        retry=RetryPolicy(max_attempts=attempts),
    )
    cfg = ServicesConfig(user_service=service, template_service=service)
    clients = build_clients(cfg, session=scripted_session(adapter), clock=FakeClock())
    return Orchestrator(clients.users, clients.templates), adapter


def sent_json(request: requests.PreparedRequest) -> object:
    assert request.body is not None
    return json.loads(request.body)


def test_renders_for_email_only_with_name_and_locale_from_the_user() -> None:
    orchestrator, adapter = run(
        reply(200, ALICE),
        reply(200, preferences(email=True, push=False)),
        rendered("welcome", "email"),
    )
    result = orchestrator.notify("u-1001", "welcome", {}, request_id="req-1")
    assert [d.channel for d in result.deliveries] == [Channel.EMAIL]
    assert result.deliveries[0].message.body == "Hello Alice"
    assert result.degraded is False
    assert sent_json(adapter.requests[2]) == {
        "variables": {"name": "Alice Example"},
        "locale": "en-GB",
    }
    assert {r.headers["X-Request-ID"] for r in adapter.requests} == {"req-1"}


def test_one_code_is_rendered_once_for_both_channels() -> None:
    orchestrator, adapter = run(
        reply(200, ALICE),
        reply(200, preferences(email=True, push=True)),
        rendered("welcome", "email"),
    )
    result = orchestrator.notify("u-1001", "welcome", {"name": "Al"})
    assert [d.channel for d in result.deliveries] == [Channel.EMAIL, Channel.PUSH]
    assert result.deliveries[0].message is result.deliveries[1].message
    assert len(adapter.requests) == 3
    assert sent_json(adapter.requests[2]) == {"variables": {"name": "Al"}, "locale": "en-GB"}


def test_a_code_per_channel_skips_channels_without_one() -> None:
    orchestrator, adapter = run(
        reply(200, {**ALICE, "display_name": None}),
        reply(200, preferences(email=False, push=True, locale=None)),
        rendered("order_shipped", "push", "Order o-1 shipped"),
    )
    codes = {Channel.PUSH: "order_shipped", Channel.SMS: "unused"}
    result = orchestrator.notify("u-1001", codes, {"order_id": "o-1"})
    assert [(d.channel, d.message.template_code) for d in result.deliveries] == [
        (Channel.PUSH, "order_shipped")
    ]
    assert sent_json(adapter.requests[2]) == {"variables": {"order_id": "o-1", "name": "alice"}}
    assert adapter.requests[2].url == "http://svc.test/v1/templates/order_shipped/render"


def test_no_enabled_channel_renders_nothing() -> None:
    orchestrator, adapter = run(reply(200, ALICE), reply(200, preferences(email=False, push=False)))
    assert orchestrator.notify("u-1001", "welcome", {}).deliveries == ()
    assert len(adapter.requests) == 2


@pytest.mark.parametrize(
    "failure",
    [reply(503), requests.ReadTimeout("slow"), requests.ConnectionError("refused")],
    ids=["503", "timeout", "connection"],
)
def test_user_service_down_degrades_to_default_preferences(
    failure: requests.Response | Exception,
) -> None:
    orchestrator, adapter = run(failure, rendered("welcome", "email"))
    result = orchestrator.notify("u-1001", "welcome", {"name": "friend"})
    assert result.degraded is True
    assert result.degraded_reason is not None
    assert "user service unavailable" in result.degraded_reason
    assert [d.channel for d in result.deliveries] == [Channel.EMAIL]
    assert sent_json(adapter.requests[1]) == {"variables": {"name": "friend"}}


def test_open_circuit_degrades_without_calling_the_user_service() -> None:
    failing = [step for _ in range(5) for step in (reply(503), rendered("welcome", "email"))]
    orchestrator, adapter = run(*failing, rendered("welcome", "email"))
    results = [orchestrator.notify("u-1001", "welcome", {"name": "x"}) for _ in range(6)]
    assert all(r.degraded for r in results)
    assert results[-1].degraded_reason is not None
    assert "CircuitOpen" in results[-1].degraded_reason
    user_calls = [r for r in adapter.requests if "/users/" in (r.url or "")]
    assert len(user_calls) == 5


def test_preferences_unavailable_keeps_the_users_name() -> None:
    orchestrator, adapter = run(reply(200, ALICE), reply(503), rendered("welcome", "email"))
    result = orchestrator.notify("u-1001", "welcome", {})
    assert result.degraded is True
    assert sent_json(adapter.requests[2]) == {"variables": {"name": "Alice Example"}}


def test_unknown_user_is_not_degraded_but_raised() -> None:
    orchestrator, _ = run(reply(404, {"title": "Not Found"}))
    with pytest.raises(NotFound):
        orchestrator.notify("u-9999", "welcome", {})
