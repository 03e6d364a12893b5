"""``summary.md``: the gate at a glance, for a CI step summary or a merge request note."""

from __future__ import annotations

from ..gate._model import GateResult, Status

ICONS = {
    Status.PASSED: "✅ passed",
    Status.FAILED: "❌ failed",
    Status.ERROR: "💥 error",
    Status.SKIPPED: "⏭️ skipped",
    Status.NOT_APPLICABLE: "➖ n/a",
}
MAX_FAILURES = 20


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: GateResult) -> str:
    """The gate result as Markdown: a services x stages table, then what failed and why."""
    stages = result.stage_names
    lines = [
        f"## contractgate gate: {ICONS[result.status]}",
        "",
        "| service | " + " | ".join(stages) + " |",
        "|---|" + "---|" * len(stages),
    ]
    for service in result.services:
        cells = []
        for stage in stages:
            found = result.find(service, stage)
            cells.append(f"{ICONS[found.status]} ({found.duration:.1f}s)" if found else "")
        lines.append(f"| {service} | " + " | ".join(cells) + " |")
    problems = [
        (run, case)
        for run in result.stages
        for case in run.cases
        if case.status in (Status.FAILED, Status.ERROR)
    ]
    reasons = [s for s in result.stages if s.reason and s.status is not Status.PASSED]
    if reasons:
        lines += ["", "### Stages not run or not finished", ""]
        lines += [f"- **{s.stage}** · {s.service}: {_cell(s.reason)}" for s in reasons]
    if problems:
        lines += ["", f"### Failures ({len(problems)})", ""]
        for run, case in problems[:MAX_FAILURES]:
            who = f"{case.consumer} → " if case.consumer else ""
            what = f"{_cell(case.name)}: {_cell(case.message)}"
            lines.append(f"- **{run.stage}** · {who}{run.service} · {what}")
        if len(problems) > MAX_FAILURES:
            lines.append(
                f"- … and {len(problems) - MAX_FAILURES} more (see junit.xml or index.html)"
            )
    runs = f"{len(result.stages)} stage runs in {result.duration:.1f}s"
    lines += ["", f"_{runs}, started {result.started_at}._", ""]
    return "\n".join(lines)
