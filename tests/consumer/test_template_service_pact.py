"""Consumer contract orchestrator -> template-service, driven through the real TemplateClient."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from orchestrator_pacts import (
    Case,
    contract_tests,
    expect_error,
    locale,
    problem,
    rate_limited_case,
    refused_case,
    timestamp,
    unavailable_case,
)
from pact import match

from notifyhub.orchestrator import (
    Channel,
    Clients,
    Forbidden,
    MissingVariables,
    NotFound,
    RenderedMessage,
)

pytestmark = pytest.mark.consumer

PROVIDER = "template-service"
WELCOME_VARIABLES = {"name": "Alice"}


def template_code(example: str) -> match.AbstractMatcher[str]:
    return match.regex(example, regex=r"^[a-z][a-z0-9_-]{1,63}$")


def variable_name(example: str) -> match.AbstractMatcher[str]:
    return match.regex(example, regex=r"^[a-z][a-z0-9_]{0,63}$")


def list_templates(clients: Clients) -> None:
    page = clients.templates.list_templates(page=1, page_size=20)
    assert [(t.code, t.channel, t.locales) for t in page.items] == [
        ("welcome", Channel.EMAIL, ("en",))
    ]
    assert (page.page, page.page_size, page.total) == (1, 20, 1)


def get_template(clients: Clients) -> None:
    template = clients.templates.get_template("welcome")
    assert (template.code, template.channel, template.subject) == (
        "welcome",
        Channel.EMAIL,
        "Welcome, {{name}}!",
    )
    assert template.required_variables == ("name",)
    assert template.default_locale == "en"


def render_email(clients: Clients) -> None:
    assert clients.templates.render("welcome", WELCOME_VARIABLES, locale="en") == RenderedMessage(
        template_code="welcome",
        channel=Channel.EMAIL,
        subject="Welcome, Alice!",
        body="Hello Alice, welcome aboard.",
        locale="en",
        rendered_at=datetime(2025, 3, 1, 12, tzinfo=UTC),
    )


def render_push(clients: Clients) -> None:
    message = clients.templates.render("order_shipped", {"order_id": "o-1001"})
    assert (message.channel, message.subject) == (Channel.PUSH, None)
    assert message.body == "Your order o-1001 has shipped."


CASES = [
    Case(
        description="a request for the first page of templates",
        state="templates exist",
        method="GET",
        path="/v1/templates",
        query={"page": "1", "page_size": "20"},
        status=200,
        response={
            "items": match.each_like(
                {
                    "code": template_code("welcome"),
                    "channel": match.regex("email", regex=r"^(email|push|sms)$"),
                    "name": match.like("Welcome e-mail"),
                    "locales": match.each_like(locale("en"), min=1),
                }
            ),
            "page": match.int(1),
            "page_size": match.int(20),
            "total": match.int(1),
        },
        exercise=list_templates,
    ),
    Case(
        description="a request for template welcome",
        state="template welcome exists",
        method="GET",
        path="/v1/templates/welcome",
        status=200,
        response={
            "code": "welcome",
            "channel": "email",
            "name": match.like("Welcome e-mail"),
            "subject": match.like("Welcome, {{name}}!"),
            "body": match.like("Hello {{name}}, welcome aboard."),
            "required_variables": match.each_like(variable_name("name"), min=1),
            "locales": match.each_like(locale("en"), min=1),
            "default_locale": locale("en"),
            "updated_at": timestamp("2025-02-10T10:00:00Z"),
        },
        exercise=get_template,
    ),
    Case(
        description="a request to render the welcome email",
        state="template welcome exists",
        method="POST",
        path="/v1/templates/welcome/render",
        request={"variables": WELCOME_VARIABLES, "locale": "en"},
        status=200,
        response={
            "template_code": "welcome",
            "channel": "email",
            "subject": match.like("Welcome, Alice!"),
            "body": match.like("Hello Alice, welcome aboard."),
            "locale": locale("en"),
            "rendered_at": timestamp("2025-03-01T12:00:00Z"),
        },
        exercise=render_email,
    ),
    Case(
        description="a request to render the order_shipped push message",
        state="template order_shipped exists",
        method="POST",
        path="/v1/templates/order_shipped/render",
        request={"variables": {"order_id": "o-1001"}},
        status=200,
        response={
            "template_code": "order_shipped",
            "channel": "push",
            "subject": None,
            "body": match.like("Your order o-1001 has shipped."),
            "locale": locale("en"),
            "rendered_at": timestamp("2025-03-01T12:00:00Z"),
        },
        exercise=render_push,
    ),
    refused_case(
        NotFound,
        description="a request for an unknown template",
        state="template nope does not exist",
        path="/v1/templates/nope",
        call=lambda clients: clients.templates.get_template("nope"),
    ),
    refused_case(
        Forbidden,
        description="a request for a restricted template",
        state="template internal_audit is restricted",
        path="/v1/templates/internal_audit",
        call=lambda clients: clients.templates.get_template("internal_audit"),
    ),
    Case(
        description="a request to render welcome without its variables",
        state="template welcome exists",
        method="POST",
        path="/v1/templates/welcome/render",
        request={"variables": {}, "locale": "en"},
        status=422,
        response=problem(
            422,
            "Unprocessable Content",
            missing_variables=match.each_like(variable_name("name"), min=1),
        ),
        exercise=expect_error(
            MissingVariables,
            lambda clients: clients.templates.render("welcome", {}, locale="en"),
            missing_variables=("name",),
        ),
    ),
    rate_limited_case(
        description="a request to render while rate limited",
        method="POST",
        path="/v1/templates/welcome/render",
        request={"variables": WELCOME_VARIABLES, "locale": "en"},
        call=lambda clients: clients.templates.render("welcome", WELCOME_VARIABLES, locale="en"),
    ),
    unavailable_case(
        service="template service",
        description="a request for a template while the service is unavailable",
        method="GET",
        path="/v1/templates/welcome",
        call=lambda clients: clients.templates.get_template("welcome"),
    ),
]

test_interaction, test_committed_contract_is_current = contract_tests(PROVIDER, CASES)
