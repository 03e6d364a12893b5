"""Pacts of every specification version, as the tools write them, read with their semantics.

The four files of ``tests/parity_corpus/pact-versions`` hold one consumer contract as
pact-ruby (V1.1: ``provider_state``, matchers inline as ``Pact::Term``,
``Pact::SomethingLike``, ``Pact::ArrayLike``), pact-js 9 (V2: ``$.body`` rule keys,
``providerState``), pact-jvm 4 (V3: rule categories, ``generators``, provider state
``params``) and pact-python 3 / pact-rust (V4: body envelopes, ``pending``, ``key``,
``comments``, ``arrayContains``, ``eachKey``/``eachValue``, ``combine: OR``, a message
and a plugin interaction) write it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contractgate import InputError
from contractgate._pact import ABSENT, Interaction, Pact, Rule, RuleSet, load_pact
from contractgate._project import adhoc_project
from contractgate.check import check_project

ROOT = Path(__file__).resolve().parents[2]
PACTS = ROOT / "tests" / "parity_corpus" / "pact-versions"
SPEC = PACTS / "spec.yaml"


def load(name: str) -> Pact:
    return load_pact(PACTS / name)


def http(pact: Pact, index: int) -> Interaction:
    interaction = pact.interactions[index]
    assert interaction.request is not None
    assert interaction.response is not None
    return interaction


@pytest.mark.parametrize(
    ("name", "version", "count"),
    [
        ("ruby-v1.1.json", "1.1.0", 7),
        ("js-v2.json", "2.0.0", 7),
        ("jvm-v3.json", "3.0.0", 7),
        ("rust-v4.json", "4.0", 9),
    ],
)
def test_each_version_is_read_whole(name: str, version: str, count: int) -> None:
    pact = load(name)
    assert (pact.consumer, pact.provider, pact.spec_version) == ("pet-web", "pet-shop", version)
    assert len(pact.interactions) == count
    listing = http(pact, 0)
    assert listing.request is not None
    assert (listing.request.method, listing.request.path) == ("GET", "/api/pets")
    assert listing.request.query == {"limit": ["10"], "tags": ["cat,dog"]}
    assert listing.request.header("x-api-key") == "key-1"


def test_provider_states_of_every_spelling() -> None:
    states = {
        name: [(s.name, s.params) for s in http(load(name), 1).provider_states]
        for name in ("ruby-v1.1.json", "js-v2.json", "jvm-v3.json", "rust-v4.json")
    }
    assert states == {
        "ruby-v1.1.json": [("pet 1 exists", {})],  # provider_state
        "js-v2.json": [("pet 1 exists", {})],  # providerState
        "jvm-v3.json": [("pet exists", {"id": 1})],  # providerStates with params
        "rust-v4.json": [("pet exists", {"id": 1})],
    }


def test_pact_ruby_inline_matchers_become_examples_and_rules() -> None:
    response = http(load("ruby-v1.1.json"), 0).response
    assert response is not None
    assert response.body == [{"id": 1, "name": "Rex", "status": "available"}]  # ArrayLike min 1
    assert response.header("content-type") == "application/json; charset=utf-8"  # Term
    body = response.rules_for("body")
    assert body.at(()) == RuleSet((Rule("type", {"min": 1}),))
    assert body.at((0, "id")) == RuleSet((Rule("type"),))  # SomethingLike
    assert body.at((0, "status")) == RuleSet((Rule("regex", {"regex": "^(available|sold)$"}),))
    header = response.rules_for("header").at(("content-type",))
    assert header == RuleSet((Rule("regex", {"regex": "application/json"}),))


def test_pact_js_v2_rule_keys_name_their_category() -> None:
    response = http(load("js-v2.json"), 0).response
    assert response is not None
    assert response.rules_for("body").at((0, "name")) == RuleSet((Rule("type"),))  # $.body[*].*
    assert response.rules_for("body").at(()) == RuleSet((Rule("type", {"min": 1}),))
    regex = response.rules_for("header").at(("content-type",))
    assert regex == RuleSet((Rule("regex", {"regex": "application/json"}),))


def test_pact_jvm_v3_categories_with_generators_left_aside() -> None:
    get = http(load("jvm-v3.json"), 1)
    assert get.request is not None
    assert get.response is not None
    path_rule = get.request.rules_for("path").at(())
    assert path_rule == RuleSet((Rule("regex", {"regex": "/api/pets/\\d+"}),))
    assert get.response.body == {"id": 1, "name": "Rex", "tag": "dog"}
    assert get.response.rules_for("body").at(("id",)) == RuleSet((Rule("integer"),))
    assert set(get.response.rules) == {"body", "header"}  # "generators" is not a rule


def test_pact_rust_v4_envelopes_containers_combine_and_other_kinds() -> None:
    pact = load("rust-v4.json")
    listing = http(pact, 0).response
    assert listing is not None
    assert listing.body == [
        {"id": 1, "name": "Rex", "status": "available"},
        {"id": 2, "name": "Tom", "status": "sold"},
    ]
    (contains,) = listing.rules_for("body").at(()).rules  # type: ignore[union-attr]
    assert contains.match == "arrayContains"
    assert [v["index"] for v in contains.attrs["variants"]] == [0, 1]
    tag = http(pact, 1).response
    assert tag is not None
    assert tag.rules_for("body").at(("tag",)) == RuleSet((Rule("type"), Rule("null")), combine="OR")
    stats = http(pact, 4).response
    assert stats is not None
    assert stats.rules_for("body").at(()).kinds() == {"eachKey", "eachValue"}  # type: ignore[union-attr]
    assert http(pact, 3).request.body == {"name": "Tom", "tag": "cat"}  # type: ignore[union-attr]
    message, plugin = pact.interactions[7], pact.interactions[8]
    assert (message.kind, message.request) == ("Asynchronous/Messages", None)
    assert message.not_applicable == (
        "not applicable: Asynchronous/Messages interaction (contractgate checks HTTP interactions)"
    )
    assert plugin.kind == "Synchronous/Messages"
    assert plugin.not_applicable == (
        "not applicable: plugin interaction (Synchronous/Messages through the protobuf "
        "plugin; its content is the plugin's to check)"
    )


def test_message_and_plugin_interactions_are_listed_never_counted_as_passed() -> None:
    result = check_project(adhoc_project(SPEC, [PACTS / "rust-v4.json"]))
    counts = result.counts()
    assert (counts["passed"], counts["failed"], counts["not_applicable"]) == (5, 2, 2)
    labels = [(i.description, i.verdict) for i in result.services[0].pacts[0].interactions[7:]]
    assert labels == [
        ("a pet sold event", "not applicable"),
        ("a pet photo over gRPC", "not applicable"),
    ]


# -- matchers, with the semantics of their version ----------------------------------------------

SPEC_30 = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "responses": {
                    "200": {
                        "description": "A thing.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "count": {"type": "integer"},
                                        "code": {"type": "string"},
                                        "ids": {"type": "array", "items": {"type": "integer"}},
                                        "labels": {
                                            "type": "object",
                                            "additionalProperties": {"type": "string"},
                                        },
                                    },
                                }
                            }
                        },
                    }
                }
            }
        }
    },
}


def codes(tmp_path: Path, body: Any, rules: dict[str, Any], version: str = "4.0") -> list[str]:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC_30), encoding="utf-8")
    pact = tmp_path / "pact.json"
    response: dict[str, Any] = {"status": 200, "body": body, "matchingRules": rules}
    interaction = {"description": "d", "request": {"method": "GET", "path": "/things"},
                   "response": response}  # fmt: skip
    if version == "4.0":
        interaction["type"] = "Synchronous/HTTP"
    data = {"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [interaction],
            "metadata": {"pactSpecification": {"version": version}}}  # fmt: skip
    pact.write_text(json.dumps(data), encoding="utf-8")
    result = check_project(adhoc_project(spec, [pact]))
    return [f.code for i in result.services[0].pacts[0].interactions for f in i.findings]


def rule(*matchers: dict[str, Any], combine: str = "AND") -> dict[str, Any]:
    return {"matchers": list(matchers), "combine": combine}


def test_combine_or_clashes_only_when_every_matcher_does(tmp_path: Path) -> None:
    integer_or_null = rule({"match": "integer"}, {"match": "null"}, combine="OR")
    assert codes(tmp_path, {"count": 1}, {"body": {"$.count": integer_or_null}}) == []
    null_and_integer = rule({"match": "integer"}, {"match": "null"})
    assert codes(tmp_path, {"count": 1}, {"body": {"$.count": null_and_integer}}) == [
        "response.body.matcher"
    ]
    text_or_bool = rule({"match": "decimal"}, {"match": "boolean"}, combine="OR")
    assert codes(tmp_path, {"count": 1}, {"body": {"$.count": text_or_bool}}) == [
        "response.body.matcher",
        "response.body.matcher",
    ]


def test_combine_or_lets_another_matcher_accept_the_example(tmp_path: Path) -> None:
    either = rule({"match": "regex", "regex": "^[A-Z]+$"}, {"match": "type"}, combine="OR")
    assert codes(tmp_path, {"code": "abc"}, {"body": {"$.code": either}}) == []
    both = rule({"match": "regex", "regex": "^[A-Z]+$"}, {"match": "type"})
    assert codes(tmp_path, {"code": "abc"}, {"body": {"$.code": both}}) == ["matcher.regex"]


def test_collection_matchers_stay_with_their_collection(tmp_path: Path) -> None:
    contains = rule({"match": "arrayContains", "variants": [{"index": 0, "rules": {}}]})
    assert codes(tmp_path, {"ids": [1, 2]}, {"body": {"$.ids": contains}}) == []
    keys = rule(
        {"match": "eachKey", "rules": [{"match": "regex", "regex": "^[a-z]+$"}]},
        {"match": "eachValue", "rules": [{"match": "type"}]},
    )
    assert codes(tmp_path, {"labels": {"size": "XL"}}, {"body": {"$.labels": keys}}) == []
    on_object = rule({"match": "arrayContains", "variants": []})
    assert codes(tmp_path, {"labels": {"size": "XL"}}, {"body": {"$.labels": on_object}}) == [
        "response.body.matcher"
    ]


def test_a_v2_wildcard_key_reaches_every_field(tmp_path: Path) -> None:
    rules = {"$.body.labels.*": {"match": "regex", "regex": "^[A-Z]+$"}}
    assert codes(tmp_path, {"labels": {"a": "OK", "b": "no"}}, rules, "2.0.0") == ["matcher.regex"]


def ruby_pact(tmp_path: Path, body: Any) -> Path:
    data = {"consumer": {"name": "c"}, "provider": {"name": "p"},
            "interactions": [{"description": "d", "provider_state": "s",
                              "request": {"method": "get", "path": "/things"},
                              "response": {"status": 200, "body": body}}],
            "metadata": {"pactSpecificationVersion": "1.0.0"}}  # fmt: skip
    path = tmp_path / "ruby.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_ruby_term_that_rejects_its_own_example_is_caught(tmp_path: Path) -> None:
    regexp = {"json_class": "Regexp", "o": 0, "s": "^\\d+$"}
    term = {"json_class": "Pact::Term", "data": {"generate": "abc", "matcher": regexp}}
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC_30), encoding="utf-8")
    pact = ruby_pact(tmp_path, {"code": term, "ids": {"json_class": "Pact::ArrayLike",
                                                      "contents": 7, "min": 3}})  # fmt: skip
    loaded = load_pact(pact)
    response = loaded.interactions[0].response
    assert response is not None
    assert response.body == {"code": "abc", "ids": [7, 7, 7]}
    assert loaded.interactions[0].request.body is ABSENT  # type: ignore[union-attr]
    result = check_project(adhoc_project(spec, [pact]))
    (finding,) = result.services[0].pacts[0].interactions[0].findings
    assert finding.code == "matcher.regex"
    assert finding.message == (
        "response body /code: the pact's regex matcher ^\\d+$ does not accept its own example 'abc'"
    )
    assert finding.pact.pointer == "/interactions/0/response/body/code"


def test_a_ruby_term_without_a_regex_is_refused_where_it_stands(tmp_path: Path) -> None:
    broken = {"json_class": "Pact::Term", "data": {"generate": "abc", "matcher": {"o": 0}}}
    with pytest.raises(InputError) as caught:
        load_pact(ruby_pact(tmp_path, {"code": broken}))
    assert caught.value.message == "regex matcher has no 'regex' string"
    assert caught.value.place is not None
    assert caught.value.place.endswith("(at /interactions/0/response/body/code/data/matcher)")
