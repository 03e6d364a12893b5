"""``contractgate stub``: usage errors, export and scenario listing (no Mountebank started)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from contractgate.cli import main
from contractgate.stubs import started_servers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")


def write_config(folder: Path) -> Path:
    """A contractgate.toml for the example services, outside the repository."""
    config = folder / "contractgate.toml"
    lines = [f'pacts = ["{ROOT}/contracts/orchestrator-user-service.json"]']
    for name in ("user-service", "template-service"):
        lines += [
            f"[services.{name}]",
            f'spec = "{ROOT}/openapi/{name}.yaml"',
            f'scenarios = "{ROOT}/stubs/{name}.yaml"',
        ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    before = set(started_servers(os.getpid()))
    code = main(list(args))
    assert set(started_servers(os.getpid())) == before  # nothing here may start Mountebank
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stub", "up", "nope"], "no service named 'nope'"),
        (["stub", "up", "--scenario", "flakey"], "no scenario named 'flakey'"),
        (["stub", "up", "--pact", "x.json"], "--pact needs --spec"),
        (["stub", "up", "user-service", "--spec", "x.yaml"], "name services or give --spec"),
        (["stub", "export", "--scenario-file", "x.yaml"], "--scenario-file needs --spec"),
        (["stub", "requests", "user-service"], "no detached stubs are running here"),
        (["stub", "scenario", "user-service", "flaky"], "no detached stubs are running here"),
        (["stub", "up", "--port", "0"], "Invalid value for '--port'"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], config: Path, args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--config", str(config), *args)
    assert code == 2
    assert message in out + err
    assert "Traceback" not in out + err


def test_bad_scenario_file_names_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios:\n  x:\n    faults:\n      - latency: 10 parsecs\n", "utf-8")
    spec = ROOT / "openapi" / "user-service.yaml"
    code, _, err = run(
        capsys, "stub", "up", "--spec", str(spec), "--scenario-file", str(bad), "--scenario", "x"
    )
    assert code == 2
    assert f"{bad}:4:18" in err
    assert "'10 parsecs' is not a duration" in err


def test_missing_mountebank_is_a_setup_error(
    capsys: pytest.CaptureFixture[str],
    config: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("CONTRACTGATE_MB", str(tmp_path / "nowhere" / "mb"))
    code, _, err = run(capsys, "--config", str(config), "stub", "up")
    assert code == 3
    assert "CONTRACTGATE_MB=" in err


def test_unreachable_mountebank_url_is_a_service_error(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    code, _, err = run(
        capsys, "--config", str(config), "stub", "up", "--mountebank-url", "http://127.0.0.1:9"
    )
    assert code == 3
    assert "did not answer GET /config" in err


def test_export_writes_mountebank_config(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "--config", str(config), "stub", "export", "--scenario", "flaky")
    assert code == 0
    imposters = json.loads(out)["imposters"]
    assert [(i["name"], i["port"], i["host"]) for i in imposters] == [
        ("user-service", 4545, "127.0.0.1"),
        ("template-service", 4546, "127.0.0.1"),
    ]
    target = tmp_path / "imposters.json"
    code, out, err = run(
        capsys,
        "--config",
        str(config),
        "stub",
        "export",
        "template-service",
        "--port",
        "7000",
        "--host",
        "0.0.0.0",
        "-o",
        str(target),
    )
    assert code == 0
    assert out == ""
    assert f"mb --configfile {target} --noParse" in err
    (imposter,) = json.loads(target.read_text("utf-8"))["imposters"]
    assert (imposter["port"], imposter["host"]) == (7000, "0.0.0.0")
    spec = str(ROOT / "openapi" / "user-service.yaml")
    code, _, err = run(capsys, "stub", "export", "--spec", spec, "-o", str(tmp_path / "no" / "x"))
    assert code == 2
    assert "cannot write" in err


def test_scenarios_lists_file_and_builtin_ones(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    code, out, _ = run(capsys, "--config", str(config), "stub", "scenarios", "user-service")
    assert code == 0
    assert "flaky-preferences" in out
    assert "user-service.yaml" in out
    assert "outage-then-recovery" in out
    code, out, _ = run(capsys, "--config", str(config), "stub", "scenarios", "--json")
    listing = json.loads(out)
    assert set(listing) == {"user-service", "template-service"}
    names = [s["name"] for s in listing["template-service"]]
    assert names[0] == "slow-render"
    assert "happy" in names


def test_ls_and_down_without_detached_stubs(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    code, out, _ = run(capsys, "--config", str(config), "stub", "ls")
    assert (code, out.strip()) == (0, "no detached stubs are running here")
    code, out, _ = run(capsys, "--config", str(config), "stub", "ls", "--json")
    assert json.loads(out) == {"running": False, "stubs": []}
    code, out, _ = run(capsys, "--config", str(config), "stub", "down")
    assert (code, out.strip()) == (0, "no detached stubs are running here")


def test_stale_and_damaged_state(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    state = config.parent / ".contractgate" / "stubs.json"
    state.parent.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    state.write_text(
        json.dumps(
            {
                "pid": int(dead.stdout),
                "mountebank_url": "http://127.0.0.1:9",
                "owned": True,
                "stubs": [],
            }
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "--config", str(config), "stub", "ls")
    assert (code, out.strip()) == (0, "no detached stubs are running here")
    assert not state.exists()  # the stale state is cleared
    state.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "--config", str(config), "stub", "ls")
    assert code == 2
    assert f"{state}: the stub state file is damaged" in err
