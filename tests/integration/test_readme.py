"""The README's examples run: every line of every ```sh block, in a scratch copy of the
example system, must exit 0 — or the code its `# exit N` comment names.

(```console blocks are the two top-level commands — CI runs `make test` itself and
test_gate.py runs what `make demo` runs — and servers that run until stopped; ```text
blocks show output; ```yaml/```python blocks show files. Only ```sh runs.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXIT = re.compile(r"#.*\bexit (\d)\b")


def commands() -> list[tuple[str, int]]:
    found = []
    for block in BLOCK.findall((ROOT / "README.md").read_text("utf-8")):
        for line in block.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                m = EXIT.search(line)
                found.append((line.strip(), int(m.group(1)) if m else 0))
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("readme")
    for folder in ("openapi", "contracts", "stubs", "ci", "tests"):
        shutil.copytree(ROOT / folder, here / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("contractgate.toml", "README.md"):
        shutil.copy(ROOT / name, here / name)
    for link in ("node_modules", ".venv"):
        (here / link).symlink_to(ROOT / link)
    git = ["git", "-c", "user.name=readme", "-c", "user.email=readme@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=here, check=True)
    subprocess.run([*git, "add", "-A"], cwd=here, check=True)
    subprocess.run([*git, "commit", "-qm", "example"], cwd=here, check=True)
    return here


def test_readme_has_examples() -> None:
    assert len(commands()) >= 20


@pytest.mark.parametrize(("command", "expected"), commands(), ids=[c for c, _ in commands()])
def test_readme_example_runs(project: Path, command: str, expected: int) -> None:
    if command.startswith(("make ", ".venv/bin/python -m notifyhub")):
        pytest.fail(f"README example {command!r} cannot run here: move it to a ```text block")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "NO_COLOR": "1",
        "COLUMNS": "80",
        "PACT_DO_NOT_TRACK": "true",
    }
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == expected, f"{command}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr
