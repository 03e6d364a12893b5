"""Client of the template service (`openapi/template-service.yaml`)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from notifyhub.orchestrator.models import Channel, RenderedMessage, Template, TemplatePage
from notifyhub.orchestrator.transport import ServiceTransport


class TemplateClient:
    """Lists, reads and renders notification templates."""

    def __init__(self, transport: ServiceTransport) -> None:
        self.transport = transport

    def list_templates(
        self,
        *,
        page: int = 1,
        page_size: int = 20,
        channel: Channel | None = None,
        request_id: str | None = None,
    ) -> TemplatePage:
        """`GET /v1/templates`: one page, optionally only one channel's templates."""
        params: dict[str, str | int] = {"page": page, "page_size": page_size}
        if channel is not None:
            params["channel"] = channel.value
        return self.transport.call(
            "GET",
            "/v1/templates",
            TemplatePage.from_json,
            idempotent=True,
            request_id=request_id,
            params=params,
        )

    def get_template(self, code: str, *, request_id: str | None = None) -> Template:
        """`GET /v1/templates/{code}`."""
        return self.transport.call(
            "GET", _template_path(code), Template.from_json, idempotent=True, request_id=request_id
        )

    def render(
        self,
        code: str,
        variables: Mapping[str, str],
        *,
        locale: str | None = None,
        request_id: str | None = None,
    ) -> RenderedMessage:
        """`POST /v1/templates/{code}/render`; side-effect free, so retried like a read.

        Raises `MissingVariables` (with the names) when required variables are missing.
        """
        body: dict[str, object] = {"variables": dict(variables)}
        if locale is not None:
            body["locale"] = locale
        return self.transport.call(
            "POST",
            _template_path(code) + "/render",
            RenderedMessage.from_json,
            idempotent=True,
            request_id=request_id,
            json_body=body,
        )


def _template_path(code: str) -> str:
    return f"/v1/templates/{quote(code, safe='')}"
