"""Media types: normalising, matching against documented ones, reading ``Accept``.

Matching is exact on ``type/subtype`` (parameters such as ``charset`` ignored), with
wildcards on the documented side (``application/*``, ``*/*``) and, for ``Accept``,
on the pact's side. A structured suffix is not a wildcard for a body's
``Content-Type``: ``application/problem+json`` and ``application/json`` are different
media types, though both are parsed as JSON. ``Accept`` is a preference, and
vendor types are how APIs ask for a version of JSON (GitHub's documented
``application/vnd.github+json`` for a spec that says ``application/json``): there a
``+json`` range is met by any JSON type of the same top-level type, as PactFlow's
comparator has it.
"""

from __future__ import annotations

from collections.abc import Iterable


def essence(media_type: str) -> str:
    """``type/subtype`` in lower case, parameters dropped."""
    return media_type.split(";", 1)[0].strip().lower()


def is_json(media_type: str) -> bool:
    """Whether a body of this media type is JSON (``application/json`` or ``+json``)."""
    kind = essence(media_type)
    return kind == "application/json" or kind.endswith("+json")


def _covers(pattern: str, kind: str) -> bool:
    if pattern in ("*/*", kind):
        return True
    head, _, sub = pattern.partition("/")
    return sub == "*" and kind.partition("/")[0] == head


def find_media(actual: str, documented: Iterable[str]) -> str | None:
    """The documented media type (as written in the spec) that ``actual`` falls under."""
    kind = essence(actual)
    candidates = list(documented)
    for exact in (True, False):
        for media in candidates:
            pattern = essence(media)
            if (pattern == kind) if exact else _covers(pattern, kind):
                return media
    return None


def accepted(accept: str) -> list[str]:
    """The media ranges of an ``Accept`` value, refused ones (``q=0``) left out."""
    out = []
    for part in accept.split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        refused = any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params)
        if kind and not refused:
            out.append(kind.lower())
    return out


def _suffix(kind: str) -> tuple[str, str]:
    """``(type, structured suffix or subtype)``: ``application/vnd.x+json`` -> ``json``."""
    head, _, sub = kind.partition("/")
    return head, sub.rpartition("+")[2]


def accept_matches(accept: str, produced: Iterable[str]) -> bool:
    """Whether any media range of ``accept`` covers, or is covered by, a produced type,
    or names the same top-level type and (suffix) format."""
    ranges = accepted(accept)
    kinds = [essence(p) for p in produced]
    return any(
        _covers(r, k) or _covers(k, r) or _suffix(r) == _suffix(k) for r in ranges for k in kinds
    )
