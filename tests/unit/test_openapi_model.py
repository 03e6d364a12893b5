"""The OpenAPI model: versions, base paths, routing, $ref resolution and validators."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractgate import InputError
from contractgate._openapi import load_spec

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_example_spec_operations_and_base_path() -> None:
    spec = load_spec(ROOT / "openapi" / "user-service.yaml")
    assert spec.version == "3.1"
    assert spec.base_paths == ["/v1"]
    keys = sorted(op.key for op in spec.operations)
    assert keys == [
        "GET /health",
        "GET /users/{userId}",
        "GET /users/{userId}/preferences",
        "PUT /users/{userId}/preferences",
    ]


def test_route_strips_base_path_and_extracts_parameters() -> None:
    spec = load_spec(ROOT / "openapi" / "user-service.yaml")
    route = spec.route("/v1/users/u-1001/preferences?x=1")
    assert route is not None
    assert route.path == "/users/{userId}/preferences"
    assert set(route.operations) == {"GET", "PUT"}
    assert route.path_params == {"userId": "u-1001"}
    assert spec.route("/users/u-1001") is None  # outside the base path
    assert spec.route("/v1/nothing/here") is None


def test_route_prefers_literal_segments_over_parameters(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items/{id}": {"get": {"responses": {"200": {"description": "one"}}}},
            "/items/search": {"get": {"responses": {"200": {"description": "search"}}}},
            "/files/{name}.json": {"get": {"responses": {"200": {"description": "file"}}}},
        },
    }
    spec = load_spec(write(tmp_path, "s.json", doc))
    assert spec.route("/items/search").path == "/items/search"  # type: ignore[union-attr]
    assert spec.route("/items/42").path_params == {"id": "42"}  # type: ignore[union-attr]
    found = spec.route("/files/report.json")
    assert found is not None
    assert found.path_params == {"name": "report"}


def test_response_for_prefers_exact_then_range_then_default(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "responses": {
                        "200": {"description": "ok"},
                        "4XX": {"description": "client"},
                        "default": {"description": "other"},
                    }
                }
            }
        },
    }
    op = load_spec(write(tmp_path, "s.json", doc)).operations[0]
    assert op.response_for(200).status == "200"  # type: ignore[union-attr]
    assert op.response_for(404).status == "4XX"  # type: ignore[union-attr]
    assert op.response_for(503).status == "default"  # type: ignore[union-attr]


def test_validator_resolves_refs_and_checks_formats() -> None:
    spec = load_spec(ROOT / "openapi" / "user-service.yaml")
    op = spec.operation("GET", "/users/{userId}/preferences")
    assert op is not None
    media = op.responses["200"].content["application/json"]
    assert media.schema is not None
    validator = spec.validator(media.schema)
    assert list(validator.iter_errors(media.examples[0])) == []
    errors = {e.message for e in validator.iter_errors({"user_id": "x", "email": "yes"})}
    assert "'yes' is not of type 'boolean'" in errors
    assert "'push' is a required property" in errors
    assert spec.validator(media.schema) is validator  # compiled once


def test_recursive_schema_validates_without_looping(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/tree": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "a tree",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Node"}
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        },
                    },
                }
            }
        },
    }
    spec = load_spec(write(tmp_path, "tree.json", doc))
    schema = spec.operations[0].responses["200"].content["application/json"].schema
    assert schema is not None
    validator = spec.validator(schema)
    good = {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}
    bad = {"name": "a", "children": [{"children": []}]}
    assert list(validator.iter_errors(good)) == []
    assert [e.message for e in validator.iter_errors(bad)] == ["'name' is a required property"]


def test_refs_into_other_files_resolve_relative_to_the_spec(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    write(
        tmp_path / "schemas",
        "pet.json",
        {"Pet": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}},
    )
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pet": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "a pet",
                            "content": {
                                "application/json": {"schema": {"$ref": "schemas/pet.json#/Pet"}}
                            },
                        }
                    }
                }
            }
        },
    }
    spec = load_spec(write(tmp_path, "api.json", doc))
    schema = spec.operations[0].responses["200"].content["application/json"].schema
    assert schema is not None
    validator = spec.validator(schema)
    assert list(validator.iter_errors({"id": 1})) == []
    assert [e.message for e in validator.iter_errors({"id": "x"})] == [
        "'x' is not of type 'integer'"
    ]


def test_swagger_2_is_read_into_the_same_model(tmp_path: Path) -> None:
    doc = {
        "swagger": "2.0",
        "info": {"title": "pets", "version": "1"},
        "basePath": "/api",
        "produces": ["application/json"],
        "paths": {
            "/pets/{id}": {
                "get": {
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "type": "integer"}
                    ],
                    "responses": {
                        "200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}
                    },
                },
                "put": {
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "type": "integer"},
                        {
                            "name": "pet",
                            "in": "body",
                            "required": True,
                            "schema": {"$ref": "#/definitions/Pet"},
                        },
                    ],
                    "responses": {"200": {"description": "ok"}},
                },
            }
        },
        "definitions": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}}},
    }
    spec = load_spec(write(tmp_path, "swagger.json", doc))
    assert spec.version == "2.0"
    route = spec.route("/api/pets/7")
    assert route is not None
    get, put = route.operations["GET"], route.operations["PUT"]
    assert [p.name for p in get.parameters] == ["id"]
    assert get.parameters[0].schema is not None
    assert get.parameters[0].schema.node == {"type": "integer"}
    assert "application/json" in get.responses["200"].content
    assert put.request_body is not None
    assert put.request_body.required
    assert [p.location for p in put.parameters] == ["path"]


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"info": {}}, "not an OpenAPI document"),
        ({"openapi": "4.0.0", "info": {}}, "OpenAPI version '4.0.0' is not supported"),
        ({"swagger": "1.2"}, "Swagger version '1.2' is not supported"),
        ({"openapi": "3.0.0", "info": {}, "paths": []}, "'paths' must be an object"),
        (
            {"openapi": "3.0.0", "info": {}, "paths": {"/a": {"$ref": "#/nowhere"}}},
            "$ref '#/nowhere' does not resolve",
        ),
        (
            {"openapi": "3.0.0", "info": {}, "paths": {"/a": {"$ref": "missing.yaml#/x"}}},
            "names a file that does not exist",
        ),
    ],
)
def test_bad_documents_raise_input_errors(tmp_path: Path, doc: object, words: str) -> None:
    with pytest.raises(InputError) as caught:
        load_spec(write(tmp_path, "bad.json", doc))
    assert words in str(caught.value)
    assert caught.value.source is not None
    assert caught.value.source.endswith("bad.json")


def test_pure_ref_cycle_is_an_error(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.0.0",
        "info": {},
        "paths": {"/a": {"$ref": "#/x-a"}},
        "x-a": {"$ref": "#/x-b"},
        "x-b": {"$ref": "#/x-a"},
    }
    with pytest.raises(InputError, match=r"\$ref cycle"):
        load_spec(write(tmp_path, "cycle.json", doc))
