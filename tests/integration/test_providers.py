"""The reference providers, over real HTTP, checked against their OpenAPI specs.

Every request/response pair that the spec documents is validated with openapi-core,
so a provider drifting from its contract fails here.
"""

from __future__ import annotations

import json
import re
import selectors
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.exceptions import OpenAPIError

from notifyhub.providers import ProviderStartError, RunningProvider, run_provider

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-token"
STATES = "/_pact/provider-states"
LONG_ID = "u-" + "a" * 19  # 21 characters: well-formed, unknown, past the bug's limit


def load_spec(name: str) -> OpenAPI:
    """Load a spec; problem documents are JSON too (openapi-core only knows application/json)."""
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_file_path(str(ROOT / "openapi" / f"{name}.yaml"), config=config)


SPECS = {
    "user-service": load_spec("user-service"),
    "template-service": load_spec("template-service"),
}


class Api:
    """Calls one provider and validates every documented exchange against its spec."""

    def __init__(self, provider: RunningProvider, reset_state: str) -> None:
        self.base_url = provider.base_url
        self.provider = provider
        self.spec = SPECS[provider.name]
        self.session = requests.Session()
        self.reset_state = reset_state

    def call(
        self,
        method: str,
        path: str,
        *,
        status: int,
        token: str | None = TOKEN,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        data: bytes | None = None,
        request_valid: bool | None = True,
        documented: bool = True,
    ) -> requests.Response:
        """Send a request, check the status and the common response rules, validate both.

        ``request_valid``: whether openapi-core must accept (True) or reject (False) the
        request, None to skip. ``documented``: False for routes outside the spec.
        """
        all_headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        all_headers.update(headers or {})
        prepared = requests.Request(
            method, self.base_url + path, headers=all_headers, json=body, data=data
        ).prepare()
        response = self.session.send(prepared, timeout=10)
        assert response.status_code == status, response.text
        assert response.headers.get("X-Request-ID")
        if status >= 400:
            assert response.headers["Content-Type"] == "application/problem+json"
            problem = response.json()
            assert problem["type"] == "about:blank"
            assert problem["status"] == status
            assert isinstance(problem["title"], str)
            assert problem["title"]
            assert isinstance(problem["detail"], str)
            assert problem["detail"]
            assert "Traceback" not in response.text
        else:
            assert response.headers["Content-Type"] == "application/json"
        if documented:
            openapi_request = RequestsOpenAPIRequest(prepared)
            if request_valid is True:
                self.spec.validate_request(openapi_request)
            elif request_valid is False:
                with pytest.raises(OpenAPIError):
                    self.spec.validate_request(openapi_request)
            self.spec.validate_response(openapi_request, RequestsOpenAPIResponse(response))
        return response

    def state(self, state: str, action: str | None = "setup", **params: Any) -> None:
        """Change the provider state the way pact-python's verifier does."""
        payload: dict[str, Any] = {"state": state, "params": params}
        if action is not None:
            payload["action"] = action
        response = self.session.post(self.base_url + STATES, json=payload, timeout=10)
        assert response.status_code == 200, response.text
        assert response.json() == {}

    def reset(self) -> None:
        """Back to the seed data, without faults."""
        self.state(self.reset_state, "teardown")


PROVIDERS: dict[str, dict[str, Any]] = {
    "user_provider": {"name": "user-service", "enable_states": True},
    "template_provider": {"name": "template-service", "enable_states": True},
    "user_drift": {"name": "user-service", "drift": True},
    "template_drift": {"name": "template-service", "drift": True},
    "user_bug": {"name": "user-service", "bug": True},
    "template_bug": {"name": "template-service", "bug": True},
}


