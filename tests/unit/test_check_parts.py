"""The parts of ``check``: media types, parameter styles, locations, the fast path, matchers.

Small specs and pacts are written inline (``tmp_path``) where the example specs do
not have the feature under test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgate import InputError
from contractgate._documents import load_document
from contractgate._openapi import Parameter, Schema, load_spec
from contractgate._pact import Rule, Rules, RuleSet, load_pact, parse_path_expression
from contractgate._project import adhoc_project
from contractgate.check import RULES, Finding, _fast, _rules, check_service
from contractgate.check._body import _narrow, _weight
from contractgate.check._locate import Locator
from contractgate.check._media import accept_matches, find_media, is_json
from contractgate.check._params import read_value
from contractgate.check._schema import SchemaContext

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "check_corpus"


# -- helpers -----------------------------------------------------------------------------------


def write_spec(tmp_path: Path, spec: dict[str, Any], name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    return path


def write_pact(tmp_path: Path, *interactions: dict[str, Any], provider: str = "p") -> Path:
    path = tmp_path / "pact.json"
    pact = {
        "consumer": {"name": "c"},
        "provider": {"name": provider},
        "interactions": [
            {"type": "Synchronous/HTTP", "description": f"interaction {i}", **interaction}
            for i, interaction in enumerate(interactions)
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    path.write_text(json.dumps(pact, indent=2), "utf-8")
    return path


def body(content: Any, media: str = "application/json") -> dict[str, Any]:
    return {"content": content, "contentType": media, "encoded": False}


def check(spec: Path, pact: Path) -> list[Finding]:
    result = check_service(adhoc_project(spec, [pact]).services[0])
    return [f for p in result.pacts for i in p.interactions for f in i.findings]


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def openapi(paths: dict[str, Any], version: str = "3.1.0", **extra: Any) -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def ok(schema: dict[str, Any] | None = None, status: str = "200") -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok"}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return {"responses": {status: response}}


# -- the rule table ----------------------------------------------------------------------------


def test_the_docstring_table_lists_exactly_the_rule_codes() -> None:
    doc = _rules.__doc__ or ""
    listed: set[str] = set()
    for line in doc.splitlines():
        first = line.split(" ")[0]
        if re.fullmatch(r"(<side>|request|response|matcher)\.[a-z.-]+", first):
            sides = ("request", "response") if first.startswith("<side>") else ("",)
            listed |= {first.replace("<side>", side) for side in sides}
    assert listed == set(RULES)


# -- media types ----------------------------------------------------------------------------------


def test_media_types_match_exactly_parameters_ignored_wildcards_on_the_spec_side() -> None:
    documented = ["application/json", "application/problem+json", "text/*"]
    assert find_media("application/json; charset=utf-8", documented) == "application/json"
    assert find_media("Application/Problem+JSON", documented) == "application/problem+json"
    assert find_media("text/csv", documented) == "text/*"
    assert find_media("application/xml", documented) is None
    assert find_media("application/problem+json", ["application/json"]) is None
    assert find_media("application/json", ["*/*"]) == "*/*"
    assert is_json("application/problem+json")
    assert is_json("application/json; charset=utf-8")
    assert not is_json("text/plain")


def test_accept_matches_wildcards_both_ways_and_skips_refused_types() -> None:
    produced = ["application/json", "application/problem+json"]
    assert accept_matches("application/json", produced)
    assert accept_matches("*/*", produced)
    assert accept_matches("application/*", produced)
    assert accept_matches("text/html, application/json;q=0.5", produced)
    assert not accept_matches("application/xml", produced)
    assert not accept_matches("application/json;q=0", produced)
    assert accept_matches("text/plain", ["text/*"])


# -- parameter styles ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ctx() -> SchemaContext:
    return SchemaContext(load_spec(CORPUS / "specs" / "inventory.yaml"))


def param(
    location: str,
    schema: dict[str, Any],
    style: str | None = None,
    explode: bool | None = None,
) -> Parameter:
    return Parameter("p", location, False, Schema(schema, "t", "/x"), "/x", style, explode)


INTS = {"type": "array", "items": {"type": "integer"}}


@pytest.mark.parametrize(
    ("parameter", "raw", "expected"),
    [
        (param("query", INTS), ["1", "2"], [1, 2]),  # form, exploded: repeated keys
        (param("query", INTS, explode=False), ["1,2"], [1, 2]),
        (param("query", INTS, "pipeDelimited"), ["1|2"], [1, 2]),
        (param("query", INTS, "spaceDelimited"), ["1 2"], [1, 2]),
        (param("path", INTS), ["1,2"], [1, 2]),  # simple
        (param("path", INTS, "label"), [".1,2"], [1, 2]),
        (param("path", INTS, "label", True), [".1.2"], [1, 2]),
        (param("path", INTS, "matrix"), [";p=1,2"], [1, 2]),
        (param("header", {"type": "number"}), ["2.5"], 2.5),
        (param("header", {"type": "integer"}), ["-7"], -7),
        (param("query", {"type": "boolean"}), ["true"], True),
        (param("query", {"type": "integer"}), ["seven"], "seven"),  # left for the schema to refuse
        (param("query", {"type": ["string", "null"]}), [""], ""),
        (
            param("path", {"type": "object", "properties": {"a": {"type": "integer"}}}),
            ["a,1,b,x"],
            {"a": 1, "b": "x"},
        ),
        (
            param(
                "header", {"type": "object", "properties": {"a": {"type": "integer"}}}, None, True
            ),
            ["a=1,b=x"],
            {"a": 1, "b": "x"},
        ),
    ],
)
def test_parameter_values_are_read_as_the_provider_reads_them(
    ctx: SchemaContext, parameter: Parameter, raw: list[str], expected: Any
) -> None:
    value, _ = read_value(ctx, parameter, raw)
    assert value == expected
    assert type(value) is type(expected)


def test_exploded_and_deep_object_query_parameters_gather_their_keys(ctx: SchemaContext) -> None:
    schema = {"type": "object", "properties": {"size": {"type": "integer"}, "colour": {}}}
    query = {"size": ["3"], "colour": ["red"], "other": ["x"]}
    value, keys = read_value(ctx, param("query", schema), [], query)
    assert (value, keys) == ({"size": 3, "colour": "red"}, {"size", "colour"})
    deep = {"p[size]": ["3"], "p[colour]": ["red"], "size": ["9"]}
    value, keys = read_value(ctx, param("query", schema, "deepObject"), [], deep)
    assert (value, keys) == ({"size": 3, "colour": "red"}, {"p[size]", "p[colour]"})


# -- locations -----------------------------------------------------------------------------------


@pytest.mark.parametrize("indent", [None, 2])
def test_the_json_locator_agrees_with_the_yaml_node_positions(
    tmp_path: Path, indent: int | None
) -> None:
    data = {
        "a/b": {"x~y": [1, {"deep": "value"}, [True, None]]},
        "text": 'quote " and \\ and ünïcode',
        "n": -1.5e3,
        "empty": {},
        "list": [],
    }
    path = tmp_path / "doc.json"
    path.write_text("\n" + json.dumps(data, indent=indent, ensure_ascii=False), "utf-8")
    document = load_document(path)
    pointers = [
        "",
        "/a~1b",
        "/a~1b/x~0y",
        "/a~1b/x~0y/0",
        "/a~1b/x~0y/1/deep",
        "/a~1b/x~0y/2/1",
        "/text",
        "/n",
        "/empty",
        "/list",
        "/a~1b/x~0y/9",  # missing: the deepest existing parent
        "/nothing/here",
    ]
    locator = Locator()
    for pointer in pointers:
        fast = locator.locate(document, pointer)
        assert f"{fast.line}:{fast.column}" == document.locate(pointer), pointer
        assert (fast.source, fast.pointer) == (str(path), pointer)


# -- the fast path -------------------------------------------------------------------------------


def _bodies() -> list[tuple[Path, Path]]:
    specs = {
        "user-service": ROOT / "openapi" / "user-service.yaml",
        "template-service": ROOT / "openapi" / "template-service.yaml",
        "inventory": CORPUS / "specs" / "inventory.yaml",
    }
    out = []
    for pact in sorted(CORPUS.glob("*/*.json")):
        provider = json.loads(pact.read_text("utf-8"))["provider"]["name"]
        out.append((specs[provider], pact))
    return out


def test_the_fast_path_changes_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every corpus pact gives the same findings with and without jsonschema_rs."""
    with_fast = [(spec, pact, check(spec, pact)) for spec, pact in _bodies()]
    monkeypatch.setattr(_fast, "jsonschema_rs", None)
    for spec, pact, findings in with_fast:
        assert check(spec, pact) == findings, pact.name


