"""Reading user files: refusals with file and place, JSON pointers, positions, YAML typing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contractgate import InputError
from contractgate._documents import (
    json_pointer,
    load_document,
    max_file_bytes,
    parse_document,
    read_text,
    split_pointer,
    walk,
)


def error_of(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_document(path)
    return info.value


# -- pointers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "pointer"),
    [
        ((), ""),
        (("paths", "/users/{id}", "get"), "/paths/~1users~1{id}/get"),
        (("a~b", "c/d~1"), "/a~0b/c~1d~01"),
        (("responses", 200), "/responses/200"),
        (("",), "/"),
    ],
)
def test_pointer_escaping_round_trips(parts: tuple[str | int, ...], pointer: str) -> None:
    assert json_pointer(parts) == pointer
    assert split_pointer(pointer) == [str(p) for p in parts]


# -- positions -------------------------------------------------------------------------

YAML_SPEC = """\
openapi: 3.1.0
paths:
  /users/{id}:
    get:
      parameters:
        - name: id
          in: path
      responses:
        200:
          description: ok
"""


def test_locate_values_keys_and_items() -> None:
    doc = parse_document("spec.yaml", YAML_SPEC)
    assert doc.locate("") == "1:1"
    assert doc.locate("/paths/~1users~1{id}/get") == "5:7"
    assert doc.locate("/paths/~1users~1{id}/get", key=True) == "4:5"
    assert doc.locate("/paths/~1users~1{id}/get/parameters/0/in") == "7:15"
    assert doc.locate("/paths/~1users~1{id}/get/responses/200/description") == "10:24"


def test_locate_stops_at_the_nearest_existing_parent() -> None:
    doc = parse_document("spec.yaml", YAML_SPEC)
    assert doc.locate("/paths/~1users~1{id}/get/parameters/7") == "6:9"
    assert doc.locate("/paths/~1users~1{id}/post/responses") == "4:5"
    assert doc.locate("/nope", key=True) == "1:1"


def test_locate_in_json() -> None:
    text = json.dumps({"interactions": [{"request": {"method": "GET"}}]}, indent=2)
    doc = parse_document("pact.json", text)
    assert doc.format == "json"
    assert doc.locate("/interactions/0/request/method") == "5:19"


def test_place_and_error() -> None:
    doc = parse_document("spec.yaml", YAML_SPEC)
    assert doc.place("/openapi") == "1:10 (at /openapi)"
    error = doc.error("bad", "/openapi", hint="fix it")
    assert str(error) == "spec.yaml:1:10 (at /openapi): bad (fix it)"
    assert error.exit_code == 2


def test_place_without_position_is_the_pointer() -> None:
    """JSON that YAML cannot compose (an escaped emoji, a surrogate pair): pointers then."""
    doc = parse_document("pact.json", '{"a": "\\ud83d\\ude00"}')
    assert doc.data == {"a": "\U0001f600"}
    assert doc.locate("/a") is None
    assert doc.place("/a") == "/a"
    assert doc.place("") == "/"


# -- YAML typing -----------------------------------------------------------------------


def test_yaml_keeps_timestamps_as_strings_and_keys_as_text() -> None:
    doc = parse_document(
        "x.yaml",
        "example: 2025-01-15\nwhen: 2025-01-15T09:30:00Z\nresponses:\n"
        "  200: ok\n  4XX: bad\n  true: yes\n  null: none\n  1.5: half\n",
    )
    assert doc.data["example"] == "2025-01-15"
    assert doc.data["when"] == "2025-01-15T09:30:00Z"
    assert doc.data["responses"] == {
        "200": "ok",
        "4XX": "bad",
        "true": True,
        "null": "none",
        "1.5": "half",
    }


def test_json_is_parsed_as_json() -> None:
    doc = parse_document("x.json", '{"a": 1e400, "b": "2025-01-15"}')
    assert doc.format == "json"
    assert doc.data["b"] == "2025-01-15"


def test_json_looking_yaml_falls_back_to_yaml() -> None:
    doc = parse_document("x.yaml", "{a: 1, b: [x]}")
    assert (doc.format, doc.data) == ("yaml", {"a": 1, "b": ["x"]})


# -- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message", "place"),
    [
        (b"", "file is empty", None),
        (b" \n\t\n", "file is empty", None),
        (b"\x00\x01\x02binary", "is binary data, not YAML or JSON text", None),
        ("a: 1\n".encode("utf-16"), "is UTF-16 text", None),
        (b"a: 1\nb: caf\xe9\n", "is not UTF-8 text (byte 0xe9)", "2:7"),
        (b"- 1\n- 2\n", "expected an object at the top level, found a list", "1:1"),
        (b"just text\n", "expected an object at the top level, found a string", "1:1"),
        (b"a:\n\tb: 1\n", "invalid YAML: while scanning for the next token", "2:1"),
        (b"a: [1, 2\nb: 3\n", "invalid YAML: while parsing a flow sequence", "2:2"),
    ],
    ids=["empty", "blank", "binary", "utf16", "latin1", "list", "scalar", "tab", "unclosed"],
)
def test_refusals(tmp_path: Path, content: bytes, message: str, place: str | None) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(content)
    error = error_of(path)
    assert error.message.startswith(message)
    assert (error.source, error.place) == (str(path), place)


def test_tab_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a:\n\tb: 1\n", encoding="utf-8")
    assert error_of(path).hint == "indent with spaces: YAML does not allow tabs there"


def test_invalid_json_place(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text('{\n  "a": 1,\n}\n', encoding="utf-8")
    error = error_of(path)
    assert error.message == "invalid JSON: Expecting property name enclosed in double quotes"
    assert error.place == "3:1"


def test_json_nested_too_deeply(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    assert error_of(path).message == "invalid JSON: nested too deeply"


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a: &a [" + ", ".join(["x"] * 10) + "]"]
    for previous, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    path = tmp_path / "f.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert error_of(path).message == "YAML aliases (*name) expand this file past 1,000,000 values"


def test_yaml_aliases_that_do_not_multiply_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("base: &b {type: string}\nuse: *b\nstar: '*/*'\n", encoding="utf-8")
    assert load_document(path).data["use"] == {"type": "string"}


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = error_of(tmp_path / "nope.yaml")
    assert (missing.message, missing.hint) == ("no such file", "check the path")
    folder = error_of(tmp_path)
    assert folder.message == "is a directory, not a file"


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (2 * 1024 * 1024) + b"\n")
    monkeypatch.setenv("CONTRACTGATE_MAX_FILE_MB", "1")
    error = error_of(path)
    assert error.message == "file is 2.0 MB, over the 1 MB limit"
    assert "CONTRACTGATE_MAX_FILE_MB" in (error.hint or "")
    monkeypatch.setenv("CONTRACTGATE_MAX_FILE_MB", "3")
    assert len(read_text(path)[1]) > 2 * 1024 * 1024


def test_size_limit_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONTRACTGATE_MAX_FILE_MB", raising=False)
    assert max_file_bytes() == 64 * 1024 * 1024
    monkeypatch.setenv("CONTRACTGATE_MAX_FILE_MB", "0.5")
    assert max_file_bytes() == 512 * 1024
    monkeypatch.setenv("CONTRACTGATE_MAX_FILE_MB", "lots")
    with pytest.raises(InputError, match="is not a number"):
        max_file_bytes()


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes("\ufeffa: 1\n".encode())
    assert load_document(path).data == {"a": 1}


def test_walk_visits_everything_depth_first() -> None:
    assert list(walk({"a": [1, {"b": 2}]})) == [
        ((), {"a": [1, {"b": 2}]}),
        (("a",), [1, {"b": 2}]),
        (("a", 0), 1),
        (("a", 1), {"b": 2}),
        (("a", 1, "b"), 2),
    ]