@contextmanager
def run_providers(configs: Mapping[str, Mapping[str, Any]]) -> Iterator[dict[str, RunningProvider]]:
    """Several ``run_provider`` blocks, entered and left concurrently (each takes ~0.25 s)."""
    managers = {key: run_provider(**config) for key, config in configs.items()}
    with ThreadPoolExecutor(len(managers)) as pool:
        futures = {key: pool.submit(manager.__enter__) for key, manager in managers.items()}
        started: dict[str, RunningProvider] = {}
        errors: list[BaseException] = []
        for key, future in futures.items():
            try:
                started[key] = future.result()
            except BaseException as exc:
                errors.append(exc)
        try:
            if errors:
                raise errors[0]
            yield started
        finally:
            list(pool.map(lambda key: managers[key].__exit__(None, None, None), started))


@pytest.fixture(scope="module")
def providers() -> Iterator[dict[str, RunningProvider]]:
    with run_providers(PROVIDERS) as running:
        yield running


def seeded_api(provider: RunningProvider, reset_state: str) -> Iterator[Api]:
    """An `Api` on the seed data for one test; the provider must not have logged a traceback."""
    api = Api(provider, reset_state)
    api.reset()
    yield api
    api.session.close()
    assert "Traceback" not in api.provider.stderr_text()


@pytest.fixture
def users(providers: dict[str, RunningProvider]) -> Iterator[Api]:
    yield from seeded_api(providers["user_provider"], "user u-1001 exists")


@pytest.fixture
def templates(providers: dict[str, RunningProvider]) -> Iterator[Api]:
    yield from seeded_api(providers["template_provider"], "templates exist")


@pytest.fixture(params=["users", "templates"])
def api(request: pytest.FixtureRequest) -> Api:
    """Either provider, for behaviour both specs share."""
    result: Api = request.getfixturevalue(request.param)
    return result


# A valid request for every operation of each spec but /health.
OPERATIONS: dict[str, list[tuple[str, str, Any]]] = {
    "user-service": [
        ("GET", "/v1/users/u-1001", None),
        ("GET", "/v1/users/u-1001/preferences", None),
        ("PUT", "/v1/users/u-1001/preferences", {"email": True, "push": True}),
    ],
    "template-service": [
        ("GET", "/v1/templates", None),
        ("GET", "/v1/templates/welcome", None),
        ("POST", "/v1/templates/welcome/render", {"variables": {"name": "Alice"}}),
    ],
}


MISSING = {"user-service": "/v1/users/u-9999", "template-service": "/v1/templates/nope"}


def probe(api: Api) -> tuple[str, str, Any]:
    """An operation that needs a token and has a path parameter."""
    return OPERATIONS[api.provider.name][1]


def is_recent(timestamp: str) -> bool:
    """Whether an RFC 3339 UTC timestamp is within a minute of now."""
    moment = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return abs((datetime.now(UTC) - moment).total_seconds()) < 60


# -- behaviour shared by both providers -----------------------------------------------------


def test_health_needs_no_token(api: Api) -> None:
    assert api.call("GET", "/v1/health", status=200, token=None).json() == {"status": "ok"}
    api.call("GET", "/v1/health", status=200, token="anything")


def test_every_operation_answers_200_when_authorised(api: Api) -> None:
    for method, path, body in OPERATIONS[api.provider.name]:
        api.call(method, path, status=200, body=body)


