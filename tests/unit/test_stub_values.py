"""Stub values: examples first, generated values that validate, edge variants, drift."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from contractgate import InputError
from contractgate._openapi import Schema, Spec, load_spec
from contractgate.stubs._values import Values, edge_text, regex_example

ROOT = Path(__file__).resolve().parents[2]


def spec_with(tmp_path: Path, schemas: str) -> Spec:
    text = textwrap.dedent(
        """
        openapi: 3.1.0
        info: {title: T, version: "1"}
        paths: {}
        components:
          schemas:
        """
    ) + textwrap.indent(textwrap.dedent(schemas), "    ")
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path)


def schema(spec: Spec, name: str) -> Schema:
    pointer = f"/components/schemas/{name}"
    return Schema(spec.document.data["components"]["schemas"][name], spec.source, pointer)


@pytest.mark.parametrize(
    ("pattern", "low", "high"),
    [
        (r"^u-[0-9a-z]{1,32}$", 3, 34),
        (r"^([01][0-9]|2[0-3]):[0-5][0-9]$", 0, None),
        (r"^[a-z][a-z0-9_-]{1,63}$", 2, 64),
        (r"^[a-z]{2}(-[A-Z]{2})?$", 0, None),
        (r"\d{3}-\w+\s[^a]", 0, None),
        (r"^(?:cat|dog)s?$", 0, None),
        (r"x{5,}", 7, 9),
    ],
)
def test_regex_example_matches_within_bounds(pattern: str, low: int, high: int | None) -> None:
    found = regex_example(pattern, low, high)
    assert found is not None
    assert re.search(pattern, found)
    assert low <= len(found) <= (high if high is not None else 64)


def test_regex_example_gives_up_when_nothing_fits() -> None:
    assert regex_example(r"^a{10}$", 0, 5) is None
    assert regex_example(r"(unclosed", 0, 5) is None


def test_examples_win_when_they_validate(tmp_path: Path) -> None:
    spec = spec_with(tmp_path, "Name: {type: string, maxLength: 3}\n")
    values = Values(spec)
    assert values.example(schema(spec, "Name"), ("toolong", "ok")) == "ok"


def test_generated_values_validate_for_the_example_specs() -> None:
    for name in ("user-service", "template-service"):
        spec = load_spec(ROOT / "openapi" / f"{name}.yaml")
        values = Values(spec)
        for op in spec.operations:
            for response in op.responses.values():
                for media in response.content.values():
                    assert media.schema is not None
                    generated = values.example(media.schema)
                    assert spec.validator(media.schema).is_valid(generated), (op.key, generated)


def test_generation_follows_constraints(tmp_path: Path) -> None:
    spec = spec_with(
        tmp_path,
        """
        Thing:
          type: object
          required: [id, count, ratio, when, tags, kind, nested, code]
          properties:
            id: {type: string, format: uuid}
            count: {type: integer, minimum: 10, maximum: 20, multipleOf: 3}
            ratio: {type: number, exclusiveMinimum: 0, exclusiveMaximum: 1}
            when: {type: string, format: date-time}
            tags: {type: array, minItems: 2, items: {type: string, minLength: 12}}
            kind: {enum: [null, b]}
            nested: {$ref: "#/components/schemas/Nested"}
            code: {type: [string, "null"], pattern: "^[A-Z]{3}$"}
            optional: {type: boolean}
        Nested:
          allOf:
            - {type: object, required: [a], properties: {a: {const: 1}}}
            - {type: object, required: [b], properties: {b: {type: string}}}
        """,
    )
    value = Values(spec).example(schema(spec, "Thing"))
    assert value["count"] == 12
    assert 0 < value["ratio"] < 1
    assert len(value["tags"]) == 2
    assert all(len(t) >= 12 for t in value["tags"])
    assert value["kind"] == "b"
    assert value["nested"] == {"a": 1, "b": "b"}
    assert re.fullmatch("[A-Z]{3}", value["code"])
    assert value["optional"] is True


def test_impossible_schema_is_an_input_error_at_its_place(tmp_path: Path) -> None:
    spec = spec_with(tmp_path, "Never: {type: string, pattern: '^a{10}$', maxLength: 3}\n")
    with pytest.raises(InputError, match="cannot generate a value for this schema") as info:
        Values(spec).example(schema(spec, "Never"))
    assert info.value.source == spec.source
    assert str(info.value.place).startswith("7:")
    assert "add an example" in str(info.value.hint)


def test_edge_variants_are_valid_and_awkward() -> None:
    spec = load_spec(ROOT / "openapi" / "user-service.yaml")
    values = Values(spec)
    user = Schema(
        spec.document.data["components"]["schemas"]["User"],
        spec.source,
        "/components/schemas/User",
    )
    body = {
        "id": "u-1",
        "username": "alice",
        "display_name": "A",
        "created_at": "2025-01-01T00:00:00Z",
    }
    long, sparse = values.edge_variants(body, user, max_length=1000)
    assert len(long["username"]) == 64  # the schema's maxLength, not 1000
    assert len(long["display_name"]) == 256
    assert any(ord(ch) > 0xFFFF for ch in long["username"])  # an emoji
    assert long["id"] == "u-1"  # patterned strings are left alone
    assert "display_name" not in sparse
    assert set(sparse) == {"id", "username", "created_at"}
    for variant in (long, sparse):
        assert spec.validator(user).is_valid(variant)


def test_edge_text_counts_code_points() -> None:
    assert len(edge_text(7)) == 7
    assert len(edge_text(500)) == 500


@pytest.mark.parametrize(
    ("body", "rename", "remove", "expected"),
    [
        ({"user_id": "u", "email": True}, {}, (), {"userId": "u", "email": True}),
        ({"userId": "u"}, {}, (), {"user_id": "u"}),
        ({"code": "c", "x": 1}, {"x": "y"}, ("code",), {"y": 1}),
    ],
)
def test_drift(
    body: dict[str, Any], rename: dict[str, str], remove: tuple[str, ...], expected: dict[str, Any]
) -> None:
    spec = load_spec(ROOT / "openapi" / "user-service.yaml")
    drifted, note = Values(spec).drift(body, None, rename, remove)
    assert drifted == expected
    assert note.startswith("drift: ")


def test_drift_picks_the_first_required_string_field() -> None:
    spec = load_spec(ROOT / "openapi" / "user-service.yaml")
    prefs = Schema(
        spec.document.data["components"]["schemas"]["UserPreferences"],
        spec.source,
        "/components/schemas/UserPreferences",
    )
    body = {"email": True, "push": False, "user_id": "u-1", "updated_at": "2025-01-01T00:00:00Z"}
    drifted, note = Values(spec).drift(body, prefs, {}, ())
    assert "userId" in drifted
    assert "user_id" not in drifted
    assert note == "drift: user_id -> userId"
    assert not spec.validator(prefs).is_valid(drifted)
    assert Values(spec).drift([1], prefs, {}, ())[0] == [1]
