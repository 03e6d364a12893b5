"""Scenario files: the format, every validation error (file and line:col), the catalogue."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from contractgate import InputError
from contractgate._openapi import load_spec
from contractgate.stubs import (
    ConnectionFault,
    DriftFault,
    EdgeDataFault,
    ErrorFault,
    LatencyFault,
    SequenceFault,
    TimeoutFault,
    builtin_scenarios,
    check_scenario,
    check_scenario_file,
    find_scenario,
    load_scenario_file,
    scenario_catalogue,
)

ROOT = Path(__file__).resolve().parents[2]
USER_SPEC = ROOT / "openapi" / "user-service.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenarios.yaml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> InputError:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_scenario_file(path)
    assert info.value.source == str(path)
    return info.value


def test_every_fault_kind_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        service: user-service
        scenarios:
          everything:
            description: All kinds at once.
            faults:
              - operation: getPreferences
                error: 503
                rate: 0.2
                retry_after: 3s
              - sequence: [503, 429, ok]
              - latency: {distribution: lognormal, p50: 80ms, p99: 900ms}
              - latency: 250ms
                rate: 0.5
              - latency: {distribution: uniform, min: 10ms, max: 1s}
              - latency: {distribution: normal, mean: 100ms, stddev: 20ms}
              - latency: {distribution: normal, p50: 100ms, p99: 200ms}
              - timeout: 2.5s
                operation: [getUser, "get /users/{userId}/preferences"]
              - connection: reset
                rate: 0.1
              - connection: garbage
              - drift: {rename: {user_id: userId}, remove: [push]}
              - edge_data: {max_length: 50}
        """,
    )
    loaded = load_scenario_file(path)
    assert loaded.service == "user-service"
    faults = loaded.scenarios["everything"].faults
    assert loaded.scenarios["everything"].description == "All kinds at once."
    error = faults[0]
    assert isinstance(error, ErrorFault)
    assert (error.status, error.rate, error.retry_after) == (503, 0.2, 3)
    assert error.operations == ("getPreferences",)
    assert error.place is not None
    assert error.place.startswith("6:")
    sequence = faults[1]
    assert isinstance(sequence, SequenceFault)
    assert sequence.steps == (503, 429, "ok")
    lognormal = faults[2]
    assert isinstance(lognormal, LatencyFault)
    assert lognormal.latency.quantile(0.5) == pytest.approx(80)
    assert lognormal.latency.quantile(0.99) == pytest.approx(900)
    fixed = faults[3]
    assert isinstance(fixed, LatencyFault)
    assert (fixed.latency.quantile(0.1), fixed.rate) == (250, 0.5)
    uniform = faults[4]
    assert isinstance(uniform, LatencyFault)
    assert uniform.latency.quantile(0.5) == pytest.approx(505)
    normal = faults[5]
    assert isinstance(normal, LatencyFault)
    assert normal.latency.quantile(0.5) == pytest.approx(100)
    by_percentiles = faults[6]
    assert isinstance(by_percentiles, LatencyFault)
    assert by_percentiles.latency.quantile(0.99) == pytest.approx(200)
    timeout = faults[7]
    assert isinstance(timeout, TimeoutFault)
    assert timeout.after_ms == 2500
    assert timeout.operations == ("getUser", "GET /users/{userId}/preferences")
    reset, garbage = faults[8], faults[9]
    assert isinstance(reset, ConnectionFault)
    assert isinstance(garbage, ConnectionFault)
    assert (reset.mode, garbage.mode) == ("reset", "garbage")
    drift = faults[10]
    assert isinstance(drift, DriftFault)
    assert (dict(drift.rename), drift.remove) == ({"user_id": "userId"}, ("push",))
    edge = faults[11]
    assert isinstance(edge, EdgeDataFault)
    assert edge.max_length == 50
    assert loaded.to_dict()["scenarios"][0]["faults"][0]["status"] == 503


