"""Shared machinery of the orchestrator's Pact consumer tests.

Each provider's interactions are a table of `Case`s. Every case is checked on
its own (a one-interaction Pact served by Pact's mock server and driven by the
real client), and the contract file is generated from the whole table, so no
test depends on another or on test order. A test module holds the table and
takes its tests from `contract_tests`.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest
from pact import Pact, match
from pact.match import AbstractMatcher

from notifyhub.orchestrator import (
    Clients,
    Forbidden,
    NotFound,
    RateLimited,
    RetryPolicy,
    ServiceConfig,
    ServiceError,
    ServicesConfig,
    Unavailable,
    build_clients,
)

CONSUMER: Final = "orchestrator"
CONTRACTS_DIR: Final = Path(__file__).resolve().parents[2] / "contracts"
UPDATE_VARIABLE: Final = "CONTRACTGATE_UPDATE_PACTS"
UPDATE_COMMAND: Final = f"{UPDATE_VARIABLE}=1 .venv/bin/python -m pytest tests/consumer"

# Request headers every call sends; the values vary, so only their shape is contracted.
AUTHORIZATION: Final = match.regex("Bearer test-token", regex=r"^Bearer .+$")
REQUEST_ID: Final = match.regex(
    "3f2c9a1e-7d4b-4f7e-9a52-1c2b3d4e5f60", regex=r"^[A-Za-z0-9._-]{1,64}$"
)
RETRY_AFTER: Final = match.regex("1", regex=r"^[0-9]+$")


def timestamp(example: str) -> AbstractMatcher[str]:
    """An RFC 3339 date-time with seconds precision, `Z` or a numeric offset."""
    return match.datetime(example, "yyyy-MM-dd'T'HH:mm:ssXXX", disable_conversion=True)


def locale(example: str) -> AbstractMatcher[str]:
    """A BCP 47 tag as the specs allow it (`en`, `en-GB`)."""
    return match.regex(example, regex=r"^[a-z]{2}(-[A-Z]{2})?$")


def problem(status: int, title: str, **extra: Any) -> dict[str, Any]:
    """The RFC 9457 fields the specs require; the consumer relies only on the status code."""
    return {
        "type": match.like("about:blank"),
        "title": match.like(title),
        "status": match.int(status),
        **extra,
    }


Exercise = Callable[[Clients], None]
"""Drives the real client against the mock server and checks what it returns."""


def expect_error(
    error: type[ServiceError], call: Callable[[Clients], object], **attributes: object
) -> Exercise:
    """An exercise in which `call` raises `error`, whose `attributes` have the given values."""

    def exercise(clients: Clients) -> None:
        with pytest.raises(error) as caught:
            call(clients)
        for name, expected in attributes.items():
            actual = getattr(caught.value, name)
            assert actual == expected, f"{error.__name__}.{name}: {actual!r} != {expected!r}"

    return exercise


@dataclass(frozen=True)
class Case:
    """One interaction: the request the client sends and the response it handles.

    `exercise` drives the real client against the mock server and checks what it returns.
    """

    description: str
    state: str
    method: str
    path: str
    status: int
    exercise: Exercise
    response: Mapping[str, Any] | None = None
    request: Mapping[str, Any] | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    response_headers: Mapping[str, AbstractMatcher[str]] = field(default_factory=dict)


# The refusals and faults every provider answers the same way (provider states of
# `notifyhub.providers`).

_REFUSALS: Final[dict[type[ServiceError], tuple[int, str]]] = {
    NotFound: (404, "Not Found"),
    Forbidden: (403, "Forbidden"),
}


def refused_case(
    error: type[NotFound | Forbidden],
    *,
    description: str,
    state: str,
    path: str,
    call: Callable[[Clients], object],
    method: str = "GET",
) -> Case:
    """`call` refused with `error`'s status (404 or 403) and a problem body."""
    status, title = _REFUSALS[error]
    return Case(
        description=description,
        state=state,
        method=method,
        path=path,
        status=status,
        response=problem(status, title),
        exercise=expect_error(error, call),
    )


