"""Reference template service: notification templates, listed, read and rendered.

Implements ``openapi/template-service.yaml`` by hand over an in-memory seeded store.
Run it with ``python -m notifyhub.providers.template_service --port 0``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from notifyhub.providers._cli import run_cli
from notifyhub.providers._common import (
    API_PREFIX,
    Call,
    Operation,
    Problem,
    Service,
    StateAction,
    StringRule,
    require_accessible,
    require_object,
    utc_now,
)

TEMPLATE_CODE = StringRule("^[a-z][a-z0-9_-]{1,63}$", min_length=2, max_length=64)
LOCALE = StringRule("^[a-z]{2}(-[A-Z]{2})?$")
VARIABLE_NAME = StringRule("^[a-z][a-z0-9_]{0,63}$")
VARIABLE_VALUE = StringRule(max_length=10000)
CHANNELS = ("email", "push", "sms")
MAX_VARIABLES = 100
BUG_PAGE_SIZE = 50
"""With ``bug=True``, listing with a ``page_size`` above this crashes (500)."""

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z][a-z0-9_]{0,63})\s*\}\}")


@dataclass(frozen=True)
class Text:
    """A template's subject (``None`` outside e-mail) and body in one locale."""

    subject: str | None
    body: str

    def render(self, variables: Mapping[str, str]) -> Text:
        """Substitute ``{{name}}`` placeholders; unknown names are left as they are."""

        def fill(text: str) -> str:
            return _PLACEHOLDER.sub(lambda match: variables.get(match[1], match[0]), text)

        return Text(None if self.subject is None else fill(self.subject), fill(self.body))


@dataclass(frozen=True)
class Template:
    """A template with its texts per locale; the first locale is the default."""

    code: str
    channel: str
    name: str
    required_variables: tuple[str, ...]
    texts: Mapping[str, Text]
    updated_at: str

    @property
    def default_locale(self) -> str:
        """The locale used when the requested one is not available."""
        return next(iter(self.texts))

    def summary(self) -> dict[str, Any]:
        """The ``TemplateSummary`` schema representation."""
        return {
            "code": self.code,
            "channel": self.channel,
            "name": self.name,
            "locales": list(self.texts),
        }

    def to_json(self) -> dict[str, Any]:
        """The ``Template`` schema representation (texts in the default locale)."""
        text = self.texts[self.default_locale]
        return {
            "code": self.code,
            "channel": self.channel,
            "name": self.name,
            "subject": text.subject,
            "body": text.body,
            "required_variables": list(self.required_variables),
            "locales": list(self.texts),
            "default_locale": self.default_locale,
            "updated_at": self.updated_at,
        }


SEED_TEMPLATES: tuple[Template, ...] = (
    Template(
        code="welcome",
        channel="email",
        name="Welcome e-mail",
        required_variables=("name",),
        texts={
            "en": Text("Welcome, {{name}}!", "Hello {{name}}, welcome aboard."),
            "de": Text("Willkommen, {{name}}!", "Hallo {{name}}, willkommen an Bord."),
        },
        updated_at="2025-02-10T10:00:00Z",
    ),
    Template(
        code="password_reset",
        channel="email",
        name="Password reset",
        required_variables=("name", "reset_link"),
        texts={
            "en": Text(
                "Reset your password, {{name}}",
                "Hello {{name}}, reset your password here: {{reset_link}}",
            )
        },
        updated_at="2025-02-11T10:00:00Z",
    ),
    Template(
        code="order_shipped",
        channel="push",
        name="Order shipped",
        required_variables=("order_id",),
        texts={"en": Text(None, "Your order {{order_id}} is on its way.")},
        updated_at="2025-02-12T10:00:00Z",
    ),
    Template(
        code="internal_audit",
        channel="email",
        name="Internal audit report",
        required_variables=("period",),
        texts={"en": Text("Audit report {{period}}", "The audit report for {{period}} is ready.")},
        updated_at="2025-02-13T10:00:00Z",
    ),
)
SEED_RESTRICTED: frozenset[str] = frozenset({"internal_audit"})


class TemplateStore:
    """In-memory templates and restricted codes, restorable to the seed."""

    def __init__(self) -> None:
        self.templates: dict[str, Template] = {}
        self.restricted: set[str] = set()
        self.reset()

    def reset(self) -> None:
        """Restore the seed data."""
        self.templates = {template.code: template for template in SEED_TEMPLATES}
        self.restricted = set(SEED_RESTRICTED)

    def accessible(self, code: str) -> Template:
        """Return a template the caller may access: 403 if restricted, 404 if unknown."""
        return require_accessible("template", code, self.templates, self.restricted)


