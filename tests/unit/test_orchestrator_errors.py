"""Status-to-error mapping and response parsing, including contract violations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from notifyhub.orchestrator import (
    BadRequest,
    Channel,
    CircuitOpen,
    ContractViolation,
    Forbidden,
    MissingVariables,
    NotFound,
    QuietHours,
    RateLimited,
    RetryPolicy,
    ServerError,
    ServiceError,
    ServiceTransport,
    TemplateClient,
    Timeout,
    Unauthorized,
    Unavailable,
    UserClient,
)
from notifyhub.orchestrator.testing import FakeClock, ScriptedAdapter, reply, scripted_session

PREFERENCES = {
    "user_id": "u-1001",
    "email": True,
    "push": False,
    "locale": "en-GB",
    "quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "Europe/London"},
    "updated_at": "2025-03-01T12:00:00Z",
}
TEMPLATE = {
    "code": "order_shipped",
    "channel": "push",
    "name": "Order shipped",
    "subject": None,
    "body": "Order {{order_id}} is on its way.",
    "required_variables": ["order_id"],
    "locales": ["en"],
    "default_locale": "en",
    "updated_at": "2025-02-10T10:00:00Z",
}


def transport(*script: requests.Response | Exception) -> ServiceTransport:
    clock = FakeClock()
    return ServiceTransport(
        "template-service",
        "http://templates.test",
        session=scripted_session(ScriptedAdapter(*script, clock=clock)),
        token="test-token",
        retry=RetryPolicy(max_attempts=1),
        clock=clock,
    )


def users(*script: requests.Response | Exception) -> UserClient:
    return UserClient(transport(*script))


def templates(*script: requests.Response | Exception) -> TemplateClient:
    return TemplateClient(transport(*script))


class TestErrorMapping:
    @pytest.mark.parametrize(
        ("status", "error"),
        [
            (400, BadRequest),
            (401, Unauthorized),
            (403, Forbidden),
            (404, NotFound),
            (409, BadRequest),
            (429, RateLimited),
            (500, ServerError),
            (501, ServerError),
            (502, Unavailable),
            (503, Unavailable),
            (504, Unavailable),
            (302, ContractViolation),
        ],
    )
    def test_status_maps_to_a_typed_error(self, status: int, error: type[ServiceError]) -> None:
        problem = {"type": "about:blank", "title": "T", "status": status, "detail": "why"}
        with pytest.raises(error) as caught:
            templates(reply(status, problem)).get_template("welcome", request_id="req-1")
        assert type(caught.value) is error
        assert caught.value.status == status
        assert caught.value.service == "template-service"
        assert caught.value.request_id == "req-1"
        assert "why" in str(caught.value)

    def test_422_carries_the_missing_variables(self) -> None:
        problem = {"title": "Unprocessable Content", "status": 422, "missing_variables": ["name"]}
        with pytest.raises(MissingVariables) as caught:
            templates(reply(422, problem)).render("welcome", {})
        assert caught.value.missing_variables == ("name",)

    @pytest.mark.parametrize("body", [{"title": "x"}, {"missing_variables": []}, None])
    def test_422_without_the_list_is_a_contract_violation(self, body: object) -> None:
        with pytest.raises(ContractViolation, match="missing_variables"):
            templates(reply(422, body)).render("welcome", {})

    def test_problem_without_json_still_maps(self) -> None:
        with pytest.raises(NotFound, match="404"):
            templates(reply(404, raw=b"<html>gone</html>")).get_template("nope")

    def test_transport_failures_are_kinds_of_unavailable(self) -> None:
        assert issubclass(Timeout, Unavailable)
        assert issubclass(CircuitOpen, Unavailable)
        with pytest.raises(Timeout):
            templates(requests.ConnectTimeout("x")).get_template("welcome")
        with pytest.raises(ServiceError) as caught:
            templates(requests.exceptions.InvalidURL("x")).get_template("welcome")
        assert not isinstance(caught.value, Unavailable)


class TestParsing:
    def test_preferences_parse_into_dataclasses(self) -> None:
        prefs = users(reply(200, PREFERENCES)).get_preferences("u-1001")
        assert prefs.email is True
        assert prefs.push is False
        assert prefs.locale == "en-GB"
        assert prefs.quiet_hours == QuietHours("22:00", "07:00", "Europe/London")
        assert prefs.updated_at == datetime(2025, 3, 1, 12, tzinfo=UTC)

    def test_optional_fields_may_be_absent_and_unknown_ones_are_ignored(self) -> None:
        minimal = {
            "user_id": "u-1",
            "email": True,
            "push": True,
            "updated_at": "2025-03-01T12:00:00+01:00",
        }
        prefs = users(reply(200, {**minimal, "brand_new_field": [1, 2]})).get_preferences("u-1")
        assert prefs.locale is None
        assert prefs.quiet_hours is None

    def test_push_template_has_no_subject(self) -> None:
        template = templates(reply(200, TEMPLATE)).get_template("order_shipped")
        assert template.channel is Channel.PUSH
        assert template.subject is None
        assert template.required_variables == ("order_id",)

    def test_template_page(self) -> None:
        summary = {
            "code": "welcome",
            "channel": "email",
            "name": "Welcome",
            "locales": ["en", "de"],
        }
        page_json = {"items": [summary], "page": 1, "page_size": 20, "total": 1}
        page = templates(reply(200, page_json)).list_templates()
        assert page.items[0].locales == ("en", "de")
        assert page.total == 1

    @pytest.mark.parametrize(
        ("body", "complaint"),
        [
            ({**PREFERENCES, "push": "yes"}, "push: expected a boolean"),
            ({**PREFERENCES, "email": 1}, "email: expected a boolean"),
            ({k: v for k, v in PREFERENCES.items() if k != "updated_at"}, "updated_at: missing"),
            ({**PREFERENCES, "updated_at": "yesterday"}, "updated_at: expected an RFC 3339"),
            ({**PREFERENCES, "quiet_hours": {"start": "22:00"}}, "quiet_hours.end: missing"),
            ([PREFERENCES], "expected a JSON object"),
        ],
    )
    def test_preferences_of_the_wrong_shape(self, body: object, complaint: str) -> None:
        with pytest.raises(ContractViolation, match=complaint) as caught:
            users(reply(200, body)).get_preferences("u-1001")
        assert caught.value.status == 200

    def test_renamed_field_is_a_contract_violation(self) -> None:
        renamed = {"id": "u-1001", "user_name": "alice", "created_at": "2025-01-15T09:30:00Z"}
        with pytest.raises(ContractViolation, match=r"User\.username: missing"):
            users(reply(200, renamed)).get_user("u-1001")

    def test_non_json_body_is_a_contract_violation(self) -> None:
        with pytest.raises(ContractViolation, match="GET /v1/users/u-1001"):
            users(reply(200, raw=b"<html>ok</html>")).get_user("u-1001")

    @pytest.mark.parametrize(
        ("override", "complaint"),
        [
            ({"channel": "pigeon"}, "channel: expected one of"),
            ({"locales": "en"}, "locales: expected an array of strings"),
            ({"subject": 7}, "subject: expected a string"),
        ],
    )
    def test_template_of_the_wrong_shape(self, override: dict[str, object], complaint: str) -> None:
        with pytest.raises(ContractViolation, match=complaint):
            templates(reply(200, {**TEMPLATE, **override})).get_template("order_shipped")

    def test_page_numbers_must_be_integers(self) -> None:
        page_json = {"items": [], "page": True, "page_size": 20, "total": 0}
        with pytest.raises(ContractViolation, match="page: expected an integer"):
            templates(reply(200, page_json)).list_templates()
