"""The HTML report renders in a real browser (headless Chromium) and shows the matrix."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from contractgate.gate._model import Case, GateResult, StageResult, Status
from contractgate.report import write_reports

pytestmark = pytest.mark.integration

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Cells(HTMLParser):
    """Collects the text of every cell of the table with id=matrix."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_matrix = False
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", "matrix") in attrs:
            self._in_matrix = True
        elif self._in_matrix and tag == "tr":
            self.rows.append([])
        elif self._in_matrix and tag in ("td", "th"):
            self._in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_matrix = False
        elif tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_matrix and self._in_cell:
            self.rows[-1][-1] += data.strip()


def test_html_report_renders_the_matrix_in_chromium(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed: `make test` installs it (apt-get install chromium)"
    result = GateResult(
        started_at="2026-11-26T12:00:00+00:00",
        duration=3.0,
        stages=[
            StageResult(
                "check",
                "user-service",
                Status.FAILED,
                0.1,
                [Case("get prefs", Status.FAILED, "boom", consumer="orchestrator")],
            ),
            StageResult("verify", "user-service", Status.SKIPPED, reason="check failed"),
            StageResult(
                "check",
                "template-service",
                Status.PASSED,
                0.1,
                [Case("render", Status.PASSED, consumer="orchestrator")],
            ),
            StageResult(
                "resilience",
                "template-service",
                Status.PASSED,
                1.0,
                samples={"latency_ms": [5.0, 7.0, 90.0]},
            ),
        ],
    )
    page = write_reports(result, tmp_path)["html"]
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    parser = _Cells()
    parser.feed(dom)
    assert parser.rows[0] == ["consumer", "provider", "check", "verify", "resilience"]
    assert ["orchestrator", "user-service", "failed", "skipped", "—"] in parser.rows
    assert ["orchestrator", "template-service", "passed", "—", "passed"] in parser.rows
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1200,900",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
