"""The resilience stage: the consumer's own tests, run against contractgate's stubs.

The tests are plain pytest files that use the ``stub`` fixture (see
``contractgate.pytest_plugin``); the gate runs them in a subprocess with the same
configuration and reads back its JUnit XML. The plugin records which provider each
test put a fault on (a ``contractgate_service`` property), so each case is filed under
that provider; a test that names none counts for every provider.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from .._config import Config, ResilienceConfig
from .._errors import ServiceError
from ..pytest_plugin import SERVICE_PROPERTY
from ._model import Case, Status

_OUTPUT_TAIL = 30


def run_resilience(
    config: Config, settings: ResilienceConfig, services: list[str]
) -> dict[str, list[Case]]:
    """Run the resilience tests once; their cases by provider name (for ``services``)."""
    with tempfile.TemporaryDirectory(prefix="contractgate-resilience-") as tmp:
        junit = Path(tmp) / "junit.xml"
        command = [
            sys.executable, "-m", "pytest", *settings.tests,
            "-q", "-p", "no:cacheprovider", f"--junitxml={junit}",
            "-o", "junit_family=xunit1",  # keeps per-test properties in the XML
            "-o", f"contractgate_config={config.path}",
        ]  # fmt: skip
        process = subprocess.Popen(
            command,
            cwd=config.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=settings.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ServiceError(
                f"the resilience tests did not finish within {settings.timeout:g} s",
                hint="raise [resilience] timeout, or look for a test that waits forever",
            ) from None
        text = output.decode("utf-8", "replace")
        if process.returncode not in (0, 1) or not junit.is_file():
            tail = "\n".join(text.splitlines()[-_OUTPUT_TAIL:])
            code = process.returncode
            raise ServiceError(f"the resilience tests could not run (pytest exit {code}):\n{tail}")
        return _by_service(ET.parse(junit).getroot(), services, settings.consumer)


def _by_service(
    root: ET.Element, services: list[str], consumer: str | None
) -> dict[str, list[Case]]:
    out: dict[str, list[Case]] = {name: [] for name in services}
    for element in root.iter("testcase"):
        case = _case(element, consumer)
        named = [
            p.get("value", "")
            for p in element.iter("property")
            if p.get("name") == SERVICE_PROPERTY
        ]
        for service in [n for n in named if n in out] or (services if not named else []):
            out[service].append(case)
    return out


def _case(element: ET.Element, consumer: str | None) -> Case:
    module = element.get("classname", "").rsplit(".", 1)[-1]
    name = f"{module}::{element.get('name', '')}" if module else element.get("name", "")
    status, message = Status.PASSED, ""
    for tag, outcome in (
        ("failure", Status.FAILED),
        ("error", Status.ERROR),
        ("skipped", Status.SKIPPED),
    ):
        found = element.find(tag)
        if found is not None:
            status = outcome
            message = (found.get("message") or "") + ("\n" + found.text if found.text else "")
            break
    return Case(
        name=name,
        status=status,
        message=message.strip(),
        consumer=consumer,
        duration=float(element.get("time") or 0),
    )
