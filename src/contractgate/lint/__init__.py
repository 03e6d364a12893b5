"""``contractgate lint``: every problem in the user's specs, pacts, scenarios and config.

Where loading stops at the first problem, lint goes on and reports each one with its
file and place (``line:col`` in YAML and JSON, a dotted key in TOML), in plain words
with what to do about it::

    from contractgate.lint import lint_paths

    report = lint_paths(["openapi/user-service.yaml", "contracts/web-users.json"])
    for problem in report.problems():
        print(problem)      # openapi/user-service.yaml:12:9: error: ... (hint)
    report.ok               # False when any file has an error (warnings allowed)
"""

from ._lint import detect, lint_config, lint_paths
from ._report import FileReport, Kind, LintReport, Problem, Severity

__all__ = [
    "FileReport",
    "Kind",
    "LintReport",
    "Problem",
    "Severity",
    "detect",
    "lint_config",
    "lint_paths",
]
