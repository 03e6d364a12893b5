"""Edges of the comparison: spec dialects, cycles, read/write-only fields, reliance, rules."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from contractgate._openapi import load_spec
from contractgate._pact import load_pact
from contractgate.diff import RULES, diff_specs
from contractgate.diff import _rules as rules_module


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


SWAGGER = """\
    swagger: "2.0"
    info: {title: t, version: "1"}
    basePath: /v1
    paths:
      /items/{id}:
        get:
          produces: [application/json]
          parameters:
            - {name: id, in: path, required: true, type: string, maxLength: 10}
            - {name: q, in: query, type: integer, minimum: 1}
          responses:
            "200": {description: ok, schema: {$ref: "#/definitions/Item"}}
        post:
          consumes: [application/json]
          produces: [application/json]
          parameters:
            - {name: id, in: path, required: true, type: string, maxLength: 10}
            - {name: body, in: body, required: true, schema: {$ref: "#/definitions/Item"}}
          responses:
            "200": {description: ok, schema: {$ref: "#/definitions/Item"}}
    definitions:
      Item:
        type: object
        properties:
          name: {type: string}
          next: {$ref: "#/definitions/Item"}
          all: {allOf: [{$ref: "#/definitions/Cycle"}]}
      Cycle:
        allOf: [{$ref: "#/definitions/Cycle"}, {type: object, properties: {a: {type: string}}}]
"""
OPENAPI30 = """\
    openapi: 3.0.3
    info: {title: t, version: "1"}
    servers: [{url: /v1}]
    paths:
      /items/{id}:
        parameters:
          - {name: id, in: path, required: true, schema: {type: string, maxLength: 10}}
        get:
          parameters:
            - {name: q, in: query, schema: {type: integer, minimum: 1}}
          responses:
            "200":
              description: ok
              content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}
        post:
          requestBody:
            required: true
            content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}
          responses:
            "200":
              description: ok
              content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}
    components:
      schemas:
        Item:
          type: object
          properties:
            name: {type: string}
            next: {$ref: "#/components/schemas/Item"}
            all: {allOf: [{$ref: "#/components/schemas/Cycle"}]}
        Cycle:
          allOf:
            - {$ref: "#/components/schemas/Cycle"}
            - {type: object, properties: {a: {type: A_TYPE}}}
