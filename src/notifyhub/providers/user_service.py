"""Reference user service: users and their notification preferences.

Implements ``openapi/user-service.yaml`` by hand over an in-memory seeded store.
Run it with ``python -m notifyhub.providers.user_service --port 0``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from notifyhub.providers._cli import run_cli
from notifyhub.providers._common import (
    API_PREFIX,
    Call,
    Operation,
    Service,
    StateAction,
    StringRule,
    require_accessible,
    require_bool,
    require_object,
    utc_now,
)

USER_ID = StringRule("^u-[0-9a-z]{1,32}$", min_length=3, max_length=34)
LOCALE = StringRule("^[a-z]{2}(-[A-Z]{2})?$")
TIME_OF_DAY = StringRule("^([01][0-9]|2[0-3]):[0-5][0-9]$")
TIMEZONE = StringRule(min_length=1, max_length=64)
BUG_ID_LENGTH = 20
"""With ``bug=True``, reading a user whose id is longer than this crashes (500)."""


@dataclass(frozen=True)
class User:
    """A user as the service stores it."""

    id: str
    username: str
    display_name: str
    email_address: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        """The ``User`` schema representation."""
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "email_address": self.email_address,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class QuietHours:
    """A daily window without push notifications."""

    start: str
    end: str
    timezone: str


@dataclass(frozen=True)
class Preferences:
    """A user's notification preferences."""

    email: bool
    push: bool
    updated_at: str
    locale: str | None = None
    quiet_hours: QuietHours | None = None

    def to_json(self, user_id: str) -> dict[str, Any]:
        """The ``UserPreferences`` schema representation."""
        body: dict[str, Any] = {"user_id": user_id, "email": self.email, "push": self.push}
        if self.locale is not None:
            body["locale"] = self.locale
        if self.quiet_hours is not None:
            body["quiet_hours"] = {
                "start": self.quiet_hours.start,
                "end": self.quiet_hours.end,
                "timezone": self.quiet_hours.timezone,
            }
        body["updated_at"] = self.updated_at
        return body


SEED_USERS: tuple[User, ...] = (
    User("u-1001", "alice", "Alice Example", "alice@example.com", "2025-01-15T09:30:00Z"),
    User("u-1002", "bob", "Bob Example", "bob@example.com", "2025-01-20T14:00:00Z"),
    User("u-1003", "carol", "Carol Example", "carol@example.com", "2025-02-01T08:00:00Z"),
)
SEED_PREFERENCES: Mapping[str, Preferences] = {
    "u-1001": Preferences(
        email=True,
        push=False,
        locale="en-GB",
        quiet_hours=QuietHours("22:00", "07:00", "Europe/London"),
        updated_at="2025-03-01T12:00:00Z",
    ),
    "u-1002": Preferences(email=True, push=True, locale="de-DE", updated_at="2025-02-20T16:45:00Z"),
    "u-1003": Preferences(email=True, push=False, locale="en", updated_at="2025-02-01T08:00:00Z"),
}
SEED_RESTRICTED: frozenset[str] = frozenset({"u-1003"})


