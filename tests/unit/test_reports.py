"""Reports are renderings of one GateResult: JUnit (schema-valid), JSON (schema-valid),
Markdown and self-contained HTML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from contractgate.gate._model import Case, GateResult, StageResult, Status
from contractgate.report import GATE_SCHEMA_PATH, write_reports
from contractgate.report._html import histogram, matrix

JUNIT_XSD = Path(__file__).resolve().parents[1] / "data" / "junit.xsd"


def sample_result() -> GateResult:
    return GateResult(
        started_at="2026-11-26T12:00:00+00:00",
        duration=12.5,
        config="contractgate.toml",
        stages=[
            StageResult(
                "lint",
                "user-service",
                Status.PASSED,
                0.2,
                [Case("openapi/user-service.yaml", Status.PASSED)],
            ),
            StageResult(
                "check",
                "user-service",
                Status.FAILED,
                0.4,
                [
                    Case("get user", Status.PASSED, consumer="orchestrator"),
                    Case(
                        "get prefs <b>",
                        Status.FAILED,
                        "response body /push: the pact expects a string, "
                        "the spec promises a boolean",
                        consumer="orchestrator",
                        details={"pact_pointer": "/interactions/1/response/body/push"},
                    ),
                    Case("an event", Status.NOT_APPLICABLE, "message interaction", consumer="web"),
                ],
            ),
            StageResult("verify", "user-service", Status.SKIPPED, reason="check failed"),
            StageResult(
                "verify",
                "template-service",
                Status.ERROR,
                15.0,
                reason="provider did not answer /v1/health within 15 s",
            ),
            StageResult(
                "resilience",
                "template-service",
                Status.PASSED,
                3.0,
                [Case("503, 503, 200 is retried", Status.PASSED)],
                samples={"latency_ms": [10.0, 12.0, 15.0, 40.0, 41.0, 200.0]},
            ),
        ],
    )


@pytest.fixture
def reports(tmp_path: Path) -> dict[str, Path]:
    return write_reports(sample_result(), tmp_path / "reports")


def test_junit_is_valid_and_counts_outcomes(reports: dict[str, Path]) -> None:
    xmlschema.XMLSchema(JUNIT_XSD).validate(reports["junit"])
    root = ET.parse(reports["junit"]).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "7",
        "1",
        "1",
        "2",
    )
    failure = root.find(".//testcase[failure]")
    assert failure is not None
    assert failure.get("classname") == "contractgate.check.user-service"
    assert failure.get("name") == "orchestrator: get prefs <b>"
    message = failure.find("failure")
    assert message is not None
    assert "/interactions/1/response/body/push" in (message.text or "")
    skipped_stage = root.find(".//testsuite[@name='verify: user-service']/testcase/skipped")
    assert skipped_stage is not None
    assert skipped_stage.get("message") == "check failed"


def test_json_matches_its_documented_schema(reports: dict[str, Path]) -> None:
    document = json.loads(reports["json"].read_text("utf-8"))
    schema = json.loads(GATE_SCHEMA_PATH.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        document
    )
    assert document["status"] == "error"
    assert document["stages"][1]["counts"]["failed"] == 1


def test_json_schema_rejects_a_wrong_document(reports: dict[str, Path]) -> None:
    document = json.loads(reports["json"].read_text("utf-8"))
    document["stages"][0]["status"] = "green"
    schema = json.loads(GATE_SCHEMA_PATH.read_text("utf-8"))
    with pytest.raises(jsonschema.ValidationError, match="'green' is not one of"):
        jsonschema.validate(document, schema)


def test_markdown_has_the_matrix_and_the_failures(reports: dict[str, Path]) -> None:
    text = reports["markdown"].read_text("utf-8")
    assert "| service | lint | check | verify | resilience |" in text
    assert "| user-service | ✅ passed (0.2s) | ❌ failed (0.4s) | ⏭️ skipped (0.0s) |  |" in text
    assert "- **verify** · template-service: provider did not answer /v1/health within 15 s" in text
    assert "orchestrator → user-service · get prefs <b>: response body /push" in text


def test_html_is_self_contained_and_escaped(reports: dict[str, Path]) -> None:
    text = reports["html"].read_text("utf-8")
    assert 'id="matrix"' in text
    assert "get prefs &lt;b&gt;" in text
    assert "<script" not in text
    assert "http://" not in text
    assert "https://" not in text
    assert "<svg" in text


def test_matrix_cells_are_per_consumer() -> None:
    rows = matrix(sample_result())
    by_key = {(r.consumer, r.provider): r.cells for r in rows}
    # stages: lint, check, verify, resilience
    assert by_key[("orchestrator", "user-service")] == (
        Status.PASSED,
        Status.FAILED,
        Status.SKIPPED,
        None,
    )
    assert by_key[("web", "user-service")] == (Status.PASSED, Status.PASSED, Status.SKIPPED, None)
    assert by_key[("—", "template-service")] == (None, None, Status.ERROR, Status.PASSED)


def test_histogram_buckets_every_value() -> None:
    h = histogram("t", [1.0, 2.0, 2.0, 100.0])
    assert h.count == 4
    assert (h.p50, h.max) == (2.0, 100.0)
    assert max(bar.height for bar in h.bars) == pytest.approx(120)
    assert sum(1 for bar in h.bars if bar.height > 0) == 2
