"""``junit.xml``: one test suite per (stage, service), one test case per checked thing.

Read by GitHub (test reporters), GitLab (``artifacts:reports:junit``) and Jenkins.
Skipped stages and not-applicable cases become ``<skipped>`` with the reason;
stages that could not run become ``<error>``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from ..gate._model import Case, GateResult, StageResult, Status


def _case_element(suite: ET.Element, stage: StageResult, case: Case) -> None:
    element = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": f"contractgate.{stage.stage}.{stage.service}",
            "name": f"{case.consumer}: {case.name}" if case.consumer else case.name,
            "time": f"{case.duration:.3f}",
        },
    )
    first_line = case.message.splitlines()[0] if case.message else case.status.value
    body = case.message
    if case.details:
        body += "\n\n" + json.dumps(case.details, indent=2, ensure_ascii=False, default=str)
    if case.status is Status.FAILED:
        ET.SubElement(element, "failure", {"message": first_line, "type": stage.stage}).text = body
    elif case.status is Status.ERROR:
        ET.SubElement(element, "error", {"message": first_line, "type": stage.stage}).text = body
    elif case.status in (Status.SKIPPED, Status.NOT_APPLICABLE):
        ET.SubElement(element, "skipped", {"message": first_line})


def render_junit(result: GateResult) -> str:
    """The gate result as JUnit XML text."""
    root = ET.Element(
        "testsuites",
        {"name": "contractgate gate", "time": f"{result.duration:.3f}"},
    )
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for stage in result.stages:
        cases = stage.cases or [
            Case(name=stage.stage, status=stage.status, message=stage.reason or stage.status.value)
        ]
        counts = {
            "tests": len(cases),
            "failures": sum(c.status is Status.FAILED for c in cases),
            "errors": sum(c.status is Status.ERROR for c in cases),
            "skipped": sum(c.status in (Status.SKIPPED, Status.NOT_APPLICABLE) for c in cases),
        }
        for key, value in counts.items():
            totals[key] += value
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f"{stage.stage}: {stage.service}",
                "timestamp": result.started_at,
                "time": f"{stage.duration:.3f}",
                **{k: str(v) for k, v in counts.items()},
            },
        )
        for case in cases:
            _case_element(suite, stage, case)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
