"""The benchmark harness's pure functions: percentiles, summaries, ratios, wrk reports."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load_harness() -> ModuleType:
    # Benchmarks are scripts, not a package: load the module from its file.
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "_harness.py"
    spec = importlib.util.spec_from_file_location("bench_harness", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_harness"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


harness = _load_harness()

# Real wrk 4.1.0 output (against a local http.server), one report per case.
WRK_404 = """\
Running 1s test @ http://127.0.0.1:18765/nope
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.10ms    2.67ms  16.34ms   86.62%
    Req/Sec   741.15    178.59     1.20k    75.00%
  Latency Distribution
     50%    1.96ms
     75%    4.32ms
     90%    6.71ms
     99%   13.06ms
  1476 requests in 1.00s, 749.53KB read
  Non-2xx or 3xx responses: 1476
Requests/sec:   1473.88
Transfer/sec:    748.46KB
"""

WRK_MIXED_UNITS = """\
Running 5s test @ http://127.0.0.1:40000/v1/users/u-1001/preferences
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us    1.20ms   1.02s    97.10%
    Req/Sec    10.12k     1.01k   12.00k    80.00%
  Latency Distribution
     50%  650.00us
     75%  900.00us
     90%    1.50ms
     99%    1.02s
  100653 requests in 5.10s, 30.00MB read
  Socket errors: connect 0, read 3, write 1, timeout 2
Requests/sec:  19735.88
Transfer/sec:      5.88MB
"""


def test_percentile_interpolates_between_ranks_like_numpy() -> None:
    values = [10.0, 1.0, 4.0, 3.0, 2.0]  # unsorted on purpose
    assert harness.percentile(values, 50) == 3.0
    assert harness.percentile(values, 0) == 1.0
    assert harness.percentile(values, 100) == 10.0
    assert harness.percentile(values, 90) == pytest.approx(7.6)  # numpy.percentile: 7.6
    assert harness.percentile(values, 99) == pytest.approx(9.76)
    assert harness.percentile([5.0], 99) == 5.0


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 100.5)])
def test_percentile_refuses_no_values_and_out_of_range_q(values: list[float], q: float) -> None:
    with pytest.raises(ValueError, match="percentile"):
        harness.percentile(values, q)


def test_summarize_gives_count_percentiles_mean_and_extremes() -> None:
    summary = harness.summarize([float(n) for n in range(1, 101)])
    assert summary.count == 100
    assert summary.p50 == pytest.approx(50.5)
    assert summary.p90 == pytest.approx(90.1)
    assert summary.p99 == pytest.approx(99.01)
    assert summary.mean == pytest.approx(50.5)
    assert (summary.minimum, summary.maximum) == (1.0, 100.0)
    assert summary.to_dict()["p99"] == summary.p99
    with pytest.raises(ValueError, match="no values"):
        harness.summarize([])


def test_ratio_rounds_and_is_none_without_a_figure_or_a_denominator() -> None:
    assert harness.ratio(1000.0, 3000.0) == 0.333
    assert harness.ratio(0.0, 3.0) == 0.0  # a server that answered nothing
    assert harness.ratio(None, 3.0) is None
    assert harness.ratio(3.0, None) is None
    assert harness.ratio(3.0, 0.0) is None


def test_parse_wrk_reads_throughput_latency_and_non_2xx() -> None:
    result = harness.parse_wrk(WRK_404)
    assert result.requests == 1476
    assert result.seconds == pytest.approx(1.0)
    assert result.requests_per_second == pytest.approx(1473.88)
    assert result.latency_ms == pytest.approx({"p50": 1.96, "p75": 4.32, "p90": 6.71, "p99": 13.06})
    assert result.non_2xx == 1476
    assert result.socket_errors == 0
    assert not result.ok
    assert result.to_dict()["ok"] is False


def test_parse_wrk_converts_microseconds_and_seconds_and_counts_socket_errors() -> None:
    result = harness.parse_wrk(WRK_MIXED_UNITS)
    assert result.requests == 100653
    assert result.seconds == pytest.approx(5.1)
    assert result.latency_ms["p50"] == pytest.approx(0.65)
    assert result.latency_ms["p90"] == pytest.approx(1.5)
    assert result.latency_ms["p99"] == pytest.approx(1020.0)
    assert result.socket_errors == 6
    assert result.non_2xx == 0
    assert not result.ok


def test_parse_wrk_counts_a_clean_run_as_ok() -> None:
    clean = WRK_404.replace("  Non-2xx or 3xx responses: 1476\n", "")
    assert harness.parse_wrk(clean).ok


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("unable to connect to 127.0.0.1:18799 Connection refused", "not a wrk report: unable"),
        ("", "not a wrk report: no output"),
        (re.sub(r"  Latency Distribution\n(\s+\d+%.*\n)+", "", WRK_404), "--latency"),
    ],
)
def test_parse_wrk_refuses_what_is_not_a_latency_report(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        harness.parse_wrk(text)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/x", "http://localhost/", "http://[::1]:80/", "http://127.0.0.2/"]
)
def test_require_loopback_accepts_loopback_urls(url: str) -> None:
    assert harness.require_loopback(url) == url


@pytest.mark.parametrize("url", ["http://10.0.0.1/", "http://example.com/", "http://0.0.0.0:80/"])
def test_require_loopback_refuses_any_other_host(url: str) -> None:
    with pytest.raises(ValueError, match="loopback only"):
        harness.require_loopback(url)
