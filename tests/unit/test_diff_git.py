"""``diff --base REF``: the old spec read from a real temporary git repository.

The spec refers to a schema in another file, so the old version only compares right
when the files it refers to are taken from the same revision.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from contractgate.diff import spec_at_ref

if TYPE_CHECKING:
    from conftest import CliRun

SPEC = """\
openapi: 3.1.0
info: {title: Users, version: "1"}
paths:
  /users/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: The user.
          content:
            application/json:
              schema: {$ref: "schemas/user.yaml"}
"""
USER = """\
type: object
required: [id, name]
properties:
  id: {type: string}
  name: {type: string}
  nickname: {type: string}
"""
PACT = {
    "consumer": {"name": "web"},
    "provider": {"name": "users"},
    "interactions": [
        {
            "description": "user 1",
            "request": {"method": "GET", "path": "/users/1"},
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "body": {"id": "1", "name": "Ann"},
            },
        }
    ],
    "metadata": {"pactSpecification": {"version": "2.0.0"}},
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=30,
    )


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A repository with the spec (and its schema file) and a pact committed; cwd there."""
    root = tmp_path / "repo"
    (root / "api" / "schemas").mkdir(parents=True)
    (root / "api" / "users.yaml").write_text(SPEC, encoding="utf-8")
    (root / "api" / "schemas" / "user.yaml").write_text(USER, encoding="utf-8")
    (root / "pact.json").write_text(json.dumps(PACT), encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    monkeypatch.chdir(root)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return root


def test_unchanged_work_tree_has_no_changes(repo: Path, run_cli: CliRun) -> None:
    code, out, _ = run_cli(["diff", "--base", "HEAD", "api/users.yaml", "--pact", "pact.json"])
    assert code == 0
    assert out.splitlines()[:2] == ["users: HEAD:api/users.yaml -> api/users.yaml", "no changes"]


def test_change_in_a_referenced_file_is_found_and_temp_files_removed(
    repo: Path, tmp_path: Path, run_cli: CliRun
) -> None:
    user = repo / "api" / "schemas" / "user.yaml"
    user.write_text(USER.replace("  name:", "  full_name:").replace("id, name", "id, full_name"))

    code, out, _ = run_cli(
        ["diff", "--base", "HEAD", "api/users.yaml", "--pact", "pact.json", "--json"]
    )

    assert code == 1
    (result,) = json.loads(out)["results"]
    assert result["old"] == "HEAD:api/users.yaml"
    (change,) = result["changes"]
    assert change["rule"] == "response.property.renamed"
    assert change["old"]["source"] == "HEAD:api/schemas/user.yaml"
    assert change["old"]["pointer"] == "/properties/name"
    assert change["consumers"] == ["web"]
    assert [a["description"] for a in change["affected"]] == ["user 1"]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_unused_change_passes_unless_strict(repo: Path, run_cli: CliRun) -> None:
    user = repo / "api" / "schemas" / "user.yaml"
    user.write_text(USER.replace("  nickname: {type: string}\n", ""))
    args = ["diff", "--base", "HEAD", "api/users.yaml", "--pact", "pact.json"]

    code, out, _ = run_cli(args)
    assert code == 0
    assert "response.property.removed" in out
    assert "no consumer relies" in out

    code, out, _ = run_cli([*args, "--strict"])
    assert code == 1
    assert out.rstrip().endswith("failed (breaking changes with --strict)")


def test_spec_that_is_new_at_head_is_not_compared(repo: Path, run_cli: CliRun) -> None:
    (repo / "api" / "orders.yaml").write_text(SPEC, encoding="utf-8")
    code, out, _ = run_cli(["diff", "--base", "HEAD", "api/orders.yaml"])
    assert code == 0
    assert "the spec is new: it does not exist at HEAD" in out


def test_every_configured_service_against_a_revision(repo: Path, run_cli: CliRun) -> None:
    (repo / "contractgate.toml").write_text(
        textwrap.dedent(
            """\
            pacts = ["pact.json"]
            [services.users]
            spec = "api/users.yaml"
            [services.orders]
            spec = "api/orders.yaml"
            """
        ),
        encoding="utf-8",
    )
    (repo / "api" / "orders.yaml").write_text(SPEC, encoding="utf-8")
    user = repo / "api" / "schemas" / "user.yaml"
    user.write_text(USER.replace("{type: string}\n  name", "{type: integer}\n  name"))

    code, out, _ = run_cli(["diff", "--base", "HEAD", "--json"])

    assert code == 1
    results = {r["service"]: r for r in json.loads(out)["results"]}
    assert results["orders"]["note"] == "the spec is new: it does not exist at HEAD"
    (change,) = results["users"]["changes"]
    assert (change["rule"], change["consumers"]) == ("response.type.changed", ["web"])

    code, out, _ = run_cli(["diff", "--base", "HEAD", "--service", "orders"])
    assert code == 0
    assert out.startswith("orders: HEAD:api/orders.yaml -> api/orders.yaml\n")


def test_unknown_revision_is_bad_input(repo: Path, run_cli: CliRun) -> None:
    code, out, err = run_cli(["diff", "--base", "no-such-branch", "api/users.yaml"])
    assert code == 2
    assert out == ""
    assert err.startswith("error: --base: unknown git revision 'no-such-branch'")


def test_invalid_old_spec_names_the_revision(repo: Path, run_cli: CliRun) -> None:
    (repo / "api" / "users.yaml").write_text("openapi: 3.1.0\npaths: [unclosed\n")
    git(repo, "commit", "-q", "-am", "broken")
    (repo / "api" / "users.yaml").write_text(SPEC, encoding="utf-8")

    code, _, err = run_cli(["diff", "--base", "HEAD", "api/users.yaml"])

    assert code == 2
    assert err.startswith("error: HEAD:api/users.yaml:3:1: invalid YAML")
    assert "Traceback" not in err


def test_old_spec_with_a_missing_referenced_file_names_the_revision(
    repo: Path, run_cli: CliRun
) -> None:
    git(repo, "rm", "-q", "api/schemas/user.yaml")
    git(repo, "commit", "-q", "-m", "lost the schema")
    (repo / "api" / "schemas").mkdir()
    (repo / "api" / "schemas" / "user.yaml").write_text(USER, encoding="utf-8")

    code, _, err = run_cli(["diff", "--base", "HEAD", "api/users.yaml"])

    assert code == 2
    assert "HEAD:api/users.yaml:" in err
    assert "names a file that does not exist (HEAD:api/schemas/user.yaml)" in err


def test_spec_outside_a_repository_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: CliRun
) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "users.yaml").write_text(SPEC.replace('"schemas/user.yaml"', "{}"))
    monkeypatch.chdir(alone)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))

    code, _, err = run_cli(["diff", "--base", "HEAD", "users.yaml"])

    assert code == 2
    assert err.startswith("error: users.yaml: is not in a git work tree")


def test_library_helper_removes_its_folder(repo: Path, tmp_path: Path) -> None:
    with spec_at_ref("api/users.yaml", "HEAD") as old:
        assert old.label == "HEAD:api/users.yaml"
        assert old.spec is not None
        folder = Path(old.spec.source).parents[1]
        assert (folder / "api" / "schemas" / "user.yaml").read_text() == USER
    assert not folder.exists()
