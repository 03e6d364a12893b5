"""``line:col`` of JSON pointers, fast for JSON files.

:meth:`Document.locate` composes the whole file as YAML nodes on first use: fine for
a spec, but seconds per megabyte, and pacts of 10,000 interactions weigh 15 MB. For
JSON text, :class:`Locator` walks down the pointer with the C JSON scanner instead,
remembering where each container's children start, so every finding after the
first costs a few small scans. Other documents (YAML) use ``Document.locate``.
"""

from __future__ import annotations

import bisect
import json
import re

from .._documents import Document, split_pointer
from ._results import Location

_SPACE = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()


class _JsonText:
    """Offsets of values in one JSON text, found on demand and kept."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._children: dict[int, dict[str, int]] = {}
        self._lines: list[int] | None = None

    def offset(self, pointer: str) -> int:
        """Where the value at ``pointer`` starts (its deepest existing parent if missing)."""
        pos = self._skip(0)
        for part in split_pointer(pointer):
            child = self._scan(pos).get(part)
            if child is None:
                break
            pos = child
        return pos

    def line_col(self, offset: int) -> tuple[int, int]:
        if self._lines is None:
            self._lines = [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._lines, offset)
        start = self._lines[line - 1] if line else 0
        return line + 1, offset - start + 1

    def _skip(self, pos: int) -> int:
        match = _SPACE.match(self.text, pos)
        return match.end() if match else pos

    def _scan(self, pos: int) -> dict[str, int]:
        """The children of the object or array at ``pos``, by key or index (as text)."""
        cached = self._children.get(pos)
        if cached is not None:
            return cached
        children: dict[str, int] = {}
        text, opener = self.text, self.text[pos : pos + 1]
        if opener in ("{", "["):
            closer, index, at = ("}" if opener == "{" else "]"), 0, self._skip(pos + 1)
            while at < len(text) and text[at] != closer:
                if opener == "{":
                    name, at = _decoder.raw_decode(text, at)  # the key, a JSON string
                    key = str(name)
                    at = self._skip(self._skip(at) + 1)  # past the colon
                else:
                    key, index = str(index), index + 1
                children[key] = at
                _, at = _decoder.raw_decode(text, at)
                at = self._skip(at)
                if text[at : at + 1] == ",":
                    at = self._skip(at + 1)
        self._children[pos] = children
        return children


class Locator:
    """Turns (document, pointer) into a :class:`Location`; one per check run."""

    def __init__(self) -> None:
        self._json: dict[int, _JsonText] = {}

    def locate(self, document: Document, pointer: str) -> Location:
        """The :class:`Location` of ``pointer`` in ``document``, with ``line:col``."""
        if document.format == "json":
            scanner = self._json.get(id(document))
            if scanner is None:
                scanner = self._json[id(document)] = _JsonText(document.text)
            try:
                line, column = scanner.line_col(scanner.offset(pointer))
            except ValueError:  # the text is not the JSON the document was parsed from
                return Location(document.source, pointer)
            return Location(document.source, pointer, line, column)
        where = document.locate(pointer)
        line_text, _, column_text = (where or "").partition(":")
        return Location(
            document.source,
            pointer,
            int(line_text) if line_text else None,
            int(column_text) if column_text else None,
        )