@pytest.mark.parametrize(
    ("authorization", "request_valid"),
    [(None, False), ("Basic dGVzdDp0ZXN0", False), ("Bearer", False), ("Bearer wrong", True)],
)
def test_missing_malformed_or_unknown_token_is_401(
    api: Api, authorization: str | None, request_valid: bool
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path, body in OPERATIONS[api.provider.name]:
        response = api.call(
            method,
            path,
            status=401,
            token=None,
            headers=headers,
            body=body,
            request_valid=request_valid,
        )
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_request_id_is_echoed_or_generated(api: Api) -> None:
    method, path, _body = probe(api)
    given = {"X-Request-ID": "abc-123.XYZ_9"}
    for status, some_path in [(200, path), (404, MISSING[api.provider.name])]:
        response = api.call(method, some_path, status=status, headers=given)
        assert response.headers["X-Request-ID"] == given["X-Request-ID"]
    for response in (
        api.call(method, path, status=200),
        api.call(method, path, status=401, token=None, request_valid=False),
        api.call("GET", "/v1/health", status=200, token=None),
    ):
        assert uuid.UUID(response.headers["X-Request-ID"]).version == 4


@pytest.mark.parametrize("request_id", ["bad id!", "x" * 65, "ä"])
def test_invalid_request_id_is_400_with_a_fresh_id(api: Api, request_id: str) -> None:
    method, path, _body = probe(api)
    headers = {"X-Request-ID": request_id.encode().decode("latin-1")}
    response = api.call(method, path, status=400, headers=headers, request_valid=False)
    assert uuid.UUID(response.headers["X-Request-ID"]).version == 4
    assert "X-Request-ID" in response.json()["detail"]
    health = api.call("GET", "/v1/health", status=200, token=None, headers=headers)
    assert uuid.UUID(health.headers["X-Request-ID"]).version == 4


@pytest.mark.parametrize(
    "path",
    ["/", "/v1", "/v1/", "/v1/nope", "/health", "/v1/health/", "/users/u-1001", "/templates"],
)
def test_unknown_route_is_404_problem(api: Api, path: str) -> None:
    response = api.call("GET", path, status=404, documented=False)
    assert response.json()["title"] == "Not Found"


def test_state_endpoint_rejects_unknown_state_and_other_methods(api: Api) -> None:
    response = api.session.post(
        api.base_url + STATES, json={"state": "the moon is full", "action": "setup"}
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "'the moon is full'" in response.json()["detail"]
    for payload in ({"action": "setup"}, {"state": "templates exist", "action": "explode"}):
        assert api.session.post(api.base_url + STATES, json=payload).status_code == 400
    response = api.session.get(api.base_url + STATES)
    assert (response.status_code, response.headers["Allow"]) == (405, "POST")


FAULTS = [
    ("the rate limit is exhausted", 429, "1"),
    ("the {service} is unavailable", 503, "1"),
    ("the {service} fails internally", 500, None),
]


@pytest.mark.parametrize(("state", "status", "retry_after"), FAULTS)
@pytest.mark.parametrize("action", ["setup", None])
def test_fault_states_hit_every_operation_but_health(
    api: Api, state: str, status: int, retry_after: str | None, action: str | None
) -> None:
    api.state(state.format(service=api.provider.name.replace("-", " ")), action)
    for method, path, body in OPERATIONS[api.provider.name]:
        response = api.call(method, path, status=status, body=body)
        assert response.headers.get("Retry-After") == retry_after
    api.call("GET", "/v1/health", status=200, token=None)
    api.reset()
    for method, path, body in OPERATIONS[api.provider.name]:
        api.call(method, path, status=200, body=body)


def test_query_string_state_change_form(users: Api) -> None:
    state = "the user service is unavailable"
    response = users.session.post(
        users.base_url + STATES, params={"state": state, "action": "setup"}
    )
    assert response.status_code == 200
    users.call("GET", "/v1/users/u-1001", status=503)


@pytest.mark.parametrize("name", ["user_bug", "template_bug"])
def test_state_endpoint_absent_unless_enabled(
    providers: dict[str, RunningProvider], name: str
) -> None:
    provider = providers[name]
    response = requests.post(
        provider.base_url + STATES, json={"state": "the rate limit is exhausted"}, timeout=10
    )
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


# -- user service ---------------------------------------------------------------------------

ALICE = {
    "id": "u-1001",
    "username": "alice",
    "display_name": "Alice Example",
    "email_address": "alice@example.com",
    "created_at": "2025-01-15T09:30:00Z",
}
ALICE_PREFERENCES = {
    "user_id": "u-1001",
    "email": True,
    "push": False,
    "locale": "en-GB",
    "quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "Europe/London"},
    "updated_at": "2025-03-01T12:00:00Z",
}


def test_get_user(users: Api) -> None:
    assert users.call("GET", "/v1/users/u-1001", status=200).json() == ALICE
    bob = users.call("GET", "/v1/users/u-1002", status=200).json()
    assert (bob["username"], bob["display_name"], bob["email_address"]) == (
        "bob",
        "Bob Example",
        "bob@example.com",
    )


@pytest.mark.parametrize("suffix", ["", "/preferences"])
def test_restricted_and_unknown_users(users: Api, suffix: str) -> None:
    forbidden = users.call("GET", f"/v1/users/u-1003{suffix}", status=403).json()
    assert forbidden["detail"] == "Access to user u-1003 is restricted."
    missing = users.call("GET", f"/v1/users/u-9999{suffix}", status=404).json()
    assert missing["detail"] == "User u-9999 does not exist."
    users.call("GET", f"/v1/users/u-{'z' * 32}{suffix}", status=404)
    users.call("GET", f"/v1/users/{LONG_ID}{suffix}", status=404)
    body = {"email": False, "push": False}
    users.call("PUT", "/v1/users/u-1003/preferences", status=403, body=body)
    users.call("PUT", "/v1/users/u-9999/preferences", status=404, body=body)


BAD_USER_IDS = [
    "bad%20id!",
    "U-1001",
    "u-",
    "u-" + "a" * 33,
    "x",
    "u-10.01",
    "u-1%2F2",
    "u-1001%0A",
    "%C3%BC-1001",
]


@pytest.mark.parametrize("user_id", BAD_USER_IDS)
def test_bad_user_id_is_400(users: Api, user_id: str) -> None:
    detail = users.call("GET", f"/v1/users/{user_id}", status=400, request_valid=False).json()
    assert detail["detail"].startswith("path parameter userId:")
    users.call("GET", f"/v1/users/{user_id}/preferences", status=400, request_valid=False)
    body = {"email": True, "push": True}
    users.call(
        "PUT", f"/v1/users/{user_id}/preferences", status=400, body=body, request_valid=False
    )


@pytest.mark.parametrize("path", ["/v1/users/", "/v1/users//preferences"])
def test_empty_user_id_is_400(users: Api, path: str) -> None:
    response = users.call("GET", path, status=400, documented=False)
    assert response.json()["detail"].startswith("path parameter userId:")


def test_get_preferences(users: Api) -> None:
    assert users.call("GET", "/v1/users/u-1001/preferences", status=200).json() == (
        ALICE_PREFERENCES
    )
    bob = users.call("GET", "/v1/users/u-1002/preferences", status=200).json()
    assert (bob["email"], bob["push"], bob["locale"]) == (True, True, "de-DE")
    assert "quiet_hours" not in bob


def test_update_preferences_replaces_them(users: Api) -> None:
    update = {"email": False, "push": True, "locale": "de-DE"}
    stored = users.call("PUT", "/v1/users/u-1001/preferences", status=200, body=update).json()
    assert {key: stored[key] for key in ("user_id", "email", "push", "locale")} == {
        "user_id": "u-1001",
        **update,
    }
    assert "quiet_hours" not in stored
    assert is_recent(stored["updated_at"])
    assert users.call("GET", "/v1/users/u-1001/preferences", status=200).json() == stored
    window = {"start": "23:30", "end": "06:00", "timezone": "UTC"}
    full = {"email": True, "push": False, "quiet_hours": window}
    stored = users.call("PUT", "/v1/users/u-1002/preferences", status=200, body=full).json()
    assert (stored["quiet_hours"], "locale" in stored) == (window, False)


def test_setup_restores_the_seed(users: Api) -> None:
    users.call(
        "PUT", "/v1/users/u-1001/preferences", status=200, body={"email": False, "push": True}
    )
    users.state("user u-1001 exists")
    assert users.call("GET", "/v1/users/u-1001/preferences", status=200).json() == (
        ALICE_PREFERENCES
    )


def test_user_states(users: Api) -> None:
    users.state("user u-1002 exists")
    users.call("GET", "/v1/users/u-1002", status=200)
    users.state("user u-9999 does not exist")
    users.call("GET", "/v1/users/u-9999", status=404)
    users.state("user u-1003 is restricted")
    users.call("GET", "/v1/users/u-1003", status=403)
    users.state("user u-1001 exists", params={"ignored": True})
    users.call("GET", "/v1/users/u-1001", status=200)


BAD_PREFERENCES: list[Any] = [
    {"email": True},
    {"push": True},
    {"email": "yes", "push": True},
    {"email": True, "push": 1},
    {"email": True, "push": True, "sms": True},
    {"email": True, "push": True, "locale": "EN"},
    {"email": True, "push": True, "locale": "en-gb"},
    {"email": True, "push": True, "locale": None},
    {"email": True, "push": True, "quiet_hours": None},
    {
        "email": True,
        "push": True,
        "quiet_hours": {"start": "24:00", "end": "07:00", "timezone": "UTC"},
    },
    {
        "email": True,
        "push": True,
        "quiet_hours": {"start": "22:00", "end": "7:00", "timezone": "UTC"},
    },
    {"email": True, "push": True, "quiet_hours": {"start": "22:00", "end": "07:00"}},
    {
        "email": True,
        "push": True,
        "quiet_hours": {"start": "22:00", "end": "07:00", "timezone": ""},
    },
    {
        "email": True,
        "push": True,
        "quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "x" * 65},
    },
    {
        "email": True,
        "push": True,
        "quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "UTC", "days": 5},
    },
    [],
    "email",
]


@pytest.mark.parametrize("body", BAD_PREFERENCES)
def test_invalid_preferences_are_400(users: Api, body: Any) -> None:
    users.call("PUT", "/v1/users/u-1001/preferences", status=400, body=body, request_valid=False)
    assert users.call("GET", "/v1/users/u-1001/preferences", status=200).json() == (
        ALICE_PREFERENCES
    )


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b'{"email": true, "push": ', "application/json"),
        (b"", "application/json"),
        (b'{"email": NaN, "push": true}', "application/json"),
        (b'{"email": true, "push": true}', "text/plain"),
        (b"\xff\xfe", "application/json"),
    ],
)
def test_unparseable_preferences_are_400(users: Api, data: bytes, content_type: str) -> None:
    users.call(
        "PUT",
        "/v1/users/u-1001/preferences",
        status=400,
        data=data,
        headers={"Content-Type": content_type},
        request_valid=False,
    )


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/v1/users/u-1001", "GET"),
        ("PUT", "/v1/users/u-1001", "GET"),
        ("POST", "/v1/users/u-1001/preferences", "GET, PUT"),
        ("POST", "/v1/health", "GET"),
        ("HEAD", "/v1/users/u-1001", "GET"),
    ],
)
def test_wrong_method_is_405_on_users(users: Api, method: str, path: str, allow: str) -> None:
    response = users.session.request(
        method, users.base_url + path, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert (response.status_code, response.headers["Allow"]) == (405, allow)
    assert response.headers["X-Request-ID"]
    if method != "HEAD":
        assert response.json()["status"] == 405


# -- template service -----------------------------------------------------------------------

WELCOME = {
    "code": "welcome",
    "channel": "email",
    "name": "Welcome e-mail",
    "subject": "Welcome, {{name}}!",
    "body": "Hello {{name}}, welcome aboard.",
    "required_variables": ["name"],
    "locales": ["en", "de"],
    "default_locale": "en",
    "updated_at": "2025-02-10T10:00:00Z",
}
ALL_CODES = ["internal_audit", "order_shipped", "password_reset", "welcome"]


def codes(page: dict[str, Any]) -> list[str]:
    return [item["code"] for item in page["items"]]


def test_list_templates(templates: Api) -> None:
    page = templates.call("GET", "/v1/templates", status=200).json()
    assert (codes(page), page["page"], page["page_size"], page["total"]) == (ALL_CODES, 1, 20, 4)
    welcome = page["items"][-1]
    assert welcome == {k: WELCOME[k] for k in ("code", "channel", "name", "locales")}
    push = templates.call("GET", "/v1/templates?channel=push", status=200).json()
    assert (codes(push), push["total"]) == (["order_shipped"], 1)
    sms = templates.call("GET", "/v1/templates?channel=sms", status=200).json()
    assert (sms["items"], sms["total"]) == ([], 0)
    second = templates.call("GET", "/v1/templates?page=2&page_size=3", status=200).json()
    assert (codes(second), second["page"], second["page_size"], second["total"]) == (
        ["welcome"],
        2,
        3,
        4,
    )
    beyond = templates.call("GET", "/v1/templates?page=10000&page_size=100", status=200).json()
    assert (beyond["items"], beyond["total"]) == ([], 4)


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=10001",
        "page=-1",
        "page=abc",
        "page=1.5",
        "page=",
        "page=" + "9" * 30,
        "page_size=0",
        "page_size=101",
        "channel=fax",
        "channel=EMAIL",
        "page=1&page=2",
    ],
)
def test_bad_list_query_is_400(templates: Api, query: str) -> None:
    # openapi-core sees neither a blank value (its parser drops it) nor a repeated one.
    request_valid = None if query == "page=" or "&" in query else False
    templates.call("GET", f"/v1/templates?{query}", status=400, request_valid=request_valid)


