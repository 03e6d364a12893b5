"""verify and fuzz on contracts from other tools: every pact version, every spec version.

The pet-shop pacts of ``tests/parity_corpus/pact-versions`` (pact-ruby V1.1 with inline
matchers, pact-js V2, pact-jvm V3, pact-rust V4 with a message and a plugin interaction)
are replayed against a small pet-shop provider on 127.0.0.1:0 that keeps the Swagger
2.0, OpenAPI 3.0 and 3.1 specs of the same API. Each pact has two interactions the
provider does not keep (a renamed field, an id of another type); the rest pass. The
same provider is fuzzed from each spec version: it accepts invalid input and answers
501 to methods it does not know, which fuzz finds whatever the version.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contractgate._openapi import load_spec
from contractgate._pact import load_pact
from contractgate._provider import RunningProvider
from contractgate.fuzz import fuzz_spec
from contractgate.verify import verify_pacts

if TYPE_CHECKING:
    from conftest import CliRun

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PACTS = ROOT / "tests" / "parity_corpus" / "pact-versions"
SPECS = {
    "swagger-2.0": PACTS / "spec.yaml",
    "openapi-3.0": ROOT / "tests" / "versions_corpus" / "petshop-openapi30.json",
    "openapi-3.1": ROOT / "tests" / "versions_corpus" / "petshop-openapi31.yaml",
}
REX = {"id": 1, "name": "Rex", "tag": "dog", "status": "available"}
TOM = {"id": 2, "name": "Tom", "tag": "cat", "status": "sold"}
ANSWERS: dict[tuple[str, str], tuple[int, Any]] = {
    ("GET", "/api/pets"): (200, [REX, TOM]),
    ("GET", "/api/pets/1"): (200, REX),
    ("GET", "/api/pets/99"): (404, {"code": 404, "message": "no pet 99"}),
    ("POST", "/api/pets"): (201, TOM),
    ("GET", "/api/pets/stats"): (200, {"available": {"count": 3}, "sold": {"count": 1}}),
}
FAILING = {
    "a request for pet 1 expecting a renamed field",
    "a request for pet 1 expecting an id of the wrong type",
}


class PetShop(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        if path == "/_states":
            status, body = 200, {}
        else:
            status, body = ANSWERS.get((self.command, path), (404, {"code": 404, "message": "?"}))
        data = json.dumps(body).encode()
        self.send_response(status)
        # The list's content type has no charset: the V2 pact's regex for it is a plain
        # "application/json", and pact's verifier matches a regex to the whole value.
        charset = "" if (self.command, path) == ("GET", "/api/pets") else "; charset=utf-8"
        self.send_header("Content-Type", f"application/json{charset}")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def petshop() -> Iterator[RunningProvider]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PetShop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield RunningProvider("pet-shop", url, states_url=f"{url}/_states")
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("spec", sorted(SPECS))
@pytest.mark.parametrize("pact", ["ruby-v1.1.json", "js-v2.json", "jvm-v3.json", "rust-v4.json"])
def test_every_pact_version_verifies_with_every_spec_version(
    petshop: RunningProvider, pact: str, spec: str
) -> None:
    result = verify_pacts([load_pact(PACTS / pact)], petshop, spec=load_spec(SPECS[spec]))

    verdicts = {i.description: i.verdict for i in result.interactions}
    failed = {d for d, v in verdicts.items() if v == "failed"}
    assert failed == FAILING, [i.to_dict() for i in result.interactions if i.broken]
    for interaction in result.interactions:
        if interaction.description in FAILING:
            assert interaction.mismatches, interaction.to_dict()
        else:
            assert interaction.spec_violations == [], interaction.to_dict()
    not_applicable = {d for d, v in verdicts.items() if v == "not_applicable"}
    expected = {"a pet sold event", "a pet photo over gRPC"} if pact == "rust-v4.json" else set()
    assert not_applicable == expected
    assert result.problems == []


def test_adhoc_verify_of_a_ruby_pact_with_a_swagger_spec_reports_the_two_failures(
    petshop: RunningProvider, run_cli: CliRun
) -> None:
    args = ["verify", "--pact", str(PACTS / "ruby-v1.1.json"), "--provider-url"]
    args += [petshop.base_url, "--states-url", f"{petshop.base_url}/_states"]
    code, out, err = run_cli([*args, "--spec", str(SPECS["swagger-2.0"]), "--json"])

    assert (code, err) == (1, "")
    (service,) = json.loads(out)["services"]
    verdicts = {i["description"]: i["verdict"] for p in service["pacts"] for i in p["interactions"]}
    assert {d for d, v in verdicts.items() if v == "failed"} == FAILING
    assert list(verdicts.values()).count("passed") == 5


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_fuzz_reads_every_spec_version_and_finds_what_the_provider_gets_wrong(
    petshop: RunningProvider, spec: str
) -> None:
    result = fuzz_spec(
        load_spec(SPECS[spec]),
        petshop.base_url,
        headers={"X-API-Key": "key-1"},
        max_examples=5,
        seed=1,
    )

    operations = {op.operation: op for op in result.operations}
    assert set(operations) == {"GET /pets", "POST /pets", "GET /pets/{petId}", "GET /pets/stats"}
    assert all(op.cases > 0 for op in operations.values())
    listing = {f.check for f in operations["GET /pets"].failures}
    assert "negative_data_rejection" in listing  # limit=0 and friends are accepted
    trace = next(f for f in operations["GET /pets/stats"].failures if f.status == 501)
    assert trace.reproduce.startswith("curl ")
    assert "${X_API_KEY}" in trace.reproduce  # the credential is never printed
    assert result.passed is False