def test_fast_validity_is_never_more_lenient_than_python_on_tricky_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = {
        "Int32": {"type": "integer", "format": "int32"},
        "When": {"type": "string", "format": "date-time"},
        "Code": {"type": "string", "pattern": "^[a-z]+$"},
        "Thing": {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
    }
    spec = write_spec(tmp_path, openapi({}, components={"schemas": schemas}))
    loaded = load_spec(spec)
    values = [2**40, 7, "2025-13-45T00:00:00Z", "2025-01-01T00:00:00Z", "abc", "ab\n", {}, {"a": 1}]
    cases = [
        (Schema(node, str(spec), f"/components/schemas/{name}"), value, response)
        for name, node in schemas.items()
        for value in values
        for response in (False, True)
    ]
    fast = _fast.FastValidity(loaded)
    proven = [
        fast.proves_valid(schema, value, response=response) for schema, value, response in cases
    ]
    jsonschema_rs = _fast.jsonschema_rs
    monkeypatch.setattr(_fast, "jsonschema_rs", None)  # the Python validators alone
    python = SchemaContext(loaded)
    unproven = []
    for (schema, value, response), valid in zip(cases, proven, strict=True):
        python_valid = python.errors(schema, value, response=response) == []
        if valid:
            assert python_valid, (schema.pointer, value, response)
        elif python_valid:
            unproven.append((schema.pointer, value))
    # Only where the fast engine is stricter: Python's $ also matches before a final newline.
    assert unproven == [("/components/schemas/Code", "ab\n")] * 2
    monkeypatch.setattr(_fast, "jsonschema_rs", jsonschema_rs)
    int32 = Schema(schemas["Int32"], str(spec), "/components/schemas/Int32")
    assert not fast.proves_valid(int32, 2**40, response=False)
    assert fast.proves_valid(int32, 7, response=False)
    thing = Schema(schemas["Thing"], str(spec), "/components/schemas/Thing")
    assert fast.proves_valid(thing, {}, response=True)  # a response may leave fields out
    assert not fast.proves_valid(thing, {}, response=False)


def test_python_only_keywords_keep_a_schema_off_the_fast_path(tmp_path: Path) -> None:
    schemas = {
        "Pet": {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind"},
        },
        "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}},
        "Dog": {"type": "object", "properties": {"kind": {"type": "string"}}},
        "Plain": {"type": "object"},
        "Owner": {"type": "object", "properties": {"pet": {"$ref": "#/components/schemas/Pet"}}},
    }
    spec = write_spec(tmp_path, openapi({}, components={"schemas": schemas}))
    context = SchemaContext(load_spec(spec))
    fast = _fast.FastValidity(context.spec)

    def at(name: str) -> Schema:
        return Schema(schemas[name], str(spec), f"/components/schemas/{name}")

    assert not fast.proves_valid(at("Pet"), {"kind": "Cat"}, response=True)
    assert not fast.proves_valid(at("Owner"), {}, response=True)  # reaches Pet
    assert fast.proves_valid(at("Plain"), {}, response=True)


def test_openapi_30_read_only_fields_are_judged_by_python(tmp_path: Path) -> None:
    item = {
        "type": "object",
        "properties": {"id": {"type": "integer", "readOnly": True}, "name": {"type": "string"}},
    }
    paths = {
        "/items": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": item}}},
                **ok(item, "201"),
            }
        }
    }
    spec = write_spec(tmp_path, openapi(paths, "3.0.3"))
    pact = write_pact(
        tmp_path,
        {
            "request": {
                "method": "POST",
                "path": "/items",
                "headers": {"Content-Type": ["application/json"]},
                "body": body({"id": 5, "name": "lamp"}),
            },
            "response": {"status": 201, "body": body({"id": 5, "name": "lamp"})},
        },
    )
    (finding,) = check(spec, pact)
    assert finding.code == "request.body.read-only"
    assert finding.message == (
        "request body /id: the pact sends field id, the spec marks it readOnly (not for requests)"
    )


# -- matching rules ------------------------------------------------------------------------------


def test_narrowing_rules_down_a_body_gives_what_rules_at_gives() -> None:
    expressions = ["$", "$.items", "$.items[*]", "$.items[*].code", "$.*.code", "$.items[1].code",
                   "$.meta", "$.meta.*", "$['odd key'].x"]  # fmt: skip
    rules = Rules(
        {
            parse_path_expression(e) or (): RuleSet((Rule("type", {"name": f"r{i}"}),))
            for i, e in enumerate(expressions)
        }
    )
    paths: list[tuple[str | int, ...]] = [
        (), ("items",), ("items", 0), ("items", 0, "code"), ("items", 1, "code"), ("items", 1),
        ("meta",), ("meta", "a"), ("meta", "code"), ("other",), ("other", "code"),
        ("odd key", "x"), ("items", 0, "code", "deeper"),
    ]  # fmt: skip
    root_best = None
    pending = []
    for order, (expr, ruleset) in enumerate(rules.by_path.items()):
        if expr:
            pending.append((expr, _weight(expr), -order, ruleset))
        elif root_best is None:
            root_best = (_weight(expr), -order, ruleset)
    for path in paths:
        state: Any = (pending, root_best)
        for depth, token in enumerate(path):
            state = _narrow(state, token, depth)
        found = state[1][2] if state[1] else None
        assert found is rules.at(path), path