def test_get_template(templates: Api) -> None:
    assert templates.call("GET", "/v1/templates/welcome", status=200).json() == WELCOME
    shipped = templates.call("GET", "/v1/templates/order_shipped", status=200).json()
    assert (shipped["channel"], shipped["subject"], shipped["body"]) == (
        "push",
        None,
        "Your order {{order_id}} is on its way.",
    )
    reset = templates.call("GET", "/v1/templates/password_reset", status=200).json()
    assert (reset["required_variables"], reset["locales"]) == (["name", "reset_link"], ["en"])


@pytest.mark.parametrize("suffix", ["", "/render"])
def test_restricted_and_unknown_templates(templates: Api, suffix: str) -> None:
    method = "POST" if suffix else "GET"
    body = {"variables": {"name": "Alice", "period": "Q1"}} if suffix else None
    forbidden = templates.call(
        method, f"/v1/templates/internal_audit{suffix}", status=403, body=body
    )
    assert forbidden.json()["detail"] == "Access to template internal_audit is restricted."
    missing = templates.call(method, f"/v1/templates/nope{suffix}", status=404, body=body)
    assert missing.json()["detail"] == "Template nope does not exist."
    templates.call(method, f"/v1/templates/{'a' * 64}{suffix}", status=404, body=body)


@pytest.mark.parametrize(
    "code", ["Bad%20Code!", "a", "1abc", "_abc", "a" * 65, "ab%2Fcd", "ab%0A", "caf%C3%A9"]
)
def test_bad_template_code_is_400(templates: Api, code: str) -> None:
    response = templates.call("GET", f"/v1/templates/{code}", status=400, request_valid=False)
    assert response.json()["detail"].startswith("path parameter code:")
    body = {"variables": {"name": "Alice"}}
    templates.call(
        "POST", f"/v1/templates/{code}/render", status=400, body=body, request_valid=False
    )


