"""The diff corpus: before/after spec pairs, each with its expected classification.

Every folder of ``tests/diff_corpus`` holds ``old.yaml``, ``new.yaml`` (and any file
they refer to), ``expected.yaml`` listing every change as ``rule`` + ``severity``
(an empty list: the specs must compare equal), and optionally a consumer's
``pact.json`` with, per rule, the consumers expected to be affected.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgate._openapi import load_spec
from contractgate._pact import load_pact
from contractgate.diff import RULES, diff_specs

CORPUS = Path(__file__).resolve().parents[1] / "diff_corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())


def expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CORPUS / case / "expected.yaml").read_text("utf-8"))
    return data


def test_the_corpus_is_large_enough_and_covers_no_change_cases() -> None:
    assert len(CASES) >= 30
    unchanged = [c for c in CASES if not expected(c)["changes"]]
    assert len(unchanged) >= 5, "refactors that must compare equal"


@pytest.mark.parametrize("case", CASES)
def test_corpus_case_classifies_as_expected(case: str) -> None:
    folder = CORPUS / case
    want = expected(case)
    pact = folder / "pact.json"
    pacts = [load_pact(pact)] if pact.is_file() else []
    result = diff_specs(load_spec(folder / "old.yaml"), load_spec(folder / "new.yaml"), pacts)
    got = Counter((c.rule, c.severity) for c in result.changes)
    assert got == Counter((c["rule"], c["severity"]) for c in want["changes"]), want["what"]
    for change in result.changes:
        assert change.rule in RULES
        if change.rule in want.get("consumers", {}):
            assert change.consumers == want["consumers"][change.rule]


@pytest.mark.parametrize("case", [c for c in CASES if expected(c)["changes"]])
def test_reversed_corpus_case_is_never_silent(case: str) -> None:
    """Undoing a change is a change too (the two directions differ in severity, not in sight)."""
    folder = CORPUS / case
    result = diff_specs(load_spec(folder / "new.yaml"), load_spec(folder / "old.yaml"))
    assert result.changes


def test_every_corpus_spec_is_unchanged_against_itself() -> None:
    for case in CASES:
        for name in ("old.yaml", "new.yaml"):
            spec = CORPUS / case / name
            assert diff_specs(load_spec(spec), load_spec(spec)).changes == [], f"{case}/{name}"
