"""What lint found: problems per file, and the report over all files."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .._documents import Document
from .._errors import InputError

Severity = Literal["error", "warning"]
Kind = Literal["openapi", "pact", "config", "scenarios", "unknown"]

# Document.place() writes "line:col (at /pointer)"; TOML places are dotted keys.
_PLACE = re.compile(r"(?P<line>\d+:\d+)(?: \(at (?P<pointer>.*)\))?")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, and where.

    ``place`` is ``line:col`` in YAML and JSON files, a dotted key in TOML files, or
    None when the problem is with the file as a whole; ``pointer`` is the JSON pointer
    of the value, where known.
    """

    source: str
    message: str
    place: str | None = None
    pointer: str | None = None
    hint: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = ":".join(part for part in (self.source, self.place) if part)
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "place": self.place,
            "pointer": self.pointer,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }

    @classmethod
    def from_error(cls, error: InputError, severity: Severity = "error") -> Problem:
        """The problem an :class:`InputError` of the core loaders describes."""
        place, pointer = error.place, None
        if place:
            m = _PLACE.fullmatch(place)
            if m:
                place, pointer = m.group("line"), m.group("pointer")
            elif place.startswith("/"):
                place, pointer = None, place
        pointer = "" if pointer == "/" else pointer
        return cls(
            source=display_path(error.source or ""),
            message=error.message,
            place=place,
            pointer=pointer,
            hint=error.hint,
            severity=severity,
        )

    @classmethod
    def at(
        cls,
        document: Document,
        message: str,
        pointer: str,
        hint: str | None = None,
        *,
        at_key: bool = False,
        severity: Severity = "error",
    ) -> Problem:
        """A problem at ``pointer`` in ``document`` (``at_key``: at the key that names it)."""
        return cls(
            source=display_path(document.source),
            message=message,
            place=document.locate(pointer, key=at_key),
            pointer=pointer,
            hint=hint,
            severity=severity,
        )


@dataclass
class FileReport:
    """The problems of one file, and what kind of file lint took it for."""

    source: str
    kind: Kind
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file has no errors (warnings allowed)."""
        return not any(p.severity == "error" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "ok": self.ok,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class LintReport:
    """Every file linted, in order, with its problems."""

    files: list[FileReport] = field(default_factory=list)

    def problems(self) -> Iterator[Problem]:
        """All problems, file by file."""
        for file in self.files:
            yield from file.problems

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems())

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems())

    @property
    def ok(self) -> bool:
        """True when no file has an error (warnings allowed)."""
        return self.errors == 0

    def summary(self) -> str:
        """``3 files, 2 errors, 1 warning`` (or ``3 files, no problems``)."""
        files = _count(len(self.files), "file")
        if not self.errors and not self.warnings:
            return f"{files}, no problems"
        counts = [_count(self.errors, "error")] if self.errors else []
        counts += [_count(self.warnings, "warning")] if self.warnings else []
        return ", ".join([files, *counts])

    def extend(self, other: LintReport) -> None:
        """Add the files of ``other`` that this report does not hold yet."""
        known = {f.source for f in self.files}
        self.files.extend(f for f in other.files if f.source not in known)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": {"files": len(self.files), "errors": self.errors, "warnings": self.warnings},
            "files": [f.to_dict() for f in self.files],
        }


def display_path(path: str | Path) -> str:
    """A path as messages show it: relative to the working directory when below it."""
    text = str(path)
    if not text or not os.path.isabs(text):
        return text
    text = os.path.normpath(text)
    try:
        relative = Path(text).relative_to(Path.cwd())
    except ValueError:
        return text
    return str(relative)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
