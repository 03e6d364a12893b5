"""The stage: classify every change between two spec versions and find who it breaks.

:func:`diff_specs` compares the specs (:mod:`._operations`, :mod:`._schemas`), groups
the differences that come from one definition used in several places (a component
changed once is one change, listed with every place of use), and asks each
interaction of the consumers' pacts, routed in the *old* spec, whether it relies on
what changed (:mod:`._usage`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .._documents import json_pointer, walk
from .._openapi import Spec, load_spec
from .._pact import Pact
from .._project import Service
from ..check import Location
from ._git import spec_at_ref
from ._operations import RawChange, compare_specs
from ._results import Affected, Change, DiffReport, DiffResult, Target
from ._rules import EXPECTED_VALUE_RULES, SEVERITIES, severity_of
from ._schemas import Ptr, json_type, type_covers
from ._usage import Usage, relies, usages, value_path


def diff_specs(
    old: Spec,
    new: Spec,
    pacts: Iterable[Pact] = (),
    *,
    strict: bool = False,
    old_label: str | None = None,
    new_label: str | None = None,
    service: str | None = None,
) -> DiffResult:
    """Every change from ``old`` to ``new``, classified, with the consumers it affects.

    ``pacts`` are the consumers' contracts with this provider. The result fails
    (``passed`` is false) when a breaking change is relied on by one of them, or,
    with ``strict``, when there is any breaking change. ``old_label``/``new_label``
    name the specs in reports (default: their paths).
    """
    pacts = list(pacts)
    for spec in (old, new):
        _resolve_refs(spec)
    found, unmatched = usages(old, pacts)
    old_places, new_places = _Places(old, old_label), _Places(new, new_label)
    groups: dict[tuple[str, Ptr | None, Ptr | None, str], list[RawChange]] = {}
    for raw in compare_specs(old, new):
        groups.setdefault((raw.rule, raw.old, raw.new, raw.message), []).append(raw)
    changes = [_change(group, found, old_places, new_places) for group in groups.values()]
    changes.sort(
        key=lambda c: (
            SEVERITIES.index(c.severity),
            not c.affected,
            c.rule,
            str(c.old or ""),
            str(c.new or ""),
        )
    )
    return DiffResult(
        old=old_places.label,
        new=new_places.label,
        changes=changes,
        consumers=tuple(sorted({p.consumer for p in pacts})),
        unmatched=tuple(unmatched),
        strict=strict,
        service=service,
    )


def _resolve_refs(spec: Spec) -> None:
    """Follow every ``$ref`` the spec reaches, so a broken one is bad input even where
    nothing is compared (an added operation, say)."""
    pending = [(spec.document.data, "", spec.source)]
    seen: set[tuple[str, str]] = set()
    while pending:
        data, base, source = pending.pop()
        for path, node in walk(data):
            if isinstance(node, dict) and isinstance(node.get("$ref"), str):
                target, pointer, found_in = spec.resolve(node, base + json_pointer(path), source)
                if found_in != spec.source and (found_in, pointer) not in seen:
                    seen.add((found_in, pointer))
                    pending.append((target, pointer, found_in))


def diff_against_ref(
    path: str | os.PathLike[str],
    ref: str,
    pacts: Iterable[Pact] = (),
    *,
    new: Spec | None = None,
    strict: bool = False,
    service: str | None = None,
) -> DiffResult:
    """The spec file at ``path`` as it is now (or ``new``, its loaded model) against its
    version at git revision ``ref`` (see :func:`spec_at_ref`); a spec that did not exist
    at ``ref`` breaks nobody: no changes, and a note that says so."""
    new = new or load_spec(Path(path))
    new_label = _relative(path)
    with spec_at_ref(path, ref) as old:
        if old.spec is None:
            note = f"the spec is new: it does not exist at {ref}"
            return DiffResult(old.label, new_label, [], strict=strict, service=service, note=note)
        return diff_specs(
            old.spec,
            new,
            pacts,
            strict=strict,
            old_label=old.label,
            new_label=new_label,
            service=service,
        )


def diff_service(service: Service, ref: str, *, strict: bool = False) -> DiffResult:
    """A configured service's spec as it is now against its version at git revision ``ref``."""
    return diff_against_ref(
        service.config.spec,
        ref,
        service.pacts,
        new=service.spec,
        strict=strict,
        service=service.name,
    )


