"""The example system's specs diffed against edited copies, with the orchestrator's pacts.

Edits that break what the orchestrator's pacts rely on must name the consumer and
exactly the interactions hit; edits it does not rely on must pass (unless strict).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgate._openapi import load_spec
from contractgate._pact import load_pact
from contractgate.diff import DiffResult, diff_specs

ROOT = Path(__file__).resolve().parents[2]
USERS = "user-service"
TEMPLATES = "template-service"

Edit = Callable[[dict[str, Any]], None]


def diff_edited(tmp_path: Path, service: str, edit: Edit, *, strict: bool = False) -> DiffResult:
    """The real spec against a copy with ``edit`` applied, with the orchestrator's pact."""
    original = ROOT / "openapi" / f"{service}.yaml"
    data = yaml.safe_load(original.read_text("utf-8"))
    edit(data)
    copy = tmp_path / f"{service}.yaml"
    copy.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    pact = load_pact(ROOT / "contracts" / f"orchestrator-{service}.json")
    return diff_specs(load_spec(original), load_spec(copy), [pact], strict=strict)


def schemas(d: dict[str, Any]) -> dict[str, Any]:
    return d["components"]["schemas"]  # type: ignore[no-any-return]


def rename_username(d: dict[str, Any]) -> None:
    user = schemas(d)["User"]
    user["properties"]["user_name"] = user["properties"].pop("username")
    user["required"] = ["id", "user_name", "created_at"]


def push_as_string(d: dict[str, Any]) -> None:
    for name in ("UserPreferences", "PreferencesUpdate"):
        schemas(d)[name]["properties"]["push"] = {"type": "string"}


def render_needs(field: str) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        request = schemas(d)["RenderRequest"]
        request["properties"].setdefault(field, {"type": "string"})
        request["required"].append(field)

    return edit


def problem_without_title(d: dict[str, Any]) -> None:
    problem = schemas(d)["Problem"]
    problem["properties"].pop("title")
    problem["required"].remove("title")


def subject_never_null(d: dict[str, Any]) -> None:
    schemas(d)["RenderResponse"]["properties"]["subject"] = {"type": "string"}


ERRORS = {
    "a request for a restricted user",
    "a request for a user while rate limited",
    "a request for an unknown user",
    "a request for preferences while the service is unavailable",
}
RENDERS = {
    "a request to render the welcome email",
    "a request to render the order_shipped push message",
    "a request to render welcome without its variables",
    "a request to render while rate limited",
}

BREAKING: list[tuple[str, str, Edit, str, set[str]]] = [
    (
        "rename username",
        USERS,
        rename_username,
        "response.property.renamed",
        {"a request for user u-1001"},
    ),
    (
        "remove display_name (the pact reads it)",
        USERS,
        lambda d: schemas(d)["User"]["properties"].pop("display_name"),
        "response.property.removed",
        {"a request for user u-1001"},
    ),
    (
        "remove GET preferences",
        USERS,
        lambda d: d["paths"]["/users/{userId}/preferences"].pop("get"),
        "operation.removed",
        {
            "a request for the preferences of user u-1001",
            "a request for preferences while the service is unavailable",
        },
    ),
    (
        "push becomes a string (in responses)",
        USERS,
        push_as_string,
        "response.type.changed",
        {
            "a request for the preferences of user u-1001",
            "an update of the preferences of user u-1002",
        },
    ),
    (
        "push becomes a string (in the update request)",
        USERS,
        push_as_string,
        "request.type.changed",
        {"an update of the preferences of user u-1002"},
    ),
    (
        "problem documents lose their title",
        USERS,
        problem_without_title,
        "response.property.removed",
        ERRORS,
    ),
    (
        "rate-limit responses lose Retry-After",
        USERS,
        lambda d: d["components"]["responses"]["TooManyRequests"]["headers"].pop("Retry-After"),
        "response.header.removed",
        {"a request for a user while rate limited"},
    ),
    (
        "Channel loses push (render expects it by equality)",
        TEMPLATES,
        lambda d: schemas(d)["Channel"].update({"enum": ["email", "sms"]}),
        "response.enum.narrowed",
        {"a request to render the order_shipped push message"},
    ),
    (
        "render needs a new required field",
        TEMPLATES,
        render_needs("channel"),
        "request.required.added",
        RENDERS,
    ),
    (
        "render needs locale (only one interaction leaves it out)",
        TEMPLATES,
        render_needs("locale"),
        "request.required.added",
        {"a request to render the order_shipped push message"},
    ),
    (
        "a rendered subject is never null (a pact expects null)",
        TEMPLATES,
        subject_never_null,
        "response.type.narrowed",
        {"a request to render the order_shipped push message"},
    ),
]