class UserStore:
    """In-memory users, preferences and restricted ids, restorable to the seed."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.preferences: dict[str, Preferences] = {}
        self.restricted: set[str] = set()
        self.reset()

    def reset(self) -> None:
        """Restore the seed data."""
        self.users = {user.id: user for user in SEED_USERS}
        self.preferences = dict(SEED_PREFERENCES)
        self.restricted = set(SEED_RESTRICTED)

    def accessible(self, user_id: str) -> User:
        """Return a user the caller may access: 403 if restricted, 404 if unknown."""
        return require_accessible("user", user_id, self.users, self.restricted)


def parse_preferences_update(value: object) -> Preferences:
    """Validate a ``PreferencesUpdate`` body into new preferences (400 if invalid)."""
    body = require_object(
        "request body",
        value,
        required=("email", "push"),
        allowed=("email", "push", "locale", "quiet_hours"),
    )
    quiet_hours = None
    if "quiet_hours" in body:
        window = require_object(
            "request body.quiet_hours",
            body["quiet_hours"],
            required=("start", "end", "timezone"),
            allowed=("start", "end", "timezone"),
        )
        quiet_hours = QuietHours(
            start=TIME_OF_DAY.check("request body.quiet_hours.start", window["start"]),
            end=TIME_OF_DAY.check("request body.quiet_hours.end", window["end"]),
            timezone=TIMEZONE.check("request body.quiet_hours.timezone", window["timezone"]),
        )
    return Preferences(
        email=require_bool("request body.email", body["email"]),
        push=require_bool("request body.push", body["push"]),
        locale=LOCALE.check("request body.locale", body["locale"]) if "locale" in body else None,
        quiet_hours=quiet_hours,
        updated_at=utc_now(),
    )


class UserService(Service[UserStore]):
    """The user service's operations and provider states over a ``UserStore``."""

    name = "user service"

    def __init__(self, *, drift: bool = False, bug: bool = False) -> None:
        super().__init__(UserStore(), drift=drift, bug=bug)

    def operations(self) -> list[Operation]:
        """The spec's operations (but ``/health``), under the ``/v1`` base path."""
        users = f"{API_PREFIX}/users/{{userId}}"
        return [
            Operation("GET", users, self.get_user),
            Operation("GET", f"{users}/preferences", self.get_preferences),
            Operation("PUT", f"{users}/preferences", self.update_preferences),
        ]

    def states(self) -> dict[str, StateAction]:
        """The service's own provider states (applied after a reset to the seed)."""
        return {
            "user u-1001 exists": self._exists("u-1001"),
            "user u-1002 exists": self._exists("u-1002"),
            "user u-9999 does not exist": self._absent("u-9999"),
            "user u-1003 is restricted": self._restricted("u-1003"),
        }

    async def get_user(self, call: Call) -> dict[str, Any]:
        """``getUser``."""
        user_id = call.path_param("userId", USER_ID)
        if self._bug and len(user_id) > BUG_ID_LENGTH:
            # The deliberate defect: a legacy fixed-width id index overflows.
            raise OverflowError(f"user id {user_id!r} overflows the {BUG_ID_LENGTH}-char index")
        body = self.store.accessible(user_id).to_json()
        if self._drift:
            body["user_name"] = body.pop("username")
        return body

    async def get_preferences(self, call: Call) -> dict[str, Any]:
        """``getPreferences``."""
        user = self.store.accessible(call.path_param("userId", USER_ID))
        preferences = self.store.preferences.get(user.id) or Preferences(
            email=True, push=False, updated_at=user.created_at
        )
        return preferences.to_json(user.id)

    async def update_preferences(self, call: Call) -> dict[str, Any]:
        """``updatePreferences``: replace the preferences, stamping ``updated_at``."""
        user_id = call.path_param("userId", USER_ID)
        preferences = parse_preferences_update(await call.json_body())
        user = self.store.accessible(user_id)
        self.store.preferences[user.id] = preferences
        return preferences.to_json(user.id)

    def _exists(self, user_id: str) -> StateAction:
        seed = {user.id: user for user in SEED_USERS}[user_id]

        def apply(params: Mapping[str, Any]) -> None:
            self.store.users[user_id] = seed
            self.store.restricted.discard(user_id)

        return apply

    def _absent(self, user_id: str) -> StateAction:
        def apply(params: Mapping[str, Any]) -> None:
            self.store.users.pop(user_id, None)
            self.store.preferences.pop(user_id, None)

        return apply


def main(argv: Sequence[str] | None = None) -> int:
    """Run the user service from the command line."""
    return run_cli(
        prog="python -m notifyhub.providers.user_service",
        description="Reference user service (openapi/user-service.yaml).",
        service=UserService,
        default_port=8001,
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