def diff_services(services: Iterable[Service], ref: str, *, strict: bool = False) -> DiffReport:
    """:func:`diff_service` for each service."""
    return DiffReport([diff_service(s, ref, strict=strict) for s in services])


def _relative(path: os.PathLike[str] | str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


class _Places:
    """Turns ``(source, pointer)`` pairs of a spec into report locations, with labels."""

    def __init__(self, spec: Spec, label: str | None) -> None:
        self.spec = spec
        self.label = label or spec.source
        self._folder = os.path.dirname(os.path.abspath(spec.source))

    def at(self, ptr: Ptr | None) -> Location | None:
        if ptr is None:
            return None
        source, pointer = ptr
        if source != self.spec.source:
            shown = os.path.relpath(os.path.abspath(source), self._folder)
            return Location(os.path.join(os.path.dirname(self.label), shown), pointer)
        line = column = None
        found = self.spec.document.locate(pointer, key=True)
        if found:
            line, column = (int(n) for n in found.split(":"))
        return Location(self.label, pointer, line, column)


def _change(group: list[RawChange], found: list[Usage], old: _Places, new: _Places) -> Change:
    first = group[0]
    targets = tuple(dict.fromkeys(r.target for r in group))
    severity = severity_of(first.rule)
    if first.rule in EXPECTED_VALUE_RULES:
        affected = tuple(_expecting(found, targets, first.detail))
        if affected:
            severity = "breaking"
    elif severity == "safe":
        affected = ()
    else:
        affected = tuple(_relying(found, targets))
    return Change(
        rule=first.rule,
        severity=severity,
        message=first.message,
        old=old.at(first.old),
        new=new.at(first.new),
        targets=targets,
        affected=affected,
    )


def _relying(found: list[Usage], targets: tuple[Target, ...]) -> Iterator[Affected]:
    for usage in found:
        for target in targets:
            how = relies(usage, target)
            if how is not None:
                yield usage.affected(how)
                break


def _expecting(
    found: list[Usage], targets: tuple[Target, ...], detail: Mapping[str, Any]
) -> Iterator[Affected]:
    """The interactions expecting a response value the new schema no longer allows."""
    for usage in found:
        reason = next(
            (
                why
                for target in targets
                if target.anchor is not None and relies(usage, target) is not None
                for path, value in usage.reached(target).get(target.anchor, [])
                if (why := _unmet(usage, path, value, detail)) is not None
            ),
            None,
        )
        if reason is not None:
            yield usage.affected(reason)


def _unmet(
    usage: Usage, path: tuple[str | int, ...], value: Any, detail: Mapping[str, Any]
) -> str | None:
    shown = value_path(path)
    if "types" in detail:
        kind = json_type(value)
        if type_covers(kind, frozenset(detail["types"])):
            return None
        return f"expects {shown} to be {kind}"
    ruleset = usage.response.rules_for("body").at(path)
    kinds = ruleset.kinds() if ruleset else {"equality"}
    if kinds <= {"equality"}:
        removed = {json.dumps(v, sort_keys=True) for v in detail["removed"]}
        if json.dumps(value, sort_keys=True) in removed:
            return f"expects {shown} = {json.dumps(value)}"
        return None
    if ruleset and kinds <= {"equality", "regex"}:
        regexes = [str(r.attrs["regex"]) for r in ruleset.rules if r.match == "regex"]
        allowed = [str(v) for v in detail["allowed"]]
        if not any(re.fullmatch(rx, v) for rx in regexes for v in allowed):
            return f"expects {shown} matching {' '.join(regexes)}"
    return None