@pytest.mark.parametrize(
    ("body", "message", "place", "hint"),
    [
        ("scenarioz: {}", "unknown key 'scenarioz'", "1:1", "did you mean 'scenarios'?"),
        ("service: x", "no 'scenarios' mapping", "1:1", None),
        ("scenarios: []", "scenarios must be a mapping, found a list", "1:12", None),
        ("scenarios: {}", "'scenarios' is empty", "1:12", None),
        (
            "scenarios:\n  a:\n    fault: []",
            "unknown key 'fault'",
            "3:12",
            "did you mean 'faults'?",
        ),
        ("scenarios:\n  a:\n    faults: {}", "faults must be a list", "3:13", None),
        (
            "scenarios:\n  a:\n    faults:\n      - eror: 503",
            "unknown key 'eror'",
            "4:15",
            "did you mean 'error'?",
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - explode: 503",
            "unknown key 'explode'",
            "4:18",
            "kinds: error",
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - rate: 0.5",
            "a fault needs exactly one kind",
            "4:9",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - {error: 503, latency: 1s}",
            "a fault needs exactly one kind, found error, latency",
            "4:9",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - error: 503\n        rate: 1.5",
            "rate 1.5 is not between 0 and 1",
            "5:15",
            "one in five",
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - error: 503\n        rate: -0.1",
            "rate -0.1 is not between 0 and 1",
            "5:15",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - error: 200",
            "status 200 is not an HTTP error status",
            "4:16",
            "400 to 599",
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - sequence: [503, 'nope']",
            "status 'nope' is not an HTTP status",
            "4:25",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - sequence: [503]\n        rate: 0.5",
            "unknown key 'rate'",
            "5:15",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - latency: 10 parsecs",
            "'10 parsecs' is not a duration",
            "4:18",
            "250ms",
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - latency: 100",
            "100 is not a duration",
            "4:18",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n"
            "      - latency: {distribution: lognormal, p50: 900ms, p99: 80ms}",
            "p99 is below p50",
            "4:61",
            "at least the median",
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - latency: {distribution: gaussian}",
            "unknown latency distribution 'gaussian'",
            "4:33",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - latency: {distribution: lognormal, p50: 1s}",
            "lognormal latency needs p50 and p99",
            "4:18",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n"
            "      - latency: {distribution: uniform, min: 2s, max: 1s}",
            "max is below min",
            "4:56",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n"
            "      - latency: {distribution: fixed, value: 1s, p50: 1s}",
            "unknown key 'p50'",
            "4:56",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - connection: unplug",
            "connection fault 'unplug' is not known",
            "4:21",
            "reset or garbage",
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - error: 429\n        retry_after: 1.5s",
            "retry_after must be whole seconds",
            "5:22",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - drift: {rename: {a: 1}}",
            "rename maps field names to new names",
            "4:25",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - edge_data: {max_length: 0}",
            "max_length must be a whole number >= 1",
            "4:33",
            None,
        ),
        (
            "scenarios:\n  a:\n    faults:\n      - operation: ''\n        error: 500",
            "operation must be an operationId or 'METHOD /path'",
            "4:20",
            None,
        ),
        ("scenarios:\n  'bad name!': {}", "scenario name 'bad name!' is not a name", "2:16", None),
        ("service: 3\nscenarios:\n  a: {}", "service must be a service name", "1:10", None),
    ],
)
def test_invalid_files_name_the_place(
    tmp_path: Path, body: str, message: str, place: str, hint: str | None
) -> None:
    err = error_of(tmp_path, body + "\n")
    assert message in err.message
    assert str(err.place).startswith(place), err.place
    if hint:
        assert err.hint is not None
        assert hint in err.hint


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_scenario_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="invalid YAML"):
        load_scenario_file(bad)


def test_builtin_catalogue_is_complete() -> None:
    names = set(builtin_scenarios())
    assert names == {
        "happy",
        "not-found",
        "unauthorized",
        "forbidden",
        "rate-limited",
        "server-error",
        "unavailable",
        "slow",
        "timeout",
        "flaky",
        "outage-then-recovery",
        "connection-reset",
        "garbage-body",
        "drift",
        "edge-data",
    }
    assert builtin_scenarios()["happy"].faults == ()
    assert all(s.source == "built-in" for s in builtin_scenarios().values())


def test_files_extend_and_override_the_catalogue(tmp_path: Path) -> None:
    loaded = load_scenario_file(
        write(
            tmp_path,
            """
            scenarios:
              flaky:
                faults: [{error: 500, rate: 0.5}]
              mine: {}
            """,
        )
    )
    catalogue = scenario_catalogue(loaded)
    assert "mine" in catalogue
    assert "happy" in catalogue
    flaky = find_scenario("flaky", loaded).faults[0]
    assert isinstance(flaky, ErrorFault)
    assert flaky.status == 500
    builtin_flaky = find_scenario("flaky").faults[0]
    assert isinstance(builtin_flaky, ErrorFault)
    assert builtin_flaky.status == 503


def test_unknown_scenario_suggests_a_name() -> None:
    with pytest.raises(InputError, match="no scenario named 'flakey'") as info:
        find_scenario("flakey")
    assert info.value.hint == "did you mean 'flaky'?"


def test_unknown_operation_is_found_against_the_spec(tmp_path: Path) -> None:
    loaded = load_scenario_file(
        write(
            tmp_path,
            """
            scenarios:
              ok:
                faults: [{operation: "GET /users/{userId}", error: 500}]
              typo:
                faults:
                  - error: 500
                  - operation: getPreference
                    error: 503
            """,
        )
    )
    spec = load_spec(USER_SPEC)
    check_scenario(loaded.scenarios["ok"], spec)
    with pytest.raises(InputError, match="has no operation 'getPreference'") as info:
        check_scenario(loaded.scenarios["typo"], spec)
    assert info.value.source == str(tmp_path / "scenarios.yaml")
    assert info.value.place is not None
    assert info.value.place.startswith("7:9")
    assert info.value.hint == "did you mean 'getPreferences'?"
    with pytest.raises(InputError, match="has no operation"):
        check_scenario_file(loaded, "user-service", spec)


def test_file_for_another_service_is_refused(tmp_path: Path) -> None:
    loaded = load_scenario_file(write(tmp_path, "service: template-service\nscenarios: {a: {}}\n"))
    check_scenario_file(loaded, "template-service")
    with pytest.raises(InputError, match="for 'template-service', not 'user-service'") as info:
        check_scenario_file(loaded, "user-service")
    assert info.value.place is not None
    assert info.value.place.startswith("1:10")
