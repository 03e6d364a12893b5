"""Client of the user service (`openapi/user-service.yaml`)."""

from __future__ import annotations

from urllib.parse import quote

from notifyhub.orchestrator.models import PreferencesUpdate, User, UserPreferences
from notifyhub.orchestrator.transport import ServiceTransport


class UserClient:
    """Reads users and reads or replaces their notification preferences."""

    def __init__(self, transport: ServiceTransport) -> None:
        self.transport = transport

    def get_user(self, user_id: str, *, request_id: str | None = None) -> User:
        """`GET /v1/users/{user_id}`."""
        return self.transport.call(
            "GET", _user_path(user_id), User.from_json, idempotent=True, request_id=request_id
        )

    def get_preferences(self, user_id: str, *, request_id: str | None = None) -> UserPreferences:
        """`GET /v1/users/{user_id}/preferences`."""
        return self.transport.call(
            "GET",
            _user_path(user_id) + "/preferences",
            UserPreferences.from_json,
            idempotent=True,
            request_id=request_id,
        )

    def update_preferences(
        self, user_id: str, update: PreferencesUpdate, *, request_id: str | None = None
    ) -> UserPreferences:
        """`PUT /v1/users/{user_id}/preferences`: replace them, return what is stored."""
        return self.transport.call(
            "PUT",
            _user_path(user_id) + "/preferences",
            UserPreferences.from_json,
            idempotent=True,
            request_id=request_id,
            json_body=update.to_json(),
        )


def _user_path(user_id: str) -> str:
    return f"/v1/users/{quote(user_id, safe='')}"
