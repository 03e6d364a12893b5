"""Plain words for JSON Schema errors: one case per keyword the OpenAPI schemas use."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator
from jsonschema.exceptions import ValidationError

from contractgate.lint import lint_paths
from contractgate.lint._messages import Phrase, explain, explain_semantic

H31 = 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\n'
H30 = 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\n'
OK = '      responses: {"200": {description: ok}}\n'
SCHEMA_A = "paths: {}\ncomponents:\n  schemas:\n    A: "

CASES = {
    "const": (
        H31 + "paths:\n  /a/{id}:\n    get:\n      parameters:\n"
        "        - {name: id, in: path, required: false, schema: {type: string}}\n" + OK,
        "'required' must be true",
        "7:42",
    ),
    "not-both": (
        H30 + "paths:\n  /a:\n    get:\n      parameters:\n"
        "        - {name: q, in: query, schema: {type: string}, example: a, examples: {}}\n" + OK,
        "'parameters[0]' has both 'example' and 'examples'",
        "7:11",
    ),
    "not-this-one": (
        H30 + "paths: {}\ncomponents:\n  securitySchemes:\n"
        "    basic: {type: http, scheme: basic, bearerFormat: JWT}\n",
        "'bearerFormat' is not allowed here",
        "6:40",
    ),
    "pattern-version": (
        'openapi: "3.1"\ninfo: {title: t, version: "1"}\npaths: {}\n',
        "openapi version '3.1' is not a full version",
        "1:10",
    ),
    "pattern-name": (
        H31 + SCHEMA_A.replace("A: ", "bad key!: ") + "{type: string}\n",
        "name 'bad key!' in 'schemas' does not match the pattern ^[a-zA-Z0-9._-]+$",
        "6:5",
    ),
    "minItems": (
        H30 + SCHEMA_A + "{type: object, required: []}\n",
        "'required' must have at least 1 item",
        "6:33",
    ),
    "uniqueItems": (
        H30 + SCHEMA_A + "{type: object, required: [a, a], properties: {a: {type: string}}}\n",
        "'required' has duplicate items",
        "6:33",
    ),
    "minProperties": (
        H31 + "paths:\n  /a:\n    get:\n      responses: {}\n",
        "'responses' must not be empty",
        "6:18",
    ),
    "maxProperties": (
        H31 + "paths:\n  /a:\n    get:\n      parameters:\n        - name: q\n"
        "          in: query\n          content: {application/json: {}, text/plain: {}}\n" + OK,
        "'content' must have at most 1 entry",
        "9:20",
    ),
    "minimum": (
        H30 + SCHEMA_A + "{type: string, maxLength: -1}\n",
        "'maxLength' must be at least 0",
        "6:34",
    ),
    "minimum-exclusive-draft4": (
        H30 + SCHEMA_A + "{type: number, multipleOf: 0}\n",
        "'multipleOf' must be more than 0",
        "6:35",
    ),
    "exclusiveMinimum": (
        H31 + SCHEMA_A + "{type: number, multipleOf: 0}\n",
        "'multipleOf' must be more than 0",
        "6:35",
    ),
    "dependencies": (
        H30 + SCHEMA_A + "{type: number, exclusiveMaximum: true}\n",
        "'exclusiveMaximum' also needs 'maximum'",
        "6:8",
    ),
    "type-number-for-string": (
        "openapi: 3.1.0\ninfo: {title: t, version: 1}\npaths: {}\n",
        "'version' must be a string, found a number (1)",
        "2:27",
    ),
    "pattern": (
        H31 + SCHEMA_A + "{type: string, $anchor: 1bad}\n",
        "'$anchor' '1bad' does not match the pattern ^[A-Za-z_][-A-Za-z0-9._]*$",
        "6:32",
    ),
    "schema-in-a-parameter": (
        H31 + "paths:\n  /a:\n    get:\n      parameters:\n"
        "        - {name: q, in: query, schema: {type: strng}}\n" + OK,
        "'type' is 'strng', which is not one of: array, boolean, integer, null, number, object, "
        "string",
        "7:47",
    ),
    "swagger-responses-only-extensions": (
        'swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths:\n  /a:\n    get:\n'
        "      responses: {x-note: none}\n",
        "responses have no status code",
        "6:18",
    ),
    "responses-without-code": (
        H31 + "paths:\n  /a:\n    get:\n      responses: {x-note: none}\n",
        "responses have no status code",
        "6:18",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_keyword_messages(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text, message, place = CASES[case]
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text(text, encoding="utf-8")

    problems = list(lint_paths(["spec.yaml"]).problems())

    assert [(p.message, p.place) for p in problems] == [(message, place)]


def test_oneof_valid_under_several() -> None:
    validator = Draft4Validator({"oneOf": [{"type": "string"}, {"maxLength": 3}]})
    (error,) = validator.iter_errors("ab")
    assert explain(error, ("x",)) == [
        Phrase(
            "'x' fits more than one of the allowed forms",
            "compare it with the OpenAPI specification",
            ("x",),
        )
    ]


def test_anyof_alternatives_that_each_lack_a_field() -> None:
    validator = Draft202012Validator(
        {"properties": {"p": {"anyOf": [{"required": ["schema"]}, {"required": ["content"]}]}}}
    )
    (error,) = validator.iter_errors({"p": {}})
    (phrase,) = explain(error)
    assert (phrase.message, phrase.path) == ("'p' needs 'schema' or 'content'", ("p",))


def test_unknown_keyword_keeps_the_first_line_of_the_message() -> None:
    (error,) = Draft202012Validator({"maxLength": 2}).iter_errors("abcdef")
    (phrase,) = explain(error)
    assert phrase.message == "'abcdef' is too long"
    assert "\n" not in phrase.message


def test_unexpected_field_without_a_close_known_one() -> None:
    validator = Draft202012Validator(
        {"properties": {"get": {"properties": {"summary": {}}, "additionalProperties": False}}}
    )
    (error,) = validator.iter_errors({"get": {"zzz": 1}})
    (phrase,) = explain(error)
    assert phrase == Phrase(
        "unknown field 'zzz' in 'get'",
        "remove it; extension fields must start with 'x-'",
        ("get", "zzz"),
        at_key=True,
    )


def test_long_values_are_cut() -> None:
    (error,) = Draft202012Validator({"enum": ["a"]}).iter_errors("x" * 100)
    (phrase,) = explain(error, ("v",))
    assert phrase.message == f"'v' is '{'x' * 38}…, which is not one of: a"


def test_unrecognised_semantic_message_is_kept_plain() -> None:
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    error = OpenAPIValidationError("Something new\nwith detail")
    assert explain_semantic(error, ("paths",)) == [Phrase("Something new", None, ("paths",))]


def test_alternatives_refusing_different_fields_are_not_a_discriminator() -> None:
    schema = {
        "properties": {
            "p": {
                "oneOf": [
                    {"properties": {"a": {"const": 1}}},
                    {"properties": {"b": {"const": 2}}, "required": ["c"]},
                ]
            }
        }
    }
    (error,) = Draft202012Validator(schema).iter_errors({"p": {"a": 0, "b": 0}})
    (phrase,) = explain(error)
    assert (phrase.message, phrase.path) == ("'p': required field 'c' is missing", ("p",))


def test_root_and_list_items_and_kinds_of_values() -> None:
    (root,) = Draft202012Validator({"type": "object"}).iter_errors([])
    assert explain(root)[0].message == "the document must be an object, found a list"
    item, nothing = Draft202012Validator({"items": {"type": "string"}}).iter_errors([True, None])
    assert explain(item)[0].message == "item 0 must be a string, found a boolean (true)"
    assert explain(nothing)[0].message == "item 1 must be a string, found null"


def test_messages_in_an_unknown_shape_are_kept() -> None:
    odd = ValidationError("something else entirely", validator="additionalProperties")
    assert explain(odd, ("a",)) == [Phrase("something else entirely", None, ("a",))]
    dependency = ValidationError("needs more", validator="dependencies")
    assert explain(dependency, ("a",)) == [Phrase("needs more", None, ("a",))]
    refused = ValidationError("is not allowed", validator="not", validator_value={"type": "x"})
    assert explain(refused, ("a",)) == [Phrase("'a' is not allowed here", None, ("a",))]
