"""``check`` beside PactFlow's open engines: same verdicts, or a difference it means to make.

Each case of ``tests/parity_corpus`` holds a spec, pact files and ``verdicts.json``:
per interaction, contractgate's expected verdict and findings (code and pointer into
the pact), and what ``@pactflow/openapi-pact-comparator`` (the engine behind PactFlow's
bi-directional contract testing) and its predecessor ``swagger-mock-validator`` said,
recorded by ``benchmarks/parity_verdicts.py`` from a run of the real tools. Where
contractgate's verdict is not the comparator's, the interaction names one of the
deliberate differences below (the README lists them with the reasons); nowhere else.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from contractgate._project import adhoc_project
from contractgate.check import RULES, InteractionResult, check_project

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "parity_corpus"

# Where contractgate decides otherwise than the comparator, and why (README: "Parity").
DIFFERENCES = {
    "servers": "the base path of OpenAPI 3 servers is read (the peers read basePath only)",
    "media-suffix": "a body of application/problem+json is not one of application/json",
    "undocumented-query": "an undocumented query parameter fails: the provider ignores it",
    "unexpected-body": "a body sent to an operation that takes none fails: it is ignored",
    "additional-properties": "additionalProperties: true documents every key",
    "read-write-only": "readOnly fields sent, writeOnly fields expected, fail",
    "security-and": "every scheme of one security requirement must be present",
    "oauth2": "OAuth 2 and OpenID Connect need an Authorization header",
    "cookie-api-key": "an API key in a cookie needs the cookie",
    "x-nullable": "Swagger 2.0's x-nullable allows null",
    "form-values": "form fields are typed by their schema before they are validated",
    "header-collection-format": "Swagger 2.0's collectionFormat splits header arrays too",
    "form-data": "Swagger 2.0 formData parameters are checked",
    "client-error-requests": "a 4XX interaction's request findings are warnings",
    "server-error-requests": "a 5XX interaction's request is checked like any other",
    "matchers": "matchers are read, not only their examples",
    "discriminator-without-mapping": "a discriminator without a mapping is followed (peers crash)",
    "ruby-v1-matchers": "pact-ruby's inline V1 matchers are read (the comparator refuses them)",
    "not-applicable": "a message or plugin interaction is not applicable, not passed",
}

# Every code the peers report, and the contractgate codes that report the same thing
# (README: "Rule mapping"); an empty tuple: contractgate says nothing, deliberately.
PEER_CODES: dict[str, tuple[str, ...]] = {
    "request.path-or-method.unknown": (
        "request.path.unknown",
        "request.method.unknown",
        "request.path.value",
    ),
    "request.authorization.missing": ("request.security.missing",),
    "request.accept.incompatible": ("request.accept.mismatch",),
    "request.accept.unknown": (),
    "request.content-type.incompatible": ("request.content-type.mismatch",),
    "request.content-type.missing": (),
    "request.content-type.unknown": ("request.body.unexpected",),
    "request.header.incompatible": ("request.header.value", "request.header.required"),
    "request.header.unknown": ("request.header.undocumented",),
    "request.query.incompatible": ("request.query.value", "request.query.required"),
    "request.query.unknown": ("request.query.undocumented",),
    "request.body.incompatible": (
        *(f"request.body.{kind}" for kind in ("type", "enum", "pattern", "format")),
        *(f"request.body.{kind}" for kind in ("constraint", "schema", "undocumented")),
        "request.body.required",
        "request.body.missing",
        "request.body.read-only",
        "request.content-type.mismatch",
    ),
    "request.body.unknown": ("request.body.unexpected",),
    "request.body.unvalidatable": (),
    "response.status.unknown": ("response.status.unknown",),
    "response.status.default": ("response.status.default",),
    "response.header.incompatible": ("response.header.value",),
    "response.header.unknown": ("response.header.undocumented",),
    "response.header.undefined": ("response.header.standard",),
    "response.content-type.incompatible": ("response.content-type.mismatch",),
    "response.content-type.unknown": ("response.body.unexpected",),
    "response.body.incompatible": (
        *(f"response.body.{kind}" for kind in ("type", "enum", "pattern", "format")),
        *(f"response.body.{kind}" for kind in ("constraint", "schema", "undocumented")),
        "response.body.write-only",
        "response.content-type.mismatch",
    ),
    "response.body.unknown": ("response.body.unexpected",),
    "response.body.unvalidatable": (),
}


def _cases() -> list[tuple[str, str]]:
    return [
        (folder.name, name)
        for folder in sorted(CORPUS.iterdir())
        if (folder / "verdicts.json").is_file()
        for name in sorted(_record(folder.name)["pacts"])
    ]


@cache
def _record(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / case / "verdicts.json").read_text("utf-8"))
    return data


def _spec(case: str) -> Path:
    (spec,) = (CORPUS / case).glob("spec.*")
    return spec


def _checked(case: str, pact: str) -> list[InteractionResult]:
    result = check_project(adhoc_project(_spec(case), [CORPUS / case / pact]))
    (service,) = result.services
    (pact_result,) = service.pacts
    return pact_result.interactions


def _findings(interaction: InteractionResult) -> list[str]:
    return [f"{f.severity} {f.code} @ {f.pact.pointer}" for f in interaction.findings]


@pytest.mark.parametrize(("case", "pact"), _cases())
def test_contractgate_gives_the_recorded_verdict_and_findings(case: str, pact: str) -> None:
    recorded = _record(case)["pacts"][pact]
    checked = _checked(case, pact)
    assert [i.description for i in checked] == [e["description"] for e in recorded]
    for interaction, entry in zip(checked, recorded, strict=True):
        expected = entry["contractgate"]
        got = {"verdict": interaction.verdict, "findings": _findings(interaction)}
        assert got == expected, entry["description"]


@pytest.mark.parametrize(("case", "pact"), _cases())
def test_a_verdict_differs_from_the_comparator_only_where_a_difference_is_named(
    case: str, pact: str
) -> None:
    for entry in _record(case)["pacts"][pact]:
        ours, theirs = entry["contractgate"]["verdict"], entry["comparator"]["verdict"]
        if ours == theirs:
            assert "differs" not in entry, entry["description"]
        else:
            assert entry.get("differs") in DIFFERENCES, entry["description"]


def _entries() -> list[dict[str, Any]]:
    return [e for case, pact in _cases() for e in _record(case)["pacts"][pact]]


def test_every_named_difference_is_shown_by_the_corpus() -> None:
    assert {e["differs"] for e in _entries() if "differs" in e} == set(DIFFERENCES)


def test_the_corpus_covers_every_rule_of_the_comparator() -> None:
    seen = {
        code
        for entry in _entries()
        for peer in ("comparator", "smv")
        for code in entry[peer].get("errors", []) + entry[peer].get("warnings", [])
    }
    assert seen == set(PEER_CODES)


def test_the_rule_mapping_names_real_codes() -> None:
    for codes in PEER_CODES.values():
        assert set(codes) <= set(RULES)


def test_where_both_find_errors_contractgate_reports_the_mapped_rule() -> None:
    for entry in _entries():
        ours = {f.split(" ")[1] for f in entry["contractgate"]["findings"]}
        if entry["contractgate"]["verdict"] != "failed" or "differs" in entry:
            continue
        for code in entry["comparator"].get("errors", []):
            assert ours & set(PEER_CODES[code]), (entry["description"], code, ours)


def test_both_peers_versions_are_recorded() -> None:
    for case, _ in _cases():
        peers = _record(case)["peers"]
        assert peers["comparator"] == "2.3.1"
        assert peers["smv"] == "14.5.0"


def test_a_peer_that_cannot_read_a_case_is_recorded_as_crashed_with_its_words() -> None:
    (entry, *_) = _record("discriminator-without-mapping")["pacts"]["pact.json"]
    assert entry["comparator"] == {
        "verdict": "crashed",
        "message": 'discriminator: "properties/kind" must have "const" or "enum"',
    }
    assert entry["contractgate"]["verdict"] == "passed"
