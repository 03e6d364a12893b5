"""Values from real-world schemas: oneOf, discriminators, recursion, read/write-only, nullable."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contractgate import InputError
from contractgate._openapi import Schema, Spec, load_spec
from contractgate.stubs._values import Values

VERSIONS = ["3.0.3", "3.1.0"]

SCHEMAS = """
Node:
  type: object
  required: [name]
  properties:
    name: {type: string}
    children: {type: array, items: {$ref: '#/components/schemas/Node'}}
    parent: {$ref: '#/components/schemas/Node'}
Holder:
  type: object
  required: [node, nodes, kids]
  properties:
    node: {$ref: '#/components/schemas/Node'}
    nodes: {type: array, minItems: 1, items: {$ref: '#/components/schemas/Node'}}
    kids: {type: array, items: {$ref: '#/components/schemas/Holder'}}
Endless:
  type: object
  required: [next]
  properties:
    next: {$ref: '#/components/schemas/Endless'}
Person:
  type: object
  required: [id, password, name]
  properties:
    id: {type: integer, readOnly: true}
    password: {type: string, writeOnly: true}
    name: {type: string}
    friends: {type: array, items: {$ref: '#/components/schemas/Person'}}
  example: {id: 1, password: secret, name: ann, friends: [{id: 2, password: x, name: bo}]}
Cat:
  type: object
  required: [kind, lives]
  properties: {kind: {type: string}, lives: {type: integer, minimum: 1}}
Dog:
  type: object
  required: [kind]
  properties: {kind: {type: string}, bark: {type: boolean}}
Bird:
  type: array
  items: {type: string}
Pet:
  oneOf:
    - $ref: '#/components/schemas/Bird'
    - $ref: '#/components/schemas/Cat'
    - $ref: '#/components/schemas/Dog'
  discriminator:
    propertyName: kind
    mapping:
      bird: '#/components/schemas/Bird'
      dog: '#/components/schemas/Dog'
      kitty: Cat
PetByName:
  anyOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
  discriminator: {propertyName: kind}
Payload:
  oneOf:
    - type: object
      required: [ref, ref_type]
      properties: {ref: {type: string}, ref_type: {type: string}}
    - {type: object, required: [ref], properties: {ref: {type: string}}}
    - {type: object}
Animal:
  type: object
  required: [type]
  properties: {type: {type: string}}
  discriminator: {propertyName: type, mapping: {lion: '#/components/schemas/Lion'}}
Lion:
  allOf:
    - $ref: '#/components/schemas/Animal'
    - {type: object, properties: {mane: {type: boolean}}}
Tiger:
  allOf:
    - $ref: '#/components/schemas/Animal'
    - {type: object, required: [stripes], properties: {stripes: {type: integer}}}
Bounded:
  allOf:
    - {type: string, minLength: 5}
    - {maxLength: 6, pattern: '^[a-z]+$'}
Labels:
  type: object
  minProperties: 2
  additionalProperties: {type: string, format: uri}
Formats:
  type: object
  required: [a, b, c, d, e, f]
  properties:
    a: {type: string, format: date-time}
    b: {type: string, format: uri-template}
    c: {type: string, format: email}
    d: {type: integer, format: int64, minimum: 10}
    e: {type: number, format: double, exclusiveMaximum: 1, minimum: 0}
    f: {type: string, format: uuid}
