"""A spec as it was at a git revision, with every file its ``$ref``\\ s reach.

:func:`spec_at_ref` copies the spec file and, following its ``$ref``\\ s, each file it
refers to (transitively) out of the revision into a temporary folder, keeping their
places relative to the repository root so that relative references resolve as they
did, and removes the folder when the ``with`` block ends. Errors in those files name
them as ``REF:path``.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .._documents import parse_document, walk
from .._errors import InputError, SetupError
from .._openapi import Spec, load_spec

GIT_TIMEOUT = 60.0


@dataclass(frozen=True)
class SpecAtRef:
    """The old spec: ``label`` is ``REF:path``; ``spec`` is None when the file is new."""

    label: str
    spec: Spec | None


@contextmanager
def spec_at_ref(path: str | os.PathLike[str], ref: str) -> Iterator[SpecAtRef]:
    """The spec at ``path`` (in a git work tree) as it was at revision ``ref``.

    The files live in a temporary folder until the ``with`` block ends, so use the
    spec inside it. Raises :class:`InputError` when ``path`` is not in a git work tree
    or ``ref`` names no commit.
    """
    spec_path = Path(path).resolve()
    root = _root(spec_path, str(path))
    rel = spec_path.relative_to(root).as_posix()
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if commit.returncode != 0 or not ref.strip():
        raise InputError(
            f"unknown git revision {ref!r}",
            source="--base",
            hint="name a branch, tag or commit of the repository, e.g. origin/main or HEAD~1",
        )
    sha = commit.stdout.decode().strip()
    label = f"{ref}:{rel}"
    with tempfile.TemporaryDirectory(prefix="contractgate-diff-") as tmp:
        folder = Path(tmp)
        if not _materialize(root, sha, rel, folder):
            yield SpecAtRef(label, None)
            return
        try:
            yield SpecAtRef(label, load_spec(folder / rel))
        except InputError as exc:
            raise _relabel(exc, folder, ref) from None


def _root(spec_path: Path, shown: str) -> Path:
    folder = spec_path.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    top = _git(["rev-parse", "--show-toplevel"], folder)
    if top.returncode != 0:
        raise InputError(
            "is not in a git work tree",
            source=shown,
            hint="--base takes the old spec from git; otherwise give OLD and NEW files",
        )
    root = Path(top.stdout.decode().strip()).resolve()
    if not spec_path.is_relative_to(root):
        raise InputError("is outside the git work tree", source=shown)
    return root


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=GIT_TIMEOUT,
            check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError:
        raise SetupError(
            "git is not installed", hint="--base needs git; otherwise give OLD and NEW files"
        ) from None
    except subprocess.TimeoutExpired:
        raise SetupError(f"git {args[0]} did not finish within {GIT_TIMEOUT:g} s") from None


def _materialize(root: Path, sha: str, rel: str, folder: Path) -> bool:
    """Copy ``rel`` and the files its ``$ref``\\ s reach out of commit ``sha``.

    False when ``rel`` itself does not exist there. A referenced file that is missing
    or does not parse is left for :func:`load_spec` to report with its ``$ref``.
    """
    pending, seen = [rel], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        blob = _git(["cat-file", "blob", f"{sha}:{name}"], root)
        if blob.returncode != 0:
            if name == rel:
                return False
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.stdout)
        try:
            data = parse_document(name, blob.stdout.decode("utf-8-sig")).data
        except (InputError, UnicodeDecodeError):
            continue
        for _, node in walk(data):
            ref = node.get("$ref") if isinstance(node, dict) else None
            file_part = ref.partition("#")[0] if isinstance(ref, str) else ""
            if file_part and "://" not in file_part:
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(name), file_part))
                if not joined.startswith("../"):
                    pending.append(joined)
    return True


def _relabel(exc: InputError, folder: Path, ref: str) -> InputError:
    """The same error, naming files as ``REF:path`` instead of their temporary copies."""

    def fix(text: str | None) -> str | None:
        if text is None:
            return None
        for prefix in {str(folder), str(folder.resolve())}:
            text = text.replace(prefix + os.sep, f"{ref}:")
        return text

    return InputError(
        fix(exc.message) or exc.message,
        source=fix(exc.source),
        place=fix(exc.place),
        hint=fix(exc.hint),
    )