# -- security --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("security", "headers", "query", "expected"),
    [
        ([{"key": []}], {"X-Key": ["k"]}, {}, []),
        ([{"key": []}], {}, {}, ["request.security.missing"]),
        ([{"query": []}], {}, {"token": ["t"]}, []),
        ([{"cookie": []}], {"Cookie": ["a=1; session=s"]}, {}, []),
        ([{"cookie": []}], {"Cookie": ["a=1"]}, {}, ["request.security.missing"]),
        ([{"basic": []}], {"Authorization": ["Basic dTpw"]}, {}, []),
        ([{"basic": []}], {"Authorization": ["Bearer t"]}, {}, ["request.security.missing"]),
        ([{"key": [], "basic": []}], {"X-Key": ["k"]}, {}, ["request.security.missing"]),
        ([{"key": []}, {"basic": []}], {"Authorization": ["Basic dTpw"]}, {}, []),
        ([{"oauth": ["read"]}], {"Authorization": ["Bearer t"]}, {}, []),
        ([{"oauth": ["read"]}], {}, {}, ["request.security.missing"]),
        ([{}], {}, {}, []),  # optional
        ([], {}, {}, []),  # explicitly none
    ],
)
def test_security_requirements(
    tmp_path: Path,
    security: list[dict[str, list[str]]],
    headers: dict[str, list[str]],
    query: dict[str, list[str]],
    expected: list[str],
) -> None:
    schemes = {
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
        "query": {"type": "apiKey", "in": "query", "name": "token"},
        "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
        "basic": {"type": "http", "scheme": "basic"},
        "oauth": {"type": "oauth2", "flows": {}},
    }
    paths = {"/things": {"get": {"security": security, **ok()}}}
    spec = write_spec(tmp_path, openapi(paths, components={"securitySchemes": schemes}))
    request: dict[str, Any] = {"method": "GET", "path": "/things", "headers": headers}
    if query:
        request["query"] = query
    pact = write_pact(tmp_path, {"request": request, "response": {"status": 200}})
    assert codes(check(spec, pact)) == expected


# -- spec shapes -----------------------------------------------------------------------------------


def test_a_swagger_2_spec_with_a_base_path_and_a_body_parameter(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        {
            "swagger": "2.0",
            "info": {"title": "t", "version": "1"},
            "basePath": "/api",
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "paths": {
                "/notes": {
                    "post": {
                        "parameters": [
                            {
                                "name": "note",
                                "in": "body",
                                "required": True,
                                "schema": {
                                    "type": "object",
                                    "required": ["text"],
                                    "properties": {"text": {"type": "string"}},
                                },
                            },
                            {"name": "draft", "in": "query", "type": "boolean"},
                        ],
                        "responses": {
                            "201": {
                                "description": "ok",
                                "schema": {
                                    "type": "object",
                                    "properties": {"id": {"type": "integer"}},
                                },
                            }
                        },
                    }
                }
            },
        },
    )
    good = {
        "request": {
            "method": "POST",
            "path": "/api/notes",
            "query": {"draft": ["true"]},
            "headers": {"Content-Type": ["application/json"]},
            "body": body({"text": "hi"}),
        },
        "response": {"status": 201, "body": body({"id": 1})},
    }
    assert check(spec, write_pact(tmp_path, good)) == []
    bad = json.loads(json.dumps(good))
    bad["request"]["body"] = body({})
    bad["request"]["query"] = {"draft": ["maybe"]}
    bad["response"]["body"] = body({"id": "1", "title": "x"})
    assert sorted(codes(check(spec, write_pact(tmp_path, bad)))) == [
        "request.body.required",
        "request.query.value",
        "response.body.type",
        "response.body.undocumented",
    ]


