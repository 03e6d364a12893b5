"""Consumer contract orchestrator -> user-service, driven through the real UserClient."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from orchestrator_pacts import (
    Case,
    contract_tests,
    locale,
    rate_limited_case,
    refused_case,
    timestamp,
    unavailable_case,
)
from pact import match

from notifyhub.orchestrator import (
    Clients,
    Forbidden,
    NotFound,
    PreferencesUpdate,
    QuietHours,
    User,
    UserPreferences,
)

pytestmark = pytest.mark.consumer

PROVIDER = "user-service"


def user_id(example: str) -> match.AbstractMatcher[str]:
    return match.regex(example, regex=r"^u-[0-9a-z]{1,32}$")


def time_of_day(example: str) -> match.AbstractMatcher[str]:
    return match.regex(example, regex=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def get_user(clients: Clients) -> None:
    assert clients.users.get_user("u-1001") == User(
        id="u-1001",
        username="alice",
        display_name="Alice Example",
        email_address=None,
        created_at=datetime(2025, 1, 15, 9, 30, tzinfo=UTC),
    )


def get_preferences(clients: Clients) -> None:
    prefs = clients.users.get_preferences("u-1001")
    assert (prefs.email, prefs.push, prefs.locale) == (True, False, "en-GB")
    assert prefs.quiet_hours == QuietHours("22:00", "07:00", "Europe/London")


def update_preferences(clients: Clients) -> None:
    update = PreferencesUpdate(email=True, push=False, locale="de-DE")
    assert clients.users.update_preferences("u-1002", update) == UserPreferences(
        user_id="u-1002",
        email=True,
        push=False,
        locale="de-DE",
        quiet_hours=None,
        updated_at=datetime(2025, 3, 2, 8, 15, tzinfo=UTC),
    )


CASES = [
    Case(
        description="a request for user u-1001",
        state="user u-1001 exists",
        method="GET",
        path="/v1/users/u-1001",
        status=200,
        response={
            "id": user_id("u-1001"),
            "username": match.like("alice"),
            "display_name": match.like("Alice Example"),
            "created_at": timestamp("2025-01-15T09:30:00Z"),
        },
        exercise=get_user,
    ),
    Case(
        description="a request for the preferences of user u-1001",
        state="user u-1001 exists",
        method="GET",
        path="/v1/users/u-1001/preferences",
        status=200,
        response={
            "user_id": user_id("u-1001"),
            "email": match.bool(True),
            "push": match.bool(False),
            "locale": locale("en-GB"),
            "quiet_hours": {
                "start": time_of_day("22:00"),
                "end": time_of_day("07:00"),
                "timezone": match.like("Europe/London"),
            },
            "updated_at": timestamp("2025-03-01T12:00:00Z"),
        },
        exercise=get_preferences,
    ),
    Case(
        description="an update of the preferences of user u-1002",
        state="user u-1002 exists",
        method="PUT",
        path="/v1/users/u-1002/preferences",
        request={"email": True, "push": False, "locale": "de-DE"},
        status=200,
        response={
            "user_id": user_id("u-1002"),
            "email": match.bool(True),
            "push": match.bool(False),
            "locale": locale("de-DE"),
            "updated_at": timestamp("2025-03-02T08:15:00Z"),
        },
        exercise=update_preferences,
    ),
    refused_case(
        NotFound,
        description="a request for an unknown user",
        state="user u-9999 does not exist",
        path="/v1/users/u-9999",
        call=lambda clients: clients.users.get_user("u-9999"),
    ),
    refused_case(
        Forbidden,
        description="a request for a restricted user",
        state="user u-1003 is restricted",
        path="/v1/users/u-1003",
        call=lambda clients: clients.users.get_user("u-1003"),
    ),
    rate_limited_case(
        description="a request for a user while rate limited",
        method="GET",
        path="/v1/users/u-1001",
        call=lambda clients: clients.users.get_user("u-1001"),
    ),
    unavailable_case(
        service="user service",
        description="a request for preferences while the service is unavailable",
        method="GET",
        path="/v1/users/u-1001/preferences",
        call=lambda clients: clients.users.get_preferences("u-1001"),
    ),
]

test_interaction, test_committed_contract_is_current = contract_tests(PROVIDER, CASES)
