"""`contractgate lint` on a corpus of broken inputs: exit code, one clear line, the place.

Small inputs live in tests/lint_corpus/; big or odd ones (50 MB, binary, other
encodings, a unicode file name, a missing file, a directory) are written at test time.
Each case runs the real command and asserts the exit code, the key words of the
problem's line, the place it names and that no traceback is printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from contractgate.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "lint_corpus"
FIFTY_MB = 50 * 1024 * 1024
SUMMARY = re.compile(r"\d+ files?, (no problems|\d+ errors?(, \d+ warnings?)?|\d+ warnings?)")


@dataclass(frozen=True)
class Case:
    """A broken input and what lint must say about it."""

    name: str
    """The path given to lint: relative to the corpus, or a file ``make`` writes."""
    words: tuple[str, ...]
    place: str | None
    """``line:col`` or a TOML key; None when the problem is with the whole file."""
    code: int = 2
    severity: str = "error"
    shown: str | None = None
    """The file the problem names, when not ``name`` (a file a spec or config refers to)."""
    make: Callable[[Path], None] | None = None
    env: dict[str, str] = field(default_factory=dict)


def _bytes(data: bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(data)

    return make


def _text(text: str) -> Callable[[Path], None]:
    return _bytes(text.encode("utf-8"))


def _fifty_mb_pact(path: Path) -> None:
    """A 50 MB pact whose closing brackets are missing."""
    item = json.dumps(
        {
            "description": "a request",
            "request": {"method": "GET", "path": "/x"},
            "response": {"status": 200, "body": "y" * 40},
        }
    )
    count = FIFTY_MB // (len(item) + 2) + 1
    head = '{"consumer": {"name": "a"}, "provider": {"name": "b"}, "interactions": [\n'
    path.write_text(head + ",\n".join([item] * count) + "\n", encoding="utf-8")


def _alias_bomb(path: Path) -> None:
    lines = ["openapi: 3.1.0", 'info: {title: laughs, version: "1"}', "paths: {}"]
    lines.append("x-a: &a [" + ", ".join(["lol"] * 9) + "]")
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"x-{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _directory(path: Path) -> None:
    path.mkdir()


MISSING_INFO = "openapi: 3.1.0\npaths: {}\n"

CASES = [
    # -- reading and parsing --------------------------------------------------------------
    Case("malformed.yaml", ("invalid YAML", "mapping values are not allowed"), "4:11"),
    Case("malformed.json", ("invalid JSON", "double quotes"), "5:1"),
    Case("tabs.yaml", ("invalid YAML", "tabs"), "3:1"),
    Case("top-level-list.yaml", ("expected an object at the top level", "a list"), "1:1"),
    Case(
        "unknown-kind.yaml", ("cannot tell what this file is", "OpenAPI", "Pact", "scenario"), "1:1"
    ),
    Case("empty.yaml", ("file is empty",), None),
    Case("whitespace.yaml", ("file is empty",), None),
    Case("binary.yaml", ("binary data",), None, make=_bytes(bytes(range(256)) * 4)),
    Case(
        "latin-1.yaml",
        ("not UTF-8", "0xe9"),
        "3:13",
        make=_bytes("openapi: 3.1.0\ninfo:\n  title: Caf\u00e9\n".encode("latin-1")),
    ),
    Case("utf-16.yaml", ("UTF-16",), None, make=_bytes("openapi: 3.1.0\n".encode("utf-16"))),
    Case("spéc ✓.yaml", ("required field 'info' is missing",), "1:1", make=_text(MISSING_INFO)),
    Case("missing.yaml", ("no such file",), None),
    Case("specs", ("is a directory",), None, make=_directory),
    Case(
        "fifty-mb.json",
        ("50.0 MB", "over the 40 MB limit", "CONTRACTGATE_MAX_FILE_MB"),
        None,
        make=_fifty_mb_pact,
        env={"CONTRACTGATE_MAX_FILE_MB": "40"},
    ),
    Case("fifty-mb-truncated.json", ("invalid JSON", "delimiter"), "338253:1", make=_fifty_mb_pact),
    Case(
        "deep.json",
        ("nested too deeply",),
        None,
        make=_text('{"openapi": "3.1.0", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ),
    Case("laughs.yaml", ("YAML aliases", "1,000,000 values"), None, make=_alias_bomb),
    # -- OpenAPI ---------------------------------------------------------------------------
    Case("openapi-missing-info.yaml", ("required field 'info' is missing",), "1:1"),
    Case("openapi-missing-version.json", ("'info'", "required field 'version' is missing"), "3:11"),
    Case("openapi-bad-response-key.yaml", ("'ok' is not a response status code", "'4XX'"), "11:9"),
    Case("openapi-parameter-without-in.yaml", ("required field 'in' is missing",), "9:11"),
    Case("swagger-2.0-parameter-without-in.yaml", ("required field 'in' is missing",), "9:11"),
    Case(
        "openapi-parameter-bad-in.yaml",
        ("'in' is 'body'", "path, query, header, cookie", "requestBody"),
        "10:15",
    ),
    Case(
        "openapi-unknown-field.yaml",
        ("unknown field 'respones'", "did you mean 'responses'"),
        "9:7",
    ),
    Case(
        "openapi-unresolvable-ref.yaml", ("'#/components/schemas/Usr'", "does not resolve"), "19:17"
    ),
    Case(
        "openapi-ref-missing-file.yaml",
        ("schemas/users.yaml", "names a file that does not exist"),
        "14:17",
    ),
    Case(
        "openapi-ref-to-broken-file.yaml", ("invalid YAML",), "4:1", shown="fragments/broken.yaml"
    ),
    Case(
        "openapi-circular-ref.yaml",
        ("$ref cycle", "#/components/schemas/UserList -> #/components/schemas/Users ->"),
        "20:7",
    ),
    Case("openapi-undeclared-path-parameter.yaml", ("path parameter 'id'", "not declared"), "8:7"),
    Case(
        "openapi-duplicate-operation-id.yaml", ("operationId 'listUsers'", "already used"), "14:20"
    ),
    Case("openapi-bad-schema-type.yaml", ("'strng'", "not one of", "string"), "12:17"),
    Case(
        "openapi-properties-not-an-object.yaml",
        ("'properties' must be an object", "a number (3)"),
        "21:19",
    ),
    Case("openapi-version-number.yaml", ("'openapi' must be a string", '"3.1.0"'), "1:10"),
    Case("openapi-4.0.yaml", ("OpenAPI version '4.0.0' is not supported", "3.1.x"), "1:10"),
    Case("swagger-1.2.json", ("Swagger 1.2 is not supported",), "3:21"),
    # -- Pact ------------------------------------------------------------------------------
    Case(
        "pact-unknown-spec-version.json", ("unknown pact specification version '5.0.0'",), "53:18"
    ),
    Case("pact-no-interactions.json", ("the pact has no interactions",), "8:19"),
    Case("pact-unknown-matcher.json", ("unknown matcher 'fuzzy'", "regex"), "41:28"),
    Case("pact-bad-regex.json", ("regex '^[a-z+$' does not compile",), "42:28"),
    Case("pact-negative-min.json", ("min must be a whole number >= 0",), "42:26"),
    Case("pact-missing-provider-name.json", ("no provider name",), "1:1"),
    Case(
        "pact-status-not-a-number.json", ("response status '200' is not a number", "200"), "21:19"
    ),
    Case("pact-bad-method.json", ("request method 'FETCH' is not an HTTP method", "GET"), "17:19"),
    Case(
        "pact-v2-rules-in-v4.json", ("V2-style matching rule key '$.body.username'", "V4"), "36:11"
    ),
    Case("pact-v3-rules-in-v2.json", ("V3-style matching rules 'body'", "V2"), "22:11"),
    Case(
        "pact-duplicate-interaction.json",
        ("repeats interaction 0",),
        "51:22",
        code=0,
        severity="warning",
    ),
    # -- scenarios (the stubs engine's own loader) ------------------------------------------
    Case("scenarios-bad-rate.yaml", ("rate '20%' is not between 0 and 1",), "8:15"),
    # -- configuration ---------------------------------------------------------------------
    Case(
        "config/unknown-key.toml",
        ("unknown key 'spce'", "did you mean 'spec'"),
        "services.user-service.spce",
    ),
    Case(
        "config/service-without-spec.toml",
        ("service 'user-service' has no spec",),
        "services.user-service",
    ),
    Case(
        "config/command-and-base-url.toml",
        ("exactly one of command or base_url",),
        "services.user-service.provider",
    ),
    Case(
        "config/spec-missing.toml",
        ("spec file", "no-such-spec.yaml", "does not exist"),
        "services.user-service.spec",
    ),
    Case(
        "config/unset-env-header.toml",
        ("CONTRACTGATE_LINT_UNSET_TOKEN is not set", ":-default"),
        "services.user-service.headers.Authorization",
    ),
    Case("config/invalid-syntax.toml", ("invalid TOML",), "2:37"),
    Case(
        "config/names-broken-spec.toml",
        ("required field 'info' is missing",),
        "1:1",
        shown="openapi-missing-info.yaml",
    ),
    Case(
        "config/pacts-match-nothing.toml",
        ("'../no-pacts-here/*.json' matches no file",),
        "pacts",
        code=0,
        severity="warning",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_input(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path if case.make or case.name == "missing.yaml" else CORPUS
    if case.make:
        case.make(tmp_path / case.name)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("CONTRACTGATE_LINT_UNSET_TOKEN", raising=False)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)

    code = main(["lint", case.name])

    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert err == ""
    shown = case.shown or case.name
    where = f"{shown}:{case.place}" if case.place else shown
    prefix = f"{where}: {case.severity}: "
    lines = out.splitlines()
    found = [line for line in lines if line.startswith(prefix)]
    assert found, f"no line starts with {prefix!r} in:\n{out}"
    for word in case.words:
        assert word in found[0], f"{word!r} missing from {found[0]!r}"
    assert code == case.code
    errors = sum(": error: " in line for line in lines)
    assert (errors == 0) == (case.code == 0)
    assert SUMMARY.fullmatch(lines[-1]), lines[-1]


def test_corpus_has_every_committed_input() -> None:
    """Every broken file committed to the corpus has a case (no file silently unused)."""
    named = {c.name for c in CASES} | {c.shown for c in CASES if c.shown}
    committed = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.parent.name != "valid"
    }
    assert committed <= named, sorted(committed - named)
    assert len(CASES) >= 25