def test_empty_template_code_is_400(templates: Api) -> None:
    templates.call("GET", "/v1/templates/", status=400, documented=False)
    templates.call("POST", "/v1/templates//render", status=400, documented=False, body={})


@pytest.mark.parametrize(
    ("code", "request_body", "expected"),
    [
        (
            "welcome",
            {"variables": {"name": "Alice"}, "locale": "en"},
            ("Welcome, Alice!", "Hello Alice, welcome aboard.", "en"),
        ),
        (
            "welcome",
            {"variables": {"name": "Alice"}},
            ("Welcome, Alice!", "Hello Alice, welcome aboard.", "en"),
        ),
        (
            "welcome",
            {"variables": {"name": "Anna"}, "locale": "de"},
            ("Willkommen, Anna!", "Hallo Anna, willkommen an Bord.", "de"),
        ),
        (
            "welcome",
            {"variables": {"name": "Zoé", "extra": "unused"}, "locale": "fr"},
            ("Welcome, Zoé!", "Hello Zoé, welcome aboard.", "en"),
        ),
        (
            "welcome",
            {"variables": {"name": "{{name}}"}, "locale": "de-DE"},
            ("Welcome, {{name}}!", "Hello {{name}}, welcome aboard.", "en"),
        ),
        (
            "order_shipped",
            {"variables": {"order_id": "A-17"}, "locale": "en-GB"},
            (None, "Your order A-17 is on its way.", "en"),
        ),
        (
            "password_reset",
            {"variables": {"name": "Bob", "reset_link": "https://x.test/r/1"}},
            (
                "Reset your password, Bob",
                "Hello Bob, reset your password here: https://x.test/r/1",
                "en",
            ),
        ),
    ],
)
def test_render(
    templates: Api, code: str, request_body: Any, expected: tuple[str | None, str, str]
) -> None:
    rendered = templates.call(
        "POST", f"/v1/templates/{code}/render", status=200, body=request_body
    ).json()
    assert (rendered["subject"], rendered["body"], rendered["locale"]) == expected
    assert rendered["template_code"] == code
    assert is_recent(rendered["rendered_at"])


