"""What the clients read from and send to the services, as small frozen dataclasses.

Parsing is a tolerant reader: unknown fields are ignored, but every field the
orchestrator relies on must be present with the right JSON type, else
`ShapeError` (which the transport reports as `ContractViolation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Self


class ShapeError(ValueError):
    """A JSON document lacks a field, or a field has the wrong type or format."""


class Channel(StrEnum):
    """A delivery channel, as the template service names it."""

    EMAIL = "email"
    PUSH = "push"
    SMS = "sms"


class _Reader:
    """Typed access to the fields of one JSON object, naming the path on error."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise ShapeError(f"{where}: expected a JSON object, got {type(data).__name__}")
        self._data: dict[str, object] = data
        self._where = where

    def _get(self, key: str) -> object:
        if key not in self._data:
            raise ShapeError(f"{self._where}.{key}: missing")
        return self._data[key]

    def _wrong(self, key: str, expected: str) -> ShapeError:
        got = type(self._data.get(key)).__name__
        return ShapeError(f"{self._where}.{key}: expected {expected}, got {got}")

    def string(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise self._wrong(key, "a string")
        return value

    def optional_string(self, key: str) -> str | None:
        if self._data.get(key) is None:
            return None
        return self.string(key)

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._wrong(key, "a boolean")
        return value

    def integer(self, key: str) -> int:
        value = self._get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._wrong(key, "an integer")
        return value

    def timestamp(self, key: str) -> datetime:
        text = self.string(key)
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise self._wrong(key, "an RFC 3339 date-time") from None

    def channel(self, key: str) -> Channel:
        text = self.string(key)
        try:
            return Channel(text)
        except ValueError:
            raise self._wrong(key, f"one of {[c.value for c in Channel]}") from None

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._wrong(key, "an array of strings")
        return tuple(value)

    def objects(self, key: str) -> list[_Reader]:
        value = self._get(key)
        if not isinstance(value, list):
            raise self._wrong(key, "an array")
        return [_Reader(item, f"{self._where}.{key}[{i}]") for i, item in enumerate(value)]

    def optional_object(self, key: str) -> _Reader | None:
        value = self._data.get(key)
        return None if value is None else _Reader(value, f"{self._where}.{key}")


@dataclass(frozen=True)
class User:
    """A user of the user service."""

    id: str
    username: str
    display_name: str | None
    email_address: str | None
    created_at: datetime

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a `User` document."""
        r = _Reader(data, "User")
        return cls(
            id=r.string("id"),
            username=r.string("username"),
            display_name=r.optional_string("display_name"),
            email_address=r.optional_string("email_address"),
            created_at=r.timestamp("created_at"),
        )


@dataclass(frozen=True)
class QuietHours:
    """A daily window (local `HH:MM` times in `timezone`) without push notifications."""

    start: str
    end: str
    timezone: str

    @classmethod
    def _from_reader(cls, r: _Reader) -> Self:
        """Parse a `QuietHours` object."""
        return cls(start=r.string("start"), end=r.string("end"), timezone=r.string("timezone"))

    def to_json(self) -> dict[str, object]:
        """Serialise as the services expect."""
        return {"start": self.start, "end": self.end, "timezone": self.timezone}


@dataclass(frozen=True)
class UserPreferences:
    """A user's notification preferences."""

    user_id: str
    email: bool
    push: bool
    locale: str | None
    quiet_hours: QuietHours | None
    updated_at: datetime

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a `UserPreferences` document."""
        r = _Reader(data, "UserPreferences")
        quiet = r.optional_object("quiet_hours")
        return cls(
            user_id=r.string("user_id"),
            email=r.boolean("email"),
            push=r.boolean("push"),
            locale=r.optional_string("locale"),
            quiet_hours=None if quiet is None else QuietHours._from_reader(quiet),
            updated_at=r.timestamp("updated_at"),
        )


@dataclass(frozen=True)
class PreferencesUpdate:
    """The body of a preferences update (a full replacement)."""

    email: bool
    push: bool
    locale: str | None = None
    quiet_hours: QuietHours | None = None

    def to_json(self) -> dict[str, object]:
        """Serialise, leaving out unset optional fields."""
        body: dict[str, object] = {"email": self.email, "push": self.push}
        if self.locale is not None:
            body["locale"] = self.locale
        if self.quiet_hours is not None:
            body["quiet_hours"] = self.quiet_hours.to_json()
        return body


@dataclass(frozen=True)
class TemplateSummary:
    """One entry of a template listing."""

    code: str
    channel: Channel
    name: str
    locales: tuple[str, ...]

    @classmethod
    def _from_reader(cls, r: _Reader) -> Self:
        """Parse a `TemplateSummary` object."""
        return cls(
            code=r.string("code"),
            channel=r.channel("channel"),
            name=r.string("name"),
            locales=r.strings("locales"),
        )


@dataclass(frozen=True)
class TemplatePage:
    """One page of the template listing."""

    items: tuple[TemplateSummary, ...]
    page: int
    page_size: int
    total: int

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a `TemplatePage` document."""
        r = _Reader(data, "TemplatePage")
        return cls(
            items=tuple(TemplateSummary._from_reader(item) for item in r.objects("items")),
            page=r.integer("page"),
            page_size=r.integer("page_size"),
            total=r.integer("total"),
        )


@dataclass(frozen=True)
class Template:
    """A notification template; `subject` is None for push and sms."""

    code: str
    channel: Channel
    name: str
    subject: str | None
    body: str
    required_variables: tuple[str, ...]
    locales: tuple[str, ...]
    default_locale: str
    updated_at: datetime

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a `Template` document."""
        r = _Reader(data, "Template")
        return cls(
            code=r.string("code"),
            channel=r.channel("channel"),
            name=r.string("name"),
            subject=r.optional_string("subject"),
            body=r.string("body"),
            required_variables=r.strings("required_variables"),
            locales=r.strings("locales"),
            default_locale=r.string("default_locale"),
            updated_at=r.timestamp("updated_at"),
        )


@dataclass(frozen=True)
class RenderedMessage:
    """A template rendered with variables in a locale."""

    template_code: str
    channel: Channel
    subject: str | None
    body: str
    locale: str
    rendered_at: datetime

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a `RenderResponse` document."""
        r = _Reader(data, "RenderResponse")
        return cls(
            template_code=r.string("template_code"),
            channel=r.channel("channel"),
            subject=r.optional_string("subject"),
            body=r.string("body"),
            locale=r.string("locale"),
            rendered_at=r.timestamp("rendered_at"),
        )


def missing_variables(data: object) -> tuple[str, ...]:
    """Read `missing_variables` (at least one name) from a 422 problem document."""
    names = _Reader(data, "MissingVariablesProblem").strings("missing_variables")
    if not names:
        raise ShapeError("MissingVariablesProblem.missing_variables: empty")
    return names
