"""The orchestrator: who gets which message on which channel."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from notifyhub.orchestrator.errors import Unavailable
from notifyhub.orchestrator.models import Channel, RenderedMessage, User, UserPreferences
from notifyhub.orchestrator.template_client import TemplateClient
from notifyhub.orchestrator.user_client import UserClient

#: The channels of the default preferences (email on, push off), used when degraded.
DEFAULT_CHANNELS: Final = (Channel.EMAIL,)


@dataclass(frozen=True)
class Delivery:
    """A message rendered for one channel."""

    channel: Channel
    message: RenderedMessage


@dataclass(frozen=True)
class NotificationResult:
    """What `Orchestrator.notify` rendered; `degraded` when preferences were defaulted."""

    user_id: str
    request_id: str
    deliveries: tuple[Delivery, ...]
    degraded: bool = False
    degraded_reason: str | None = None


class Orchestrator:
    """Reads a user's preferences and renders a template for each enabled channel."""

    def __init__(self, users: UserClient, templates: TemplateClient) -> None:
        self._users = users
        self._templates = templates

    def notify(
        self,
        user_id: str,
        template_code: str | Mapping[Channel, str],
        variables: Mapping[str, str],
        request_id: str | None = None,
    ) -> NotificationResult:
        """Render `template_code` for every channel the user enabled.

        `template_code` is one code for all channels or a code per channel
        (channels without one are skipped); a code is rendered once however
        many channels use it. `name` defaults to the user's display name, else
        username, and the user's locale is used. When the user service is
        unavailable (`Unavailable`, `Timeout`, `CircuitOpen`) the default
        preferences apply and the result is `degraded`. One correlation id
        (`request_id`, else a new uuid4) goes with every call.
        """
        rid = request_id or str(uuid.uuid4())
        user: User | None = None
        preferences: UserPreferences | None = None
        reason: str | None = None
        try:
            user = self._users.get_user(user_id, request_id=rid)
            preferences = self._users.get_preferences(user_id, request_id=rid)
        except Unavailable as exc:
            reason = f"user service unavailable ({type(exc).__name__}: {exc}); default preferences"
        channels = DEFAULT_CHANNELS if preferences is None else _enabled(preferences)
        codes = (
            dict.fromkeys(channels, template_code)
            if isinstance(template_code, str)
            else {c: template_code[c] for c in channels if c in template_code}
        )
        values = dict(variables)
        if "name" not in values and user is not None:
            values["name"] = user.display_name or user.username
        locale = None if preferences is None else preferences.locale
        rendered: dict[str, RenderedMessage] = {}
        for code in dict.fromkeys(codes.values()):
            rendered[code] = self._templates.render(code, values, locale=locale, request_id=rid)
        return NotificationResult(
            user_id=user_id,
            request_id=rid,
            deliveries=tuple(Delivery(c, rendered[code]) for c, code in codes.items()),
            degraded=reason is not None,
            degraded_reason=reason,
        )


def _enabled(preferences: UserPreferences) -> tuple[Channel, ...]:
    flags = ((Channel.EMAIL, preferences.email), (Channel.PUSH, preferences.push))
    return tuple(channel for channel, on in flags if on)
