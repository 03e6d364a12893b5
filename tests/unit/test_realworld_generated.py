"""``check`` on a large generated spec: 1,000 operations, a pact of 1,000 interactions.

The generator is the check benchmarks' (``benchmarks/_gen_spec.py``): OpenAPI 3.1 with
``$ref``'d component schemas, nested objects, arrays, enums, patterns, formats,
problem+json errors, a required ``Retry-After``, bearer security; Pact V4 interactions
with ``type``, ``regex``, ``integer``, ``decimal``, ``datetime`` and ``eachLike``-style
matchers, every one compatible, or with a renamed response field every n-th.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from contractgate._project import adhoc_project
from contractgate.check import ServiceResult, check_project


def _load_generator() -> ModuleType:
    # Benchmarks are scripts, not a package: load the module from its file.
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "_gen_spec.py"
    spec = importlib.util.spec_from_file_location("bench_gen_spec", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_gen_spec"] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> ServiceResult:
    """One check of two pacts against the spec: all compatible, and 1% renamed fields."""
    folder = tmp_path_factory.mktemp("generated")
    spec_data = gen.generate_spec(1000)
    spec = gen.write_json(spec_data, folder / "spec.json")
    good = gen.write_json(gen.generate_pact(spec_data, 1000), folder / "good.json")
    renamed = gen.generate_pact(spec_data, 1000, defect_every=100)
    bad = gen.write_json(renamed, folder / "renamed.json")
    (service,) = check_project(adhoc_project(spec, [good, bad])).services
    return service


def test_a_thousand_operations_and_interactions_all_pass(checked: ServiceResult) -> None:
    good = checked.pacts[0]
    assert len(checked.operations) == 1000
    assert good.counts()["passed"] == 1000
    assert good.counts()["errors"] == 0
    assert all(op.consumers for op in checked.operations)  # the pacts cycle over them all


def test_renamed_fields_among_a_thousand_fail_each_precisely(checked: ServiceResult) -> None:
    failed = [i for i in checked.pacts[1].interactions if i.verdict == "failed"]
    assert [i.index for i in failed] == list(range(0, 1000, 100))
    for interaction in failed:
        (finding,) = interaction.findings
        assert finding.code == "response.body.undocumented"
        assert finding.message.endswith(
            "/display_name: the pact expects field display_name, the spec does not document it"
        )
        assert finding.pact.pointer.endswith("/display_name")
        assert finding.pact.line == 1  # the generator writes one line of JSON
        assert finding.spec is not None
        assert finding.spec.pointer.startswith("/components/schemas/Resource")


@pytest.mark.parametrize("every", [3, 7])
def test_any_defect_rate_renames_a_resource_field_never_a_line_item(every: int) -> None:
    spec_data = gen.generate_spec(20)
    pact = gen.generate_pact(spec_data, 60, defect_every=every)
    for index, interaction in enumerate(pact["interactions"]):
        body = interaction["response"].get("body", {}).get("content")
        renamed = '"display_name"' in str(body).replace("'", '"')
        assert renamed == (index % every == 0 and interaction["response"]["status"] < 400)
        if renamed:
            target = body["items"][0] if "total" in body else body
            assert "display_name" in target
            assert "name" not in target