@dataclass(frozen=True)
class RenderRequest:
    """A validated ``RenderRequest`` body."""

    variables: Mapping[str, str]
    locale: str | None

    @classmethod
    def parse(cls, value: object) -> RenderRequest:
        """Validate a render body (400 if it breaks the ``RenderRequest`` schema)."""
        body = require_object(
            "request body", value, required=("variables",), allowed=("variables", "locale")
        )
        variables = require_object("request body.variables", body["variables"])
        if len(variables) > MAX_VARIABLES:
            raise Problem(400, f"request body.variables: more than {MAX_VARIABLES} variables")
        for name, text in variables.items():
            VARIABLE_NAME.check("request body.variables: name", name)
            VARIABLE_VALUE.check(f"request body.variables.{name}", text)
        locale = LOCALE.check("request body.locale", body["locale"]) if "locale" in body else None
        return cls(variables=variables, locale=locale)


class TemplateService(Service[TemplateStore]):
    """The template service's operations and provider states over a ``TemplateStore``."""

    name = "template service"

    def __init__(self, *, drift: bool = False, bug: bool = False) -> None:
        super().__init__(TemplateStore(), drift=drift, bug=bug)

    def operations(self) -> list[Operation]:
        """The spec's operations (but ``/health``), under the ``/v1`` base path."""
        templates = f"{API_PREFIX}/templates"
        return [
            Operation("GET", templates, self.list_templates),
            Operation("GET", f"{templates}/{{code}}", self.get_template),
            Operation("POST", f"{templates}/{{code}}/render", self.render_template),
        ]

    def states(self) -> dict[str, StateAction]:
        """The service's own provider states (applied after a reset to the seed)."""
        return {
            "templates exist": self._exists(*(template.code for template in SEED_TEMPLATES)),
            "template welcome exists": self._exists("welcome"),
            "template order_shipped exists": self._exists("order_shipped"),
            "template nope does not exist": self._absent("nope"),
            "template internal_audit is restricted": self._restricted("internal_audit"),
        }

    async def list_templates(self, call: Call) -> dict[str, Any]:
        """``listTemplates``: one page of summaries, sorted by code."""
        page = call.query_int("page", default=1, minimum=1, maximum=10000)
        page_size = call.query_int("page_size", default=20, minimum=1, maximum=100)
        channel = call.query_enum("channel", CHANNELS)
        if self._bug and page_size > BUG_PAGE_SIZE:
            # The deliberate defect: a fixed-size page buffer overflows.
            raise IndexError(f"page_size {page_size} overflows the {BUG_PAGE_SIZE}-item buffer")
        matching = [
            template
            for _, template in sorted(self.store.templates.items())
            if channel is None or template.channel == channel
        ]
        start = (page - 1) * page_size
        return {
            "items": [template.summary() for template in matching[start : start + page_size]],
            "page": page,
            "page_size": page_size,
            "total": len(matching),
        }

    async def get_template(self, call: Call) -> dict[str, Any]:
        """``getTemplate``."""
        body = self.store.accessible(call.path_param("code", TEMPLATE_CODE)).to_json()
        return self._drifted(body)

    async def render_template(self, call: Call) -> dict[str, Any]:
        """``renderTemplate``: 422 when required variables are missing."""
        code = call.path_param("code", TEMPLATE_CODE)
        request = RenderRequest.parse(await call.json_body())
        template = self.store.accessible(code)
        missing = sorted(set(template.required_variables) - set(request.variables))
        if missing:
            raise Problem(
                422,
                f"Missing required variables: {', '.join(missing)}",
                extensions={"missing_variables": missing},
            )
        locale = request.locale
        if locale is None or locale not in template.texts:
            locale = template.default_locale
        text = template.texts[locale].render(request.variables)
        return self._drifted(
            {
                "template_code": template.code,
                "channel": template.channel,
                "subject": text.subject,
                "body": text.body,
                "locale": locale,
                "rendered_at": utc_now(),
            }
        )

    def _drifted(self, body: dict[str, Any]) -> dict[str, Any]:
        if self._drift:
            body["content"] = body.pop("body")
        return body

    def _exists(self, *codes: str) -> StateAction:
        seeds = {template.code: template for template in SEED_TEMPLATES}

        def apply(params: Mapping[str, Any]) -> None:
            for code in codes:
                self.store.templates[code] = seeds[code]

        return apply

    def _absent(self, code: str) -> StateAction:
        def apply(params: Mapping[str, Any]) -> None:
            self.store.templates.pop(code, None)
            self.store.restricted.discard(code)

        return apply


def main(argv: Sequence[str] | None = None) -> int:
    """Run the template service from the command line."""
    return run_cli(
        prog="python -m notifyhub.providers.template_service",
        description="Reference template service (openapi/template-service.yaml).",
        service=TemplateService,
        default_port=8002,
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
