"""Reading the user's YAML and JSON files, with positions for error messages.

Every user file goes through :func:`load_document`: it refuses what is not a text
document (missing, a directory, empty, binary, not UTF-8, too large, malformed) with
one :class:`InputError` naming the file and the line, and keeps the text so that a
JSON pointer found wrong later can be turned back into ``line:col``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import yaml

from ._errors import InputError

DEFAULT_MAX_MB = 64
_MAX_MB_ENV = "CONTRACTGATE_MAX_FILE_MB"
_MAX_EXPANDED = 1_000_000  # objects and lists a YAML file may expand to through aliases


def max_file_bytes() -> int:
    """The largest file contractgate reads, from ``CONTRACTGATE_MAX_FILE_MB`` (default 64)."""
    raw = os.environ.get(_MAX_MB_ENV, "")
    try:
        mb = float(raw) if raw else DEFAULT_MAX_MB
    except ValueError:
        raise InputError(
            f"{_MAX_MB_ENV}={raw!r} is not a number", hint="set it to a size in megabytes"
        ) from None
    return int(mb * 1024 * 1024)


def json_pointer(parts: Iterable[str | int]) -> str:
    """Join path parts into an RFC 6901 JSON pointer (``""`` is the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def split_pointer(pointer: str) -> list[str]:
    """Split an RFC 6901 JSON pointer into its unescaped parts."""
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


class _Loader(yaml.CSafeLoader):
    """Safe YAML loading that keeps what JSON Schema means.

    Timestamps stay strings (``2025-01-01`` is a string in a JSON Schema example, not a
    date) and mapping keys are always strings (an unquoted ``200:`` response code).
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if all(isinstance(k, str) for k in mapping):
            return mapping
        return {_key_text(k): v for k, v in mapping.items()}


def _key_text(key: object) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    _Loader.construct_yaml_str,  # type: ignore[type-var]
)


@dataclass
class Document:
    """A parsed user file: its data plus what is needed to point back into its text."""

    source: str
    data: Any
    text: str = field(repr=False)
    format: str = "yaml"
    _nodes: yaml.Node | None = field(default=None, repr=False)
    _composed: bool = field(default=False, repr=False)

    def locate(self, pointer: str, *, key: bool = False) -> str | None:
        """``line:col`` (1-based) of the value at ``pointer``, or None when it is not found.

        With ``key``, the place of the mapping key that names the value instead (where an
        unknown or misspelled field is best shown).
        """
        node = self._root()
        if node is None:
            return None
        parts = split_pointer(pointer)
        for depth, part in enumerate(parts, 1):
            child = _child(node, part, key=key and depth == len(parts))
            if child is None:
                break
            node = child
        mark = node.start_mark
        return f"{mark.line + 1}:{mark.column + 1}"

    def place(self, pointer: str) -> str:
        """A place for a message: ``line:col`` where known, then the pointer."""
        where = self.locate(pointer)
        shown = pointer or "/"
        return f"{where} (at {shown})" if where else shown

    def error(self, message: str, pointer: str, *, hint: str | None = None) -> InputError:
        """An :class:`InputError` at ``pointer`` in this document."""
        return InputError(message, source=self.source, place=self.place(pointer), hint=hint)

    def _root(self) -> yaml.Node | None:
        if not self._composed:
            self._composed = True
            try:
                self._nodes = yaml.compose(self.text, Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                self._nodes = None
        return self._nodes


def _child(node: yaml.Node, part: str, *, key: bool = False) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if isinstance(name, yaml.ScalarNode) and name.value == part:
                return name if key else value
        return None
    if isinstance(node, yaml.SequenceNode) and part.isdigit():
        items: list[yaml.Node] = node.value
        index = int(part)
        return items[index] if index < len(items) else None
    return None


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")


def local_path(location: str | Path) -> str:
    """Where a user's file is, as a local path: a ``file:`` URL becomes its path.

    Other URLs (``https://...``) are refused: contractgate reads local files only, so
    that a check never waits on a network.
    """
    text = str(location)
    found = _SCHEME.match(text)
    if found is None or len(found.group(1)) == 1:  # no scheme, or a Windows drive letter
        return text
    if found.group(1).lower() != "file":
        raise InputError(
            "is a URL; contractgate reads local files only",
            source=text,
            hint=f"download it first (curl -fsSLo spec.yaml '{text}') and give the file",
        )
    parts = urlsplit(text)
    if parts.netloc not in ("", "localhost"):
        raise InputError(
            f"names a file on another host ({parts.netloc})",
            source=text,
            hint="use file:///absolute/path, or a plain path",
        )
    return url2pathname(unquote(parts.path))


def read_text(path: str | Path) -> tuple[str, str]:
    """Read a user file (a path or a ``file:`` URL) as text: ``(display name, text)``,
    or an :class:`InputError`."""
    source = local_path(path)
    p = Path(source)
    if not p.exists():
        raise InputError("no such file", source=source, hint="check the path")
    if p.is_dir():
        raise InputError("is a directory, not a file", source=source, hint="name a file in it")
    try:
        size = p.stat().st_size
        limit = max_file_bytes()
        if size > limit:
            raise InputError(
                f"file is {size / 1048576:.1f} MB, over the {limit / 1048576:.0f} MB limit",
                source=source,
                hint=f"raise the limit with {_MAX_MB_ENV}=<megabytes> if the file is right",
            )
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", source=source) from None
    if not raw.strip():
        raise InputError("file is empty", source=source, hint="give a YAML or JSON document")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("is UTF-16 text", source=source, hint="save it as UTF-8")
    if b"\x00" in raw[:8192]:
        raise InputError(
            "is binary data, not YAML or JSON text", source=source, hint="check the path"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            source=source,
            place=f"{line}:{col}",
            hint="save it as UTF-8",
        ) from None
    return source, text


def parse_document(source: str, text: str) -> Document:
    """Parse ``text`` as JSON (when it looks like JSON) or YAML into a :class:`Document`."""
    looks_json = source.lower().endswith(".json") or text.lstrip()[:1] in ("{", "[")
    if looks_json:
        try:
            return Document(source, json.loads(text), text, "json")
        except json.JSONDecodeError as exc:
            if source.lower().endswith(".json"):
                raise InputError(
                    f"invalid JSON: {exc.msg}", source=source, place=f"{exc.lineno}:{exc.colno}"
                ) from None
        except RecursionError:
            raise InputError(
                "invalid JSON: nested too deeply", source=source, hint="nest at most 500 levels"
            ) from None
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f"{mark.line + 1}:{mark.column + 1}" if mark else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        tab = mark is not None and text[mark.index : mark.index + 1] == "\t"
        hint = "indent with spaces: YAML does not allow tabs there" if tab else None
        raise InputError(
            f"invalid YAML: {problem}", source=source, place=place, hint=hint
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", source=source) from None
    if "&" in text and "*" in text:
        _refuse_alias_bombs(source, data)
    return Document(source, data, text, "yaml")


def _refuse_alias_bombs(source: str, data: Any) -> None:
    """Refuse YAML whose aliases multiply it ("billion laughs"): walking it would not end."""
    seen: set[int] = set()
    walked = 0
    stack = [data]
    while stack and walked <= _MAX_EXPANDED:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        else:
            continue
        walked += 1
        seen.add(id(node))
    if walked > _MAX_EXPANDED and walked > 2 * len(seen):
        raise InputError(
            f"YAML aliases (*name) expand this file past {_MAX_EXPANDED:,} values",
            source=source,
            hint="write the repeated parts out, or use $ref",
        )


def load_document(path: str | Path) -> Document:
    """Read and parse a YAML or JSON user file; the top level must be an object."""
    source, text = read_text(path)
    doc = parse_document(source, text)
    if not isinstance(doc.data, dict):
        found = type(doc.data).__name__ if doc.data is not None else "nothing"
        raise InputError(
            f"expected an object at the top level, found {_kind(doc.data) or found}",
            source=source,
            place="1:1",
        )
    return doc


def _kind(value: object) -> str:
    return {
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
    }.get(type(value), "")


def walk(
    data: Any, prefix: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) pair under ``data``, depth first, the root included."""
    yield prefix, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, (*prefix, index))