@pytest.mark.parametrize(
    ("code", "variables", "missing"),
    [
        ("welcome", {}, ["name"]),
        ("welcome", {"nam": "x"}, ["name"]),
        ("password_reset", {}, ["name", "reset_link"]),
        ("password_reset", {"reset_link": "x"}, ["name"]),
    ],
)
def test_render_missing_variables_is_422(
    templates: Api, code: str, variables: dict[str, str], missing: list[str]
) -> None:
    problem = templates.call(
        "POST", f"/v1/templates/{code}/render", status=422, body={"variables": variables}
    ).json()
    assert problem["missing_variables"] == missing
    assert problem["title"] == "Unprocessable Content"
    assert problem["detail"] == f"Missing required variables: {', '.join(missing)}"


BAD_RENDER_BODIES: list[Any] = [
    {},
    {"locale": "en"},
    {"variables": []},
    {"variables": {"name": 1}},
    {"variables": {"name": None}},
    {"variables": {"Name": "x"}},
    {"variables": {"1name": "x"}},
    {"variables": {"name": "x" * 10001}},
    {"variables": {f"v{i}": "x" for i in range(101)}},
    {"variables": {"name": "x"}, "locale": "EN"},
    {"variables": {"name": "x"}, "locale": None},
    {"variables": {"name": "x"}, "channel": "push"},
    ["variables"],
]