"""


def test_swagger_2_and_its_openapi_3_translation_compare_equal(tmp_path: Path) -> None:
    """Parameters with inline keywords, body parameters, produces/consumes, basePath."""
    old = load_spec(write(tmp_path, "swagger.yaml", SWAGGER))
    same = load_spec(write(tmp_path, "same.yaml", OPENAPI30.replace("A_TYPE", "string")))
    assert diff_specs(old, same).changes == []


def test_a_change_under_a_self_referencing_allof_is_found_once_per_side(tmp_path: Path) -> None:
    old = load_spec(write(tmp_path, "swagger.yaml", SWAGGER))
    new = load_spec(write(tmp_path, "new.yaml", OPENAPI30.replace("A_TYPE", "integer")))
    found = sorted(
        (c.rule, tuple(t.describe() for t in c.targets)) for c in diff_specs(old, new).changes
    )
    assert found == [
        ("request.type.changed", ("POST /items/{id} request $.all.a",)),
        ("response.type.changed", ("GET /items/{id} 200 $.all.a", "POST /items/{id} 200 $.all.a")),
    ]


def body_spec(properties: str, required: str) -> str:
    return f"""\
        openapi: 3.1.0
        info: {{title: t, version: "1"}}
        paths:
          /things:
            post:
              requestBody:
                content:
                  application/json:
                    schema: {{$ref: "#/components/schemas/Thing"}}
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {{$ref: "#/components/schemas/Thing"}}
        components:
          schemas:
            Thing:
              type: object
              required: [{required}]
              properties: {{{properties}}}
    """


def test_read_only_and_write_only_fields_only_count_on_their_side(tmp_path: Path) -> None:
    old = load_spec(write(tmp_path, "old.yaml", body_spec("name: {type: string}", "name")))
    new = load_spec(
        write(
            tmp_path,
            "new.yaml",
            body_spec(
                "name: {type: string}, id: {type: string, readOnly: true}, "
                "secret: {type: string, writeOnly: true}",
                "name, id, secret",
            ),
        )
    )
    found = sorted((c.rule, c.message) for c in diff_specs(old, new).changes)
    assert found == [
        ("request.required.added", "new required field 'secret'"),
        ("response.property.added", "field 'id' added"),
    ]


def test_a_cookie_parameter_a_consumer_sends(tmp_path: Path) -> None:
    spec = """\
        openapi: 3.1.0
        info: {title: t, version: "1"}
        paths:
          /me:
            get:
              parameters:
                - {name: session, in: cookie, required: REQUIRED, schema: {type: string}}
              responses: {"200": {description: ok}}
    """
    old = load_spec(write(tmp_path, "old.yaml", spec.replace("REQUIRED", "false")))
    new = load_spec(write(tmp_path, "new.yaml", spec.replace("REQUIRED", "true")))
    pact = {
        "consumer": {"name": "app"},
        "provider": {"name": "me"},
        "interactions": [
            {
                "description": f"me {cookie or 'without a cookie'}",
                "request": {"method": "GET", "path": "/me", "headers": {"Cookie": cookie}}
                if cookie
                else {"method": "GET", "path": "/me"},
                "response": {"status": 200},
            }
            for cookie in ("session=abc; theme=dark", "theme=dark", "")
        ],
    }
    (tmp_path / "pact.json").write_text(json.dumps(pact))

    (change,) = diff_specs(old, new, [load_pact(tmp_path / "pact.json")]).changes

    assert change.rule == "request.parameter.required"
    assert [(a.description, a.relies_on) for a in change.affected] == [
        ("me theme=dark", "does not send cookie parameter session"),
        ("me without a cookie", "does not send cookie parameter session"),
    ]


def test_every_code_in_the_rule_table_exists_with_its_severity() -> None:
    """The documented table and ``RULES`` agree (wildcard rows excepted)."""
    doc = rules_module.__doc__ or ""
    rows = re.findall(r"^([a-z<>*.-]+)\s+(breaking|possibly-breaking|safe)\b", doc, re.M)
    assert len(rows) > 25
    for code, severity in rows:
        if "*" in code:
            continue
        codes = (
            [code.replace("<side>", s) for s in ("request", "response")]
            if "<side>" in code
            else [code]
        )
        for one in codes:
            assert RULES[one][0] == severity, one


def test_narrowing_and_widening_have_opposite_severities_by_side() -> None:
    for code, (severity, _) in RULES.items():
        side, how = code.split(".")[0], code.split(".")[-1]
        if side == "request" and how == "narrowed":
            assert severity == "breaking", code
        if side == "request" and how == "widened":
            assert severity == "safe", code
        if side == "response" and how == "narrowed":
            assert severity == "safe", code
        if side == "response" and how == "widened":
            assert severity == "possibly-breaking", code


def one_operation(schemas: dict[str, object], root: str) -> dict[str, object]:
    response = {
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{root}"}}}
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", **response}}}}},
        "components": {"schemas": schemas},
    }


def pact_reading(tmp_path: Path, body: object) -> Path:
    pact = {
        "consumer": {"name": "app"},
        "provider": {"name": "x"},
        "interactions": [
            {
                "description": "read x",
                "request": {"method": "GET", "path": "/x"},
                "response": {"status": 200, "body": body},
            }
        ],
    }
    path = tmp_path / "pact.json"
    path.write_text(json.dumps(pact))
    return path


def diff_schemas(
    tmp_path: Path, old: dict[str, object], new: dict[str, object], root: str, body: object
) -> list[tuple[str, str, list[str]]]:
    (tmp_path / "old.json").write_text(json.dumps(one_operation(old, root)))
    (tmp_path / "new.json").write_text(json.dumps(one_operation(new, root)))
    result = diff_specs(
        load_spec(tmp_path / "old.json"),
        load_spec(tmp_path / "new.json"),
        [load_pact(pact_reading(tmp_path, body))],
    )
    return [(c.rule, c.severity, [a.relies_on for a in c.affected]) for c in result.changes]


def test_a_consumer_reading_deep_into_a_recursive_schema_is_found(tmp_path: Path) -> None:
    def node(label: str) -> dict[str, object]:
        return {
            "Node": {
                "type": "object",
                "properties": {
                    "label": {"type": label},
                    "parent": {"$ref": "#/components/schemas/Node"},
                },
            }
        }

    body = {"parent": {"parent": {"label": "root"}}}
    assert diff_schemas(tmp_path, node("string"), node("integer"), "Node", body) == [
        ("response.type.changed", "breaking", ["reads $.parent.parent.label"])
    ]


def test_a_shared_schema_used_twice_finds_a_reader_of_either_use(tmp_path: Path) -> None:
    def order(address: dict[str, object]) -> dict[str, object]:
        return {
            "Address": {"type": "object", "properties": address},
            "Order": {
                "type": "object",
                "properties": {
                    "billing": {"$ref": "#/components/schemas/Address"},
                    "shipping": {"$ref": "#/components/schemas/Address"},
                },
            },
        }

    old = order({"zip": {"type": "string"}, "city": {"type": "string"}})
    new = order({"city": {"type": "string"}})
    body = {"shipping": {"zip": "12345", "city": "Oslo"}}
    assert diff_schemas(tmp_path, old, new, "Order", body) == [
        ("response.property.removed", "breaking", ["reads $.shipping.zip"])
    ]


def test_densely_interlinked_schemas_are_compared_once_each(tmp_path: Path) -> None:
    """Thirty schemas that all refer to each other: every path through them is a
    different field path, so reporting per path would never end."""

    def graph(value_type: str) -> dict[str, object]:
        return {
            f"N{i}": {
                "type": "object",
                "properties": {
                    "value": {"type": value_type},
                    **{f"to{j}": {"$ref": f"#/components/schemas/N{j}"} for j in range(30)},
                },
            }
            for i in range(30)
        }

    body = {"to7": {"to3": {"value": "x"}}}
    found = diff_schemas(tmp_path, graph("string"), graph("integer"), "N0", body)
    assert len(found) == 30
    assert {rule for rule, _, _ in found} == {"response.type.changed"}
    readers = [relies for _, _, relies in found if relies]
    assert readers == [["reads $.to7.to3.value"]]


def test_a_part_taken_from_another_file_is_located_there(tmp_path: Path) -> None:
    spec = """\
        openapi: 3.1.0
        info: {title: t, version: "1"}
        paths:
          /x:
            get:
              responses:
                "404": {$ref: "common.yaml#/NotFound"}
    """
    common = """\
        NotFound:
          description: No such thing.
          headers:
            X-Trace: {schema: {type: string}}
          content:
            application/json:
              schema: {type: object}
    """
    for side in ("old", "new"):
        (tmp_path / side).mkdir()
        write(tmp_path / side, "spec.yaml", spec)
        write(
            tmp_path / side, "common.yaml", common if side == "old" else common.replace("X-", "Y-")
        )
    result = diff_specs(
        load_spec(tmp_path / "old" / "spec.yaml"),
        load_spec(tmp_path / "new" / "spec.yaml"),
        old_label="old/spec.yaml",
        new_label="new/spec.yaml",
    )
    located = {
        (c.rule, str(c.old.source) if c.old else None, str(c.new.source) if c.new else None)
        for c in result.changes
    }
    assert located == {
        ("response.header.removed", "old/common.yaml", "new/common.yaml"),
        ("response.header.added", "old/common.yaml", "new/common.yaml"),
    }