"""
NULLABLE = {
    "3.0.3": "Optional: {type: string, nullable: true}\n",
    "3.1.0": "Optional: {type: [string, 'null']}\n",
}
NULLABLE_RING = {
    "3.0.3": "Ring: {type: object, nullable: true, required: [next], properties: {next: {$ref: "
    "'#/components/schemas/Ring'}}}\n",
    "3.1.0": "Ring: {type: [object, 'null'], required: [next], properties: {next: {$ref: "
    "'#/components/schemas/Ring'}}}\n",
}


@pytest.fixture(params=VERSIONS)
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Spec:
    version = str(request.param)
    text = f"openapi: {version}\ninfo: {{title: T, version: '1'}}\npaths: {{}}\n"
    text += "components:\n  schemas:\n"
    schemas = textwrap.dedent(SCHEMAS) + NULLABLE[version] + NULLABLE_RING[version]
    text += textwrap.indent(schemas, "    ")
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path)


def schema(spec: Spec, name: str) -> Schema:
    node = spec.document.data["components"]["schemas"][name]
    return Schema(node, spec.source, f"/components/schemas/{name}")


@pytest.fixture
def example(spec: Spec) -> Callable[..., Any]:
    values = Values(spec)

    def make(name: str, *, response: bool = True) -> Any:
        found = values.example(schema(spec, name), response=response)
        assert spec.validator(schema(spec, name), response=response).is_valid(found)
        return found

    return make


def test_optional_recursion_is_cut(example: Callable[..., Any]) -> None:
    assert example("Node") == {"name": "name", "children": []}


def test_required_recursion_ends_where_the_schema_allows(example: Callable[..., Any]) -> None:
    holder = example("Holder")
    assert holder["node"] == {"name": "name", "children": []}
    assert len(holder["nodes"]) == 1  # minItems: 1 is kept
    assert holder["kids"] == []  # required, but an array may be empty
    assert example("Ring") == {"next": None}  # a nullable ring ends with null


def test_endless_required_recursion_is_an_input_error(spec: Spec) -> None:
    with pytest.raises(InputError, match="refers back to its own schema") as info:
        Values(spec).example(schema(spec, "Endless"))
    assert info.value.source == spec.source
    assert "add an example" in str(info.value.hint)


def test_responses_hide_write_only_and_requests_read_only(
    spec: Spec, example: Callable[..., Any]
) -> None:
    # the schema's example holds both: each side gets only what it may see
    assert example("Person") == {"id": 1, "name": "ann", "friends": [{"id": 2, "name": "bo"}]}
    assert example("Person", response=False) == {
        "password": "secret",
        "name": "ann",
        "friends": [{"password": "x", "name": "bo"}],
    }
    values = Values(spec)
    person = schema(spec, "Person")
    given = values.example(person, ({"id": 5, "name": "x", "password": "leak"},))
    assert given == {"id": 5, "name": "x"}


def test_discriminator_with_mapping_names_the_branch(example: Callable[..., Any]) -> None:
    # Bird (an array) cannot carry the property; "dog" is the first mapped value that fits
    assert example("Pet") == {"kind": "dog", "bark": True}


def test_discriminator_without_mapping_uses_the_schema_name(
    example: Callable[..., Any],
) -> None:
    assert example("PetByName") == {"kind": "Cat", "lives": 1}


def test_one_of_gets_a_value_only_one_branch_accepts(example: Callable[..., Any]) -> None:
    # {ref, ref_type} is accepted by all three branches, {ref} by two: only {} is exclusive
    assert example("Payload") == {}


def test_inheritance_discriminator_names_the_schema(example: Callable[..., Any]) -> None:
    assert example("Lion") == {"type": "lion", "mane": True}  # the mapping's key
    assert example("Tiger") == {"type": "Tiger", "stripes": 1}  # no mapping entry: its name
    assert example("Animal")["type"] == "Animal"


def test_all_of_merges_scalar_constraints(example: Callable[..., Any]) -> None:
    found = example("Bounded")
    assert 5 <= len(found) <= 6
    assert found.isalpha()


def test_nullable_and_additional_properties(example: Callable[..., Any]) -> None:
    assert example("Optional") == "string"
    labels = example("Labels")
    assert len(labels) == 2
    assert all(v.startswith("https://") for v in labels.values())


def test_formats(example: Callable[..., Any]) -> None:
    found = example("Formats")
    assert found["a"] == "2025-01-01T00:00:00Z"
    assert found["d"] == 10
    assert 0 <= found["e"] < 1
    assert found["f"].count("-") == 4
    json.dumps(found)
