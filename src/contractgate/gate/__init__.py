"""The gate: lint, diff, check, verify, fuzz and resilience for every service, in one run.

::

    from contractgate._config import load_config
    from contractgate.gate import GateOptions, run_gate
    from contractgate.report import write_reports

    result = run_gate(load_config("contractgate.toml"), GateOptions(base="origin/main"))
    write_reports(result, Path("reports"))
    result.status          # Status.PASSED, FAILED (a contract broke) or ERROR (could not run)
"""

from ._engine import DEFAULT_STAGES, GateEvent, GateOptions, StageFinished, StageStarted, run_gate
from ._model import STAGES, Case, GateResult, StageResult, Status

__all__ = [
    "DEFAULT_STAGES",
    "STAGES",
    "Case",
    "GateEvent",
    "GateOptions",
    "GateResult",
    "StageFinished",
    "StageResult",
    "StageStarted",
    "Status",
    "run_gate",
]
