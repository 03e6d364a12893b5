"""Schemathesis against the happy stubs of both example services: no response breaks the spec."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contractgate._config import load_config
from contractgate._project import load_project
from contractgate.stubs import Mountebank, StubServer, started_servers

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
MAX_EXAMPLES = 15


@pytest.fixture(scope="module")
def server() -> Iterator[StubServer]:
    project = load_project(load_config(ROOT / "contractgate.toml"))
    before = set(started_servers(os.getpid()))
    with Mountebank.start() as mb, StubServer(mb, project, record_requests=False) as stubs:
        yield stubs
    assert not set(started_servers(os.getpid())) - before


@pytest.fixture(autouse=True)
def hypothesis_home(tmp_path: Path) -> Iterator[None]:
    """Hypothesis caches even with its database off: keep that out of the working tree."""
    set_hypothesis_home_dir(tmp_path / ".hypothesis")
    yield
    set_hypothesis_home_dir(None)


@pytest.mark.parametrize("service", ["user-service", "template-service"])
def test_happy_stubs_conform_to_their_spec(server: StubServer, service: str) -> None:
    stub = server.start(service, "happy")
    schema = schemathesis.openapi.from_path(ROOT / "openapi" / f"{service}.yaml")
    base_url = f"{stub.url}/v1"
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            database=None,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=base_url, headers={"Authorization": "Bearer test-token"}, checks=CHECKS
            )

        conforms()
        checked.append(operation.label)
    assert len(checked) == len(server.project.service(service).spec.operations)
    assert server.request_counts()[stub.port] >= len(checked)