@pytest.mark.parametrize(
    ("service", "edit", "rule", "interactions"),
    [case[1:] for case in BREAKING],
    ids=[case[0] for case in BREAKING],
)
def test_edit_that_breaks_the_orchestrator_names_it(
    tmp_path: Path, service: str, edit: Edit, rule: str, interactions: set[str]
) -> None:
    result = diff_edited(tmp_path, service, edit)
    hits = [c for c in result.changes if c.rule == rule]
    assert len(hits) == 1, [c.rule for c in result.changes]
    change = hits[0]
    assert change.severity == "breaking"
    assert change.consumers == ["orchestrator"]
    assert {a.description for a in change.affected} == interactions
    assert all(a.pact.endswith(f"orchestrator-{service}.json") for a in change.affected)
    assert not result.passed
    assert change in result.failures


NOT_BREAKING: list[tuple[str, str, Edit, list[tuple[str, str]]]] = [
    (
        "remove email_address (no pact reads it)",
        USERS,
        lambda d: schemas(d)["User"]["properties"].pop("email_address"),
        [("response.property.removed", "breaking")],
    ),
    (
        "remove GET /health (no pact calls it)",
        USERS,
        lambda d: d["paths"].pop("/health"),
        [("path.removed", "breaking")],
    ),
    (
        "add an optional response field",
        USERS,
        lambda d: schemas(d)["User"]["properties"].update({"avatar_url": {"type": "string"}}),
        [("response.property.added", "safe")],
    ),
    (
        "add an operation",
        USERS,
        lambda d: d["paths"]["/users/{userId}"].update(
            {"delete": {"responses": {"204": {"description": "Deleted."}}}}
        ),
        [("operation.added", "safe")],
    ),
    (
        "Channel loses sms (no pact expects it; nobody sends the channel filter)",
        TEMPLATES,
        lambda d: schemas(d)["Channel"].update({"enum": ["email", "push"]}),
        [("request.enum.narrowed", "breaking"), ("response.enum.narrowed", "safe")],
    ),
    (
        "Channel gains webhook",
        TEMPLATES,
        lambda d: schemas(d)["Channel"].update({"enum": ["email", "push", "sms", "webhook"]}),
        [("request.enum.widened", "safe"), ("response.enum.widened", "possibly-breaking")],
    ),
    (
        "the page size limit grows",
        TEMPLATES,
        lambda d: d["paths"]["/templates"]["get"]["parameters"][1]["schema"].update(
            {"maximum": 500}
        ),
        [("request.range.widened", "safe")],
    ),
]


@pytest.mark.parametrize(
    ("service", "edit", "expected"),
    [case[1:] for case in NOT_BREAKING],
    ids=[case[0] for case in NOT_BREAKING],
)
def test_edit_the_orchestrator_does_not_rely_on_passes(
    tmp_path: Path, service: str, edit: Edit, expected: list[tuple[str, str]]
) -> None:
    result = diff_edited(tmp_path, service, edit)
    assert sorted((c.rule, c.severity) for c in result.changes) == sorted(expected)
    assert all(not c.breaks_consumer for c in result.changes)
    assert result.passed
    strict = diff_edited(tmp_path, service, edit, strict=True)
    assert strict.passed == all(s != "breaking" for _, s in expected)


def test_a_widened_response_enum_lists_its_readers_without_failing(tmp_path: Path) -> None:
    result = diff_edited(
        tmp_path,
        TEMPLATES,
        lambda d: schemas(d)["Channel"].update({"enum": ["email", "push", "sms", "webhook"]}),
    )
    (widened,) = [c for c in result.changes if c.rule == "response.enum.widened"]
    assert widened.severity == "possibly-breaking"
    assert {a.description for a in widened.affected} == {
        "a request for template welcome",
        "a request for the first page of templates",
        "a request to render the welcome email",
        "a request to render the order_shipped push message",
    }
    assert {a.relies_on for a in widened.affected} == {
        "reads $.channel",
        "reads $.items[0].channel",
    }
    assert len(widened.targets) == 3  # one Channel definition, three responses using it


@pytest.mark.parametrize("service", [USERS, TEMPLATES])
def test_an_unchanged_copy_has_no_changes_and_every_interaction_is_mapped(
    tmp_path: Path, service: str
) -> None:
    result = diff_edited(tmp_path, service, lambda d: None)
    assert result.changes == []
    assert result.unmatched == ()
    assert result.consumers == ("orchestrator",)
    assert result.passed
