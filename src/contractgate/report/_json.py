"""``gate.json``: the machine-readable report, documented by ``gate.schema.json``."""

from __future__ import annotations

import json
from pathlib import Path

from ..gate._model import GateResult

GATE_SCHEMA_PATH = Path(__file__).with_name("gate.schema.json")


def render_json(result: GateResult) -> str:
    """The gate result as JSON text (valid against :data:`GATE_SCHEMA_PATH`)."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"