def test_compositions_cycles_and_free_form_objects(tmp_path: Path) -> None:
    schemas = {
        "Node": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            },
        },
        "Shape": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["radius"],
                    "properties": {"radius": {"type": "number"}},
                },
                {
                    "type": "object",
                    "required": ["side"],
                    "properties": {"side": {"type": "number"}},
                },
            ]
        },
        "Named": {
            "allOf": [
                {"$ref": "#/components/schemas/Node"},
                {"type": "object", "properties": {"label": {"type": "string"}}},
            ]
        },
        "Bag": {"type": "object", "additionalProperties": {"type": "integer"}},
        "Anything": {"type": "object", "additionalProperties": True},
        "Loose": {"type": "object"},
    }
    names = list(schemas)
    paths = {
        f"/{name.lower()}": {"get": ok({"$ref": f"#/components/schemas/{name}"})} for name in names
    }
    spec = write_spec(tmp_path, openapi(paths, components={"schemas": schemas}))

    def get(name: str, content: Any) -> dict[str, Any]:
        return {
            "request": {"method": "GET", "path": f"/{name.lower()}"},
            "response": {"status": 200, "body": body(content)},
        }

    deep = {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "nick": "x"}]}]}
    pact = write_pact(
        tmp_path,
        get("Node", deep),
        get("Shape", {}),  # partial: fits both branches once required is off; not a failure
        get("Shape", {"radius": "big", "side": "small"}),
        get("Named", {"name": "n", "label": "l", "children": []}),
        get("Named", {"lable": "typo"}),
        get("Bag", {"a": 1, "b": "two"}),
        get("Anything", {"x": {"y": 1}}),
        get("Loose", {"x": 1}),
    )
    found = [(f.code, f.pact.pointer) for f in check(spec, pact)]
    assert found == [
        (
            "response.body.undocumented",
            "/interactions/0/response/body/content/children/0/children/0/nick",
        ),
        ("response.body.schema", "/interactions/2/response/body/content"),
        ("response.body.undocumented", "/interactions/4/response/body/content/lable"),
        ("response.body.type", "/interactions/5/response/body/content/b"),
        ("response.body.undocumented", "/interactions/7/response/body/content/x"),
    ]


def test_a_bad_ref_inside_a_schema_is_an_input_error_with_its_place(tmp_path: Path) -> None:
    paths = {"/x": {"get": ok({"$ref": "#/components/schemas/Missing"})}}
    spec = write_spec(tmp_path, openapi(paths, components={"schemas": {}}))
    pact = write_pact(
        tmp_path,
        {"request": {"method": "GET", "path": "/x"}, "response": {"status": 200, "body": body({})}},
    )
    with pytest.raises(InputError) as info:
        check(spec, pact)
    assert info.value.source == str(spec)
    assert "Missing" in str(info.value)


def test_pact_pointer_of_a_v4_body_and_of_a_v2_query(tmp_path: Path) -> None:
    paths = {
        "/x": {
            "get": {
                "parameters": [{"name": "n", "in": "query", "schema": {"type": "integer"}}],
                **ok(),
            }
        }
    }
    spec = write_spec(tmp_path, openapi(paths))
    v2 = tmp_path / "v2.json"
    v2.write_text(
        json.dumps(
            {
                "consumer": {"name": "c"},
                "provider": {"name": "p"},
                "interactions": [
                    {
                        "description": "d",
                        "request": {"method": "GET", "path": "/x", "query": "n=two"},
                        "response": {"status": 200},
                    }
                ],
                "metadata": {"pactSpecification": {"version": "2.0.0"}},
            }
        ),
        "utf-8",
    )
    (finding,) = check(spec, v2)
    assert finding.code == "request.query.value"
    assert finding.pact.pointer == "/interactions/0/request/query"
    assert load_pact(v2).spec_version == "2.0.0"