@pytest.mark.parametrize("body", BAD_RENDER_BODIES)
def test_invalid_render_body_is_400(templates: Api, body: Any) -> None:
    templates.call(
        "POST", "/v1/templates/welcome/render", status=400, body=body, request_valid=False
    )


def test_unparseable_render_body_is_400(templates: Api) -> None:
    cases = [
        (b"{", "application/json", False),
        (b"{}", "text/plain", False),
        # openapi-core itself overflows the stack on this one, so it is not asked.
        (b"[" * 100_000, "application/json", None),
    ]
    for data, content_type, request_valid in cases:
        templates.call(
            "POST",
            "/v1/templates/welcome/render",
            status=400,
            data=data,
            headers={"Content-Type": content_type},
            request_valid=request_valid,
        )


def test_template_states(templates: Api) -> None:
    for state in ("template welcome exists", "template order_shipped exists"):
        templates.state(state)
        templates.call("GET", "/v1/templates/" + state.split()[1], status=200)
    templates.state("template nope does not exist")
    templates.call("GET", "/v1/templates/nope", status=404)
    templates.state("template internal_audit is restricted")
    templates.call("GET", "/v1/templates/internal_audit", status=403)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/v1/templates", "GET"),
        ("DELETE", "/v1/templates/welcome", "GET"),
        ("GET", "/v1/templates/welcome/render", "POST"),
        ("PUT", "/v1/templates/welcome/render", "POST"),
    ],
)
def test_wrong_method_is_405_on_templates(
    templates: Api, method: str, path: str, allow: str
) -> None:
    response = templates.session.request(method, templates.base_url + path)
    assert (response.status_code, response.headers["Allow"]) == (405, allow)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Method Not Allowed"