def rate_limited_case(
    *,
    description: str,
    method: str,
    path: str,
    call: Callable[[Clients], object],
    request: Mapping[str, Any] | None = None,
) -> Case:
    """`call` while the provider's rate limit is exhausted: a 429 with `Retry-After: 1`."""
    return Case(
        description=description,
        state="the rate limit is exhausted",
        method=method,
        path=path,
        request=request,
        status=429,
        response_headers={"Retry-After": RETRY_AFTER},
        response=problem(429, "Too Many Requests"),
        exercise=expect_error(RateLimited, call, retry_after=1.0),
    )


def unavailable_case(
    *, service: str, description: str, method: str, path: str, call: Callable[[Clients], object]
) -> Case:
    """`call` while `service` (e.g. "user service") is unavailable: a 503."""
    return Case(
        description=description,
        state=f"the {service} is unavailable",
        method=method,
        path=path,
        status=503,
        response=problem(503, "Service Unavailable"),
        exercise=expect_error(Unavailable, call, status=503),
    )


def _declare(pact: Pact, case: Case) -> None:
    interaction = (
        pact.upon_receiving(case.description)
        .given(case.state)
        .with_request(case.method, case.path)
        .with_query_parameters(case.query)
        .with_header("Authorization", AUTHORIZATION, "Request")
        .with_header("X-Request-ID", REQUEST_ID, "Request")
    )
    if case.request is not None:
        interaction.with_body(dict(case.request), "application/json", "Request")
    interaction.will_respond_with(case.status)
    for name, value in case.response_headers.items():
        interaction.with_header(name, value, "Response")
    if case.response is not None:
        kind = "application/json" if case.status < 400 else "application/problem+json"
        interaction.with_body(dict(case.response), kind, "Response")


def _clients(url: str) -> Clients:
    """The real clients, one attempt per call so that each interaction is hit exactly once."""
    service = ServiceConfig(
        base_url=url, stub_url=url, token="test-token", retry=RetryPolicy(max_attempts=1)
    )
    return build_clients(ServicesConfig(user_service=service, template_service=service))


def verify_case(provider: str, case: Case) -> None:
    """Serve `case` alone on a mock server and drive the real client against it.

    Leaving `serve()` raises `MismatchesError` unless exactly the declared
    request arrived.
    """
    pact = Pact(CONSUMER, provider).with_specification("V4")
    _declare(pact, case)
    with pact.serve(addr="127.0.0.1") as server, _clients(str(server.url)) as clients:
        case.exercise(clients)


def check_contract(provider: str, cases: Sequence[Case], scratch: Path) -> None:
    """Generate the provider's pact into `scratch` and compare it with `contracts/`.

    With CONTRACTGATE_UPDATE_PACTS=1 the pact is written to `contracts/` instead.
    """
    pact = Pact(CONSUMER, provider).with_specification("V4")
    for case in cases:
        _declare(pact, case)
    name = f"{CONSUMER}-{provider}.json"
    if os.environ.get(UPDATE_VARIABLE) == "1":
        pact.write_file(CONTRACTS_DIR, overwrite=True)
        return
    pact.write_file(scratch, overwrite=True)
    generated = (scratch / name).read_text()
    committed_file = CONTRACTS_DIR / name
    committed = committed_file.read_text() if committed_file.exists() else ""
    if generated != committed:
        diff = difflib.unified_diff(
            committed.splitlines(),
            generated.splitlines(),
            f"contracts/{name} (committed)",
            f"{name} (generated)",
            lineterm="",
        )
        shown = "\n".join(list(diff)[:80])
        pytest.fail(
            f"contracts/{name} is out of date with the consumer tests.\n"
            f"Regenerate it with:  {UPDATE_COMMAND}\n"
            f"and review the change before committing.\n{shown}",
            pytrace=False,
        )


def contract_tests(
    provider: str, cases: Sequence[Case]
) -> tuple[Callable[[Case], None], Callable[[Path], None]]:
    """The two tests of a provider's contract, for its test module to bind as
    ``test_interaction, test_committed_contract_is_current = contract_tests(...)``."""

    @pytest.mark.parametrize("case", cases, ids=lambda case: case.description)
    def test_interaction(case: Case) -> None:
        verify_case(provider, case)

    def test_committed_contract_is_current(tmp_path: Path) -> None:
        check_contract(provider, cases, tmp_path)

    return test_interaction, test_committed_contract_is_current
