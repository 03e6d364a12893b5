"""The Pact model: V1.1 to V4 read into one shape, matching rules by specification version."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from contractgate import InputError
from contractgate._pact import ABSENT, load_pact, parse_path_expression


def pact_file(
    tmp_path: Path, interactions: list[Any], version: str | None = "4.0", **extra: Any
) -> Path:
    data: dict[str, Any] = {
        "consumer": {"name": "web"},
        "provider": {"name": "users"},
        "interactions": interactions,
        **extra,
    }
    if version is not None:
        data["metadata"] = {"pactSpecification": {"version": version}}
    path = tmp_path / "pact.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


V2_INTERACTION = {
    "description": "get user",
    "providerState": "user 1 exists",
    "request": {
        "method": "get",
        "path": "/users/1",
        "query": "a=1&a=2&b=",
        "headers": {"Accept": "application/json"},
    },
    "response": {
        "status": 200,
        "headers": {"Content-Type": "application/json; charset=utf-8"},
        "body": {"id": 1, "tags": [{"code": "x"}]},
        "matchingRules": {
            "$.body.id": {"match": "type"},
            "$.body.tags": {"min": 1},
            "$.body.tags[*].code": {"match": "regex", "regex": "^[a-z]+$"},
            "$.headers.Content-Type": {"regex": "application/json.*"},
        },
    },
}


def test_v2_pact_is_normalized(tmp_path: Path) -> None:
    pact = load_pact(pact_file(tmp_path, [V2_INTERACTION], "2.0.0"))
    assert (pact.consumer, pact.provider, pact.spec_version) == ("web", "users", "2.0.0")
    (interaction,) = pact.interactions
    assert interaction.label == "get user (given user 1 exists)"
    request, response = interaction.request, interaction.response
    assert request is not None
    assert response is not None
    assert request.method == "GET"
    assert request.query == {"a": ["1", "2"], "b": [""]}
    assert request.body is ABSENT
    assert response.content_type == "application/json"
    body = response.rules_for("body")
    assert body.at(("id",)).kinds() == {"type"}  # type: ignore[union-attr]
    assert body.at(("tags",)).rules[0].attrs == {"min": 1}  # type: ignore[union-attr]
    assert body.at(("tags", 0, "code")).kinds() == {"regex"}  # type: ignore[union-attr]
    assert response.rules_for("header").at(("content-type",)).kinds() == {"regex"}  # type: ignore[union-attr]


def test_v4_bodies_headers_and_cascading_rules(tmp_path: Path) -> None:
    interaction = {
        "type": "Synchronous/HTTP",
        "description": "render",
        "providerStates": [{"name": "template exists", "params": {"code": "welcome"}}],
        "request": {
            "method": "POST",
            "path": "/render",
            "query": {"lang": ["en"]},
            "headers": {"Content-Type": ["application/json"]},
            "body": {
                "content": {"variables": {"name": "A"}},
                "contentType": "application/json",
                "encoded": False,
            },
        },
        "response": {
            "status": 200,
            "body": {
                "content": base64.b64encode(b'{"ok": true}').decode(),
                "contentType": "application/json",
                "encoded": "base64",
            },
            "matchingRules": {
                "body": {
                    "$": {"matchers": [{"match": "type"}], "combine": "AND"},
                    "$.ok": {"matchers": [{"match": "boolean"}]},
                },
                "header": {"X-Request-ID": {"matchers": [{"match": "regex", "regex": ".+"}]}},
            },
        },
    }
    pact = load_pact(pact_file(tmp_path, [interaction]))
    (i,) = pact.interactions
    assert i.provider_states[0].params == {"code": "welcome"}
    assert i.request is not None
    assert i.response is not None
    assert i.request.body == {"variables": {"name": "A"}}
    assert i.request.query == {"lang": ["en"]}
    assert i.response.body == {"ok": True}
    body = i.response.rules_for("body")
    assert body.at(("ok",)).kinds() == {"boolean"}  # type: ignore[union-attr]
    assert body.at(("other", "deep")).kinds() == {"type"}  # type: ignore[union-attr]  # cascades from $
    assert i.response.rules_for("header").at(("x-request-id",)) is not None


def test_message_and_plugin_interactions_are_not_applicable(tmp_path: Path) -> None:
    http = {
        "type": "Synchronous/HTTP",
        "description": "a",
        "request": {"method": "GET", "path": "/"},
        "response": {"status": 200},
    }
    message = {"type": "Asynchronous/Messages", "description": "event", "contents": {}}
    plugin = {**http, "description": "grpc", "pluginConfiguration": {"protobuf": {}}}
    pact = load_pact(pact_file(tmp_path, [http, message, plugin]))
    assert [i.description for i in pact.http()] == ["a"]
    reasons = [i.not_applicable for i in pact.interactions]
    assert reasons[0] is None
    assert "Asynchronous/Messages" in str(reasons[1])
    assert "plugin" in str(reasons[2])


def test_v3_message_pact_lists_messages_as_not_applicable(tmp_path: Path) -> None:
    path = tmp_path / "messages.json"
    path.write_text(
        json.dumps(
            {
                "consumer": {"name": "c"},
                "provider": {"name": "p"},
                "messages": [{"description": "created", "contents": {}}],
                "metadata": {"pactSpecification": {"version": "3.0.0"}},
            }
        )
    )
    pact = load_pact(path)
    assert list(pact.http()) == []
    assert pact.interactions[0].not_applicable is not None


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.1.0", "1.1.0"),
        ("2.0.0", "2.0.0"),
        ("3.0.0", "3.0.0"),
        ("4.0", "4.0"),
        ("4", "4.0"),
        (None, "4.0"),
    ],
)
def test_specification_versions(tmp_path: Path, version: str | None, expected: str) -> None:
    interaction = {
        "type": "Synchronous/HTTP",
        "description": "a",
        "request": {"method": "GET", "path": "/"},
        "response": {"status": 200},
    }
    assert load_pact(pact_file(tmp_path, [interaction], version)).spec_version == expected


@pytest.mark.parametrize(
    ("interactions", "extra", "words", "pointer"),
    [
        ([], {}, "the pact has no interactions", "/interactions"),
        (
            [{"request": {}, "response": {}}],
            {},
            "interaction has no description",
            "/interactions/0",
        ),
        (
            [{"description": "a", "request": {"path": "/"}, "response": {"status": 200}}],
            {},
            "request has no method",
            "/interactions/0/request",
        ),
        (
            [
                {
                    "description": "a",
                    "request": {"method": "GET", "path": "x"},
                    "response": {"status": 200},
                }
            ],
            {},
            "must be a string starting with '/'",
            "/interactions/0/request/path",
        ),
        (
            [
                {
                    "description": "a",
                    "request": {"method": "GET", "path": "/"},
                    "response": {"status": "200"},
                }
            ],
            {},
            "is not an HTTP status code",
            "/interactions/0/response/status",
        ),
        (
            [
                {
                    "description": "a",
                    "request": {"method": "GET", "path": "/"},
                    "response": {
                        "status": 200,
                        "matchingRules": {"body": {"$.a": {"matchers": [{"match": "fuzzy"}]}}},
                    },
                }
            ],
            {},
            "unknown matcher 'fuzzy'",
            "/interactions/0/response/matchingRules/body/$.a/matchers/0/match",
        ),
        (
            [
                {
                    "description": "a",
                    "request": {"method": "GET", "path": "/"},
                    "response": {
                        "status": 200,
                        "matchingRules": {
                            "body": {"$.a": {"matchers": [{"match": "regex", "regex": "("}]}}
                        },
                    },
                }
            ],
            {},
            "does not compile",
            "/interactions/0/response/matchingRules/body/$.a/matchers/0/regex",
        ),
    ],
)
def test_structural_problems_name_the_pointer(
    tmp_path: Path, interactions: list[Any], extra: dict[str, Any], words: str, pointer: str
) -> None:
    with pytest.raises(InputError) as caught:
        load_pact(pact_file(tmp_path, interactions, "4.0", **extra))
    assert words in str(caught.value)
    assert f"(at {pointer})" in str(caught.value.place)


def test_unknown_version_and_missing_names(tmp_path: Path) -> None:
    interaction = {
        "description": "a",
        "request": {"method": "GET", "path": "/"},
        "response": {"status": 200},
    }
    with pytest.raises(InputError, match=r"unknown pact specification version '9\.1\.0'"):
        load_pact(pact_file(tmp_path, [interaction], "9.1.0"))
    path = tmp_path / "noname.json"
    path.write_text(
        json.dumps({"consumer": {}, "provider": {"name": "p"}, "interactions": [interaction]})
    )
    with pytest.raises(InputError, match="no consumer name"):
        load_pact(path)


@pytest.mark.parametrize(
    ("expr", "tokens"),
    [
        ("$", ()),
        ("$.a.b", ("a", "b")),
        ("$.items[*].code", ("items", "*", "code")),
        ("$['x-y'][0]", ("x-y", 0)),
        ("nope", None),
    ],
)
def test_path_expressions(expr: str, tokens: tuple[object, ...] | None) -> None:
    assert parse_path_expression(expr) == tokens