# -- drift and bug switches -----------------------------------------------------------------


def test_user_drift_fails_validation(providers: dict[str, RunningProvider]) -> None:
    api = Api(providers["user_drift"], "")
    with pytest.raises(OpenAPIError, match="'username' is a required property"):
        api.call("GET", "/v1/users/u-1001", status=200)
    api.call("GET", "/v1/users/u-1001/preferences", status=200)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/templates/welcome", None),
        ("POST", "/v1/templates/welcome/render", {"variables": {"name": "Alice"}}),
    ],
)
def test_template_drift_fails_validation(
    providers: dict[str, RunningProvider], method: str, path: str, body: Any
) -> None:
    api = Api(providers["template_drift"], "")
    with pytest.raises(OpenAPIError, match="'body' is a required property"):
        api.call(method, path, status=200, body=body)


def test_bug_switch_is_off_by_default(users: Api, templates: Api) -> None:
    users.call("GET", f"/v1/users/{LONG_ID}", status=404)
    templates.call("GET", "/v1/templates?page_size=51", status=200)


def test_user_bug_crashes_long_ids(providers: dict[str, RunningProvider]) -> None:
    api = Api(providers["user_bug"], "")
    problem = api.call("GET", f"/v1/users/{LONG_ID}", status=500).json()
    assert problem["title"] == "Internal Server Error"
    api.call("GET", f"/v1/users/{LONG_ID[:-1]}", status=404)
    api.call("GET", "/v1/users/u-1001", status=200)
    api.call("GET", f"/v1/users/{LONG_ID}/preferences", status=404)
    assert "OverflowError" in api.provider.stderr_text()


def test_template_bug_crashes_big_pages(providers: dict[str, RunningProvider]) -> None:
    api = Api(providers["template_bug"], "")
    api.call("GET", "/v1/templates?page_size=51", status=500)
    api.call("GET", "/v1/templates?page_size=100&channel=email", status=500)
    api.call("GET", "/v1/templates?page_size=50", status=200)
    assert "IndexError" in api.provider.stderr_text()


# -- processes ------------------------------------------------------------------------------


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """One stdout line of ``process``, or '' if none arrives in time."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return process.stdout.readline()


@pytest.mark.parametrize(
    ("module", "path", "stop"),
    [
        ("template_service", "/v1/templates", signal.SIGTERM),
        ("user_service", "/v1/users/u-1001", signal.SIGINT),
    ],
)
def test_python_m_announces_serves_and_stops_on_signal(
    module: str, path: str, stop: signal.Signals
) -> None:
    command = [sys.executable, "-m", f"notifyhub.providers.{module}", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--token", "alpha", "--token", "beta"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = read_line(process, timeout=15)
        match = re.fullmatch(r"listening on (http://127\.0\.0\.1:(\d+))\n", line)
        assert match, line
        assert int(match[2]) > 0
        base_url = match[1]
        for token, status in [("alpha", 200), ("beta", 200), (TOKEN, 401)]:
            headers = {"Authorization": f"Bearer {token}"}
            assert requests.get(base_url + path, headers=headers, timeout=10).status_code == status
        process.send_signal(stop)
        assert process.wait(timeout=10) == 0
        assert process.stdout is not None
        assert process.stdout.read() == ""
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_run_provider_reports_a_failed_start() -> None:
    with (
        pytest.raises(ProviderStartError, match="unrecognized arguments: --no-such-option"),
        run_provider("user-service", extra_args=["--no-such-option"], timeout=15),
    ):
        pass  # pragma: no cover
    with pytest.raises(ValueError, match="unknown provider"), run_provider("mail-service"):  # type: ignore[arg-type]
        pass  # pragma: no cover


def test_run_provider_stops_the_process_when_the_block_raises() -> None:
    started: list[subprocess.Popen[bytes]] = []

    def use_then_fail() -> None:
        with run_provider("template-service") as provider:
            started.append(provider.process)
            assert requests.get(provider.base_url + "/v1/health", timeout=10).status_code == 200
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        use_then_fail()
    assert started[0].returncode is not None
