"""Specs of every version, as other tools write them: Swagger 2.0, OpenAPI 3.0 and 3.1.

The pet shop of ``tests/parity_corpus/pact-versions`` is described three times: in
Swagger 2.0 (YAML, ``definitions``, ``basePath``), OpenAPI 3.0 (JSON, ``servers``,
``nullable``) and OpenAPI 3.1 (YAML, ``type: [string, "null"]``, ``examples``,
``$defs``, schemas in another file). Every pact version against every spec version
gives the same verdicts, with messages pointing into each spec's own text. Then the
particulars of each version, one test each.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from contractgate import InputError
from contractgate._formats import FORMATS
from contractgate._openapi import Spec, load_spec
from contractgate._project import adhoc_project
from contractgate.check import Finding, InteractionResult, check_project
from contractgate.cli import main

if TYPE_CHECKING:
    from conftest import CliRun

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "versions_corpus"
PACTS = ROOT / "tests" / "parity_corpus" / "pact-versions"
SPECS = {
    "swagger 2.0": PACTS / "spec.yaml",
    "openapi 3.0": CORPUS / "petshop-openapi30.json",
    "openapi 3.1": CORPUS / "petshop-openapi31.yaml",
}
PACT_FILES = ("ruby-v1.1.json", "js-v2.json", "jvm-v3.json", "rust-v4.json")
# Where the renamed field's schema stands in each spec: file and pointer.
PET = {
    "swagger 2.0": (SPECS["swagger 2.0"], "/definitions/Pet"),
    "openapi 3.0": (SPECS["openapi 3.0"], "/components/schemas/Pet"),
    "openapi 3.1": (CORPUS / "components" / "pets.yaml", "/Pet"),
}
EXPECTED = [
    ("a request to list pets", "passed", []),
    ("a request for pet 1", "passed", []),
    ("a request for a pet that does not exist", "passed", []),
    ("a request to create a pet", "passed", []),
    ("a request for pet stats", "passed", []),
    ("a request for pet 1 expecting a renamed field", "failed", ["response.body.undocumented"]),
    ("a request for pet 1 expecting an id of the wrong type", "failed", ["response.body.type"]),
]


def _check(spec: Path, pact: Path) -> list[InteractionResult]:
    result = check_project(adhoc_project(spec, [pact]))
    return result.services[0].pacts[0].interactions


@pytest.mark.parametrize("version", sorted(SPECS))
@pytest.mark.parametrize("pact", PACT_FILES)
def test_every_pact_version_reads_the_same_against_every_spec_version(
    version: str, pact: str
) -> None:
    results = _check(SPECS[version], PACTS / pact)
    http = [r for r in results if r.verdict != "not applicable"]
    assert [(r.description, r.verdict, [f.code for f in r.findings]) for r in http] == EXPECTED
    source, pointer = PET[version]
    (renamed,) = http[5].findings
    assert renamed.message == (
        "response body /nickname: the pact expects field nickname, "
        "the spec does not document it (did you mean 'name'?)"
    )
    assert renamed.spec is not None
    assert (renamed.spec.source, renamed.spec.pointer) == (str(source), pointer)
    assert renamed.spec.line == _line_of(source, pointer)


def _line_of(source: Path, pointer: str) -> int:
    """The line of the key a schema pointer ends at, +1 for YAML (its value starts under it)."""
    name = pointer.rsplit("/", 1)[-1]
    lines = source.read_text(encoding="utf-8").splitlines()
    if source.suffix == ".json":
        return next(i for i, line in enumerate(lines, 1) if f'"{name}": {{' in line)
    return next(i for i, line in enumerate(lines, 1) if re.match(rf"\s*{name}:\s*$", line)) + 1


def test_the_three_specs_are_the_versions_and_formats_they_claim() -> None:
    versions = {name: load_spec(path).version for name, path in SPECS.items()}
    assert versions == {"swagger 2.0": "2.0", "openapi 3.0": "3.0", "openapi 3.1": "3.1"}
    assert load_spec(SPECS["openapi 3.0"]).document.format == "json"
    assert load_spec(SPECS["openapi 3.1"]).document.format == "yaml"
    assert {name: load_spec(p).base_paths for name, p in SPECS.items()} == {
        name: ["/api"] for name in SPECS
    }


# -- Swagger 2.0 ---------------------------------------------------------------------------------


def swagger(tmp_path: Path, paths: dict[str, Any], **top: Any) -> Path:
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": paths, **top}
    path = tmp_path / "swagger.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def pact_of(tmp_path: Path, *interactions: dict[str, Any], version: str = "2.0.0") -> Path:
    data = {
        "consumer": {"name": "web"},
        "provider": {"name": "api"},
        "interactions": [{"description": f"i{n}", **i} for n, i in enumerate(interactions)],
        "metadata": {"pactSpecification": {"version": version}},
    }
    path = tmp_path / "pact.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def findings(spec: Path, pact: Path) -> list[Finding]:
    return [f for r in _check(spec, pact) for f in r.findings]


def test_swagger_collection_formats_become_parameter_styles(tmp_path: Path) -> None:
    def array(name: str, fmt: str | None, where: str = "query") -> dict[str, Any]:
        param = {"name": name, "in": where, "type": "array", "items": {"type": "integer"}}
        return {**param, "collectionFormat": fmt} if fmt else param

    formats = [None, "csv", "ssv", "tsv", "pipes", "multi"]
    params = [array(f"q{n}", fmt) for n, fmt in enumerate(formats)]
    params += [array("X-Ids", "pipes", "header"), array("ids", None, "path")]
    spec = load_spec(
        swagger(tmp_path, {"/a/{ids}": {"get": {"parameters": params, "responses": {"204": {}}}}})
    )
    (op,) = spec.operations
    assert [(p.name, p.style, p.explode) for p in op.parameters] == [
        ("q0", "form", False),
        ("q1", "form", False),
        ("q2", "spaceDelimited", False),
        ("q3", "tabDelimited", False),
        ("q4", "pipeDelimited", False),
        ("q5", "form", True),
        ("X-Ids", "pipeDelimited", False),
        ("ids", "simple", False),
    ]
    query = "q0=1,2&q1=1,2&q2=1%202&q3=1%092&q4=1|2&q5=1&q5=2"
    ok = {"request": {"method": "GET", "path": "/a/1,2", "query": query,
                      "headers": {"X-Ids": "1|2"}}, "response": {"status": 204}}  # fmt: skip
    assert findings(Path(spec.source), pact_of(tmp_path, ok)) == []
    bad = {"request": {"method": "GET", "path": "/a/1", "query": "q3=1%09x"},
           "response": {"status": 204}}  # fmt: skip
    (finding,) = findings(Path(spec.source), pact_of(tmp_path, bad))
    assert finding.message == (
        "request query parameter q3 /1: the pact sends a string, the spec expects an integer"
    )
    assert finding.spec is not None
    assert finding.spec.pointer == "/paths/~1a~1{ids}/get/parameters/3/items"


def test_swagger_x_nullable_allows_null_and_nothing_else_does(tmp_path: Path) -> None:
    pet = {"type": "object", "properties": {"tag": {"type": "string", "x-nullable": True},
                                            "name": {"type": "string"}}}  # fmt: skip
    spec = swagger(
        tmp_path,
        {"/pets/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True,
                                                 "type": "integer"}],
                                "responses": {"200": {"description": "A pet.",
                                                      "schema": {"$ref": "#/definitions/Pet"}}}}}},
        definitions={"Pet": pet},
    )  # fmt: skip

    def get(body: dict[str, Any]) -> dict[str, Any]:
        return {"request": {"method": "GET", "path": "/pets/1"},
                "response": {"status": 200, "body": body}}  # fmt: skip

    assert findings(spec, pact_of(tmp_path, get({"tag": None}))) == []
    (finding,) = findings(spec, pact_of(tmp_path, get({"name": None})))
    assert finding.code == "response.body.type"
    assert (
        finding.message == "response body /name: the pact expects null, the spec promises a string"
    )
    assert finding.spec is not None
    assert finding.spec.pointer == "/definitions/Pet/properties/name"
    # The place is the line of the user's own Swagger file, not of a converted document.
    lines = spec.read_text(encoding="utf-8").splitlines()
    assert lines[finding.spec.line - 2].strip() == "name:"  # type: ignore[operator]


def test_swagger_form_data_file_produces_and_response_headers(tmp_path: Path) -> None:
    upload = {
        "consumes": ["multipart/form-data"],
        "produces": ["text/plain"],
        "parameters": [
            {"name": "caption", "in": "formData", "type": "string", "required": True},
            {"name": "photo", "in": "formData", "type": "file"},
        ],
        "responses": {"201": {"description": "Stored.", "schema": {"type": "string"},
                              "headers": {"X-Size": {"type": "integer"}}}},
    }  # fmt: skip
    spec = load_spec(swagger(tmp_path, {"/photos": {"post": upload}}))
    (op,) = spec.operations
    assert op.produces == ("text/plain",)
    assert op.request_body is not None
    (media,) = op.request_body.content.values()
    assert media.media_type == "multipart/form-data"
    assert media.schema is not None
    assert media.schema.synthetic
    assert spec.validator(media.schema, response=False).is_valid({"caption": "c", "photo": b"x"})
    header = op.responses["201"].headers["x-size"]
    assert header.schema is not None
    assert header.schema.node == {"type": "integer"}
    assert header.schema.pointer == "/paths/~1photos/post/responses/201/headers/X-Size"
    body = (
        '--B\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\n'
        "\xff\xd8 jpeg\r\n--B--\r\n"
    )
    post = {"request": {"method": "POST", "path": "/photos", "body": body,
                        "headers": {"Content-Type": "multipart/form-data; boundary=B",
                                    "Accept": "application/json"}},
            "response": {"status": 201, "headers": {"X-Size": "big"}}}  # fmt: skip
    got = [(f.code, f.message) for f in findings(Path(spec.source), pact_of(tmp_path, post))]
    assert got == [
        ("request.accept.mismatch",
         "request header Accept: the pact accepts application/json, POST /photos produces "
         "text/plain"),
        ("request.body.required",
         "request body /caption: the spec requires this field, the pact does not send it"),
        ("response.header.value",
         "response header X-Size: the pact expects a string, the spec promises an integer"),
    ]  # fmt: skip


def test_swagger_security_definitions(tmp_path: Path) -> None:
    schemes = {
        "basic": {"type": "basic"},
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
        "token": {"type": "apiKey", "in": "query", "name": "token"},
        "oauth": {"type": "oauth2", "flow": "implicit", "scopes": {},
                  "authorizationUrl": "https://auth.example.com"},
    }  # fmt: skip
    paths = {f"/{name}": {"get": {"security": [{name: []}], "responses": {"204": {}}}}
             for name in schemes}  # fmt: skip
    spec = swagger(tmp_path, paths, securityDefinitions=schemes)

    def get(path: str, **request: Any) -> dict[str, Any]:
        return {"request": {"method": "GET", "path": path, **request}, "response": {"status": 204}}

    sent = [
        get("/basic", headers={"Authorization": "Basic dTpw"}),
        get("/key", headers={"X-Key": "k"}),
        get("/token", query="token=t"),
        get("/oauth", headers={"Authorization": "Bearer t"}),
    ]
    assert findings(spec, pact_of(tmp_path, *sent)) == []
    missing = [get(f"/{name}") for name in schemes]
    messages = [f.message for f in findings(spec, pact_of(tmp_path, *missing))]
    assert messages == [
        "request: GET /basic requires basic (an 'Authorization: Basic …' header); "
        "the pact sends no credential",
        "request: GET /key requires key (the header 'X-Key'); the pact sends no credential",
        "request: GET /token requires token (the query 'token'); the pact sends no credential",
        "request: GET /oauth requires oauth (an Authorization header); "
        "the pact sends no credential",
    ]


# -- OpenAPI 3.0 and 3.1 -------------------------------------------------------------------------


def openapi(tmp_path: Path, version: str, schema: Any, **components: Any) -> Path:
    doc = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": schema}}},
                    "responses": {"200": {"description": "A thing.",
                                          "content": {"application/json": {"schema": schema}}}},
                }
            }
        },
        "components": {"schemas": components},
    }  # fmt: skip
    path = tmp_path / f"openapi{version}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def exchange(tmp_path: Path, spec: Path, sent: Any, expected: Any) -> list[str]:
    """The codes of an exchange that sends ``sent`` and expects ``expected`` back."""
    interaction = {
        "request": {"method": "POST", "path": "/things", "body": sent,
                    "headers": {"Content-Type": "application/json"}},
        "response": {"status": 200, "body": expected},
    }  # fmt: skip
    return [f.code for f in findings(spec, pact_of(tmp_path, interaction))]


def test_openapi_31_type_lists_const_examples_and_defs(tmp_path: Path) -> None:
    schema = {"$ref": "#/components/schemas/Event"}
    event = {
        "type": "object",
        "properties": {
            "kind": {"const": "alert"},
            "note": {"type": ["string", "null"], "examples": ["disk full"]},
            "at": {"$ref": "#/components/schemas/Event/$defs/Point"},
        },
        "$defs": {"Point": {"type": "object", "properties": {"x": {"type": "number"}}}},
    }
    spec = openapi(tmp_path, "3.1.0", schema, Event=event)
    ok = {"kind": "alert", "note": None, "at": {"x": 1.5}}
    assert exchange(tmp_path, spec, ok, ok) == []
    assert exchange(tmp_path, spec, {"kind": "other"}, {"note": 3, "at": {"y": 1}}) == [
        "request.body.enum",
        "response.body.undocumented",  # /at/y
        "response.body.type",  # /note
    ]


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_read_only_and_write_only_hold_in_both_versions(tmp_path: Path, version: str) -> None:
    account = {
        "type": "object",
        "required": ["id", "password"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "password": {"type": "string", "writeOnly": True},
        },
    }
    spec = openapi(tmp_path, version, {"$ref": "#/components/schemas/Account"}, Account=account)
    assert exchange(tmp_path, spec, {"password": "p"}, {"id": 1}) == []
    assert exchange(tmp_path, spec, {"id": 1, "password": "p"}, {"password": "p"}) == [
        "request.body.read-only",
        "response.body.write-only",
    ]


def test_openapi_30_nullable_beside_a_reference_or_composition(tmp_path: Path) -> None:
    owner = {"type": "object", "properties": {"name": {"type": "string"}}}
    thing = {
        "type": "object",
        "properties": {
            "owner": {"nullable": True, "allOf": [{"$ref": "#/components/schemas/Owner"}]},
            "size": {"nullable": True, "oneOf": [{"type": "integer"}, {"type": "string"}]},
            "plain": {"allOf": [{"$ref": "#/components/schemas/Owner"}]},
        },
    }
    spec = openapi(tmp_path, "3.0.3", {"$ref": "#/components/schemas/Thing"}, Thing=thing,
                   Owner=owner)  # fmt: skip
    assert exchange(tmp_path, spec, {}, {"owner": None, "size": None}) == []
    assert exchange(tmp_path, spec, {}, {"plain": None}) == ["response.body.type"]


def test_circular_references_are_walked_and_validated_without_looping(tmp_path: Path) -> None:
    node = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "parent": {"$ref": "#/components/schemas/Node"},
        },
    }
    spec = openapi(tmp_path, "3.0.3", {"$ref": "#/components/schemas/Node"}, Node=node)
    deep: dict[str, Any] = {"name": "leaf"}
    for depth in range(60):
        deep = {"name": f"n{depth}", "children": [deep], "parent": {"name": "p"}}
    assert exchange(tmp_path, spec, deep, deep) == []
    deep["children"][0]["children"][0]["name"] = 5
    assert exchange(tmp_path, spec, {}, deep) == ["response.body.type"]


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("uri", "https://example.com/a?b=c", "example.com"),
        ("uri-reference", "/pets/1?x=y#top", "a b"),
        ("iri", "https://例え.jp/パス", "例え.jp"),
        ("hostname", "api.github.com", "-bad-.example"),
        ("json-pointer", "/a/b~1c", "a/b"),
    ],
)
def test_formats_jsonschema_leaves_to_optional_packages_are_checked(
    tmp_path: Path, fmt: str, good: str, bad: str
) -> None:
    assert FORMATS[fmt](good)
    assert not FORMATS[fmt](bad)
    spec = openapi(tmp_path, "3.0.3", {"type": "string", "format": fmt})
    assert exchange(tmp_path, spec, good, good) == []
    assert exchange(tmp_path, spec, bad, bad) == ["request.body.format", "response.body.format"]


def test_references_to_other_files_resolve_relative_to_the_spec() -> None:
    spec = load_spec(SPECS["openapi 3.1"])
    sources = {Path(doc.source).name for doc in spec._loader.documents()}
    assert sources == {"petshop-openapi31.yaml", "pets.yaml"}
    op = spec.operation("GET", "/pets/{petId}")
    assert op is not None
    media = op.responses["200"].content["application/json"]
    assert media.schema is not None
    _, pointer, source = spec.resolve(media.schema.node, media.schema.pointer)
    assert (Path(source).name, pointer) == ("pets.yaml", "/Pet")
    assert spec.validator(media.schema).is_valid({"id": 1, "name": "Rex", "tag": None})


# -- where the spec is ---------------------------------------------------------------------------


def test_a_spec_is_read_from_a_file_url() -> None:
    path = SPECS["openapi 3.0"]
    spec: Spec = load_spec(path.as_uri())
    assert spec.source == str(path)
    assert len(spec.operations) == 4


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("https://example.com/openapi.yaml", "is a URL; contractgate reads local files only"),
        ("file://build-host/specs/openapi.yaml", "names a file on another host (build-host)"),
    ],
)
def test_a_spec_elsewhere_is_refused_with_the_fix(location: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        load_spec(location)
    assert caught.value.source == location
    assert caught.value.message == words
    assert caught.value.exit_code == 2


def test_check_takes_a_file_url_and_refuses_an_https_one_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    pact = str(PACTS / "js-v2.json")
    spec = SPECS["openapi 3.0"]
    assert main(["check", "--spec", spec.as_uri(), "--pact", pact, "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["services"][0]["spec"] == str(spec)
    assert out["counts"]["failed"] == 2
    url = "https://example.com/openapi.yaml"
    assert main(["check", "--spec", url, "--pact", pact]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {url}: is a URL; contractgate reads local files only")
    assert "curl -fsSLo spec.yaml" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "command",
    [["lint"], ["fuzz", "--url", "http://127.0.0.1:9", "--spec"]],
    ids=["lint", "fuzz"],
)
def test_lint_and_fuzz_name_an_https_spec_as_given_and_exit_2(
    command: list[str], run_cli: CliRun
) -> None:
    url = "https://example.com/openapi.yaml"
    code, out, err = run_cli([*command, url])
    assert code == 2
    assert f"{url}: " in out + err  # the URL as typed, not folded to https:/
    assert "is a URL; contractgate reads local files only" in out + err
