"""What a detached ``contractgate stub up`` records, so other shells can find its stubs.

The state lives in ``.contractgate/stubs.json`` beside the configuration (or in the
working directory for ad-hoc stubs): the supervising process, the Mountebank URL,
and per service its port, scenario, seed, the files it was built from and (served
lazily) its materializer's URL, so ``stub scenario`` can rebuild a service's
imposter without the original command.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .._config import ServiceConfig
from .._errors import InputError
from .._openapi import load_spec
from .._pact import load_pact
from .._project import Service
from ._runtime import Stub

STATE_DIR = ".contractgate"
STATE_NAME = "stubs.json"


def state_path(root: Path) -> Path:
    """Where the state of detached stubs of the project at ``root`` is kept."""
    return root / STATE_DIR / STATE_NAME


@dataclass
class StubRecord:
    """One running stub: where it listens and what it was built from."""

    name: str
    port: int
    url: str
    scenario: str
    seed: int
    spec: str
    pacts: list[str] = field(default_factory=list)
    scenarios: str | None = None
    states: list[str] | None = None
    carried: int = 0
    """Added to Mountebank's request count (see :meth:`Stub.count_offset`)."""
    materializer: str | None = None
    """URL of the supervisor's materializer, when the stub is served lazily."""

    def service(self) -> Service:
        """The service model again, from the recorded files."""
        config = ServiceConfig(
            name=self.name,
            spec=Path(self.spec),
            pacts=tuple(Path(p) for p in self.pacts),
            scenarios=Path(self.scenarios) if self.scenarios else None,
        )
        return Service(config, load_spec(self.spec), [load_pact(p) for p in self.pacts])

    @classmethod
    def of(cls, stub: Stub) -> StubRecord:
        """A record of a running stub."""
        service = stub.service
        return cls(
            name=service.name,
            port=stub.port,
            url=stub.url,
            scenario=stub.scenario,
            seed=stub.seed,
            spec=str(Path(service.config.spec).resolve()),
            pacts=[str(Path(p.source).resolve()) for p in service.pacts],
            scenarios=str(service.config.scenarios.resolve()) if service.config.scenarios else None,
            states=list(stub.states) if stub.states is not None else None,
            materializer=stub.materializer.url if stub.materializer is not None else None,
        )


@dataclass
class StubState:
    """The detached stubs of a project."""

    path: Path
    pid: int
    mountebank_url: str
    owned: bool
    stubs: list[StubRecord]

    def record(self, name: str) -> StubRecord:
        """The record of the stub of service ``name``."""
        for record in self.stubs:
            if record.name == name:
                return record
        known = ", ".join(r.name for r in self.stubs)
        raise InputError(f"no stub of {name!r} is running", hint=f"running: {known}")

    def alive(self) -> bool:
        """Whether the supervising ``stub up`` process still runs."""
        return process_alive(self.pid)

    def save(self) -> None:
        """Write the state (atomically: readers never see half a file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "pid": self.pid,
            "mountebank_url": self.mountebank_url,
            "owned": self.owned,
            "stubs": [asdict(r) for r in self.stubs],
        }
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        partial.replace(self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> StubState | None:
        """The recorded state, or None when there is none."""
        if not path.is_file():
            return None
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                path=path,
                pid=int(data["pid"]),
                mountebank_url=str(data["mountebank_url"]),
                owned=bool(data["owned"]),
                stubs=[StubRecord(**r) for r in data["stubs"]],
            )
        except (OSError, ValueError, KeyError, TypeError):
            raise InputError(
                "the stub state file is damaged",
                source=str(path),
                hint="stop any `stub up` still running by hand, then delete the file",
            ) from None


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs and (where ``/proc`` tells) is a contractgate process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process: the PID was reused
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            return b"contractgate" in cmdline.read_bytes()
        except OSError:
            return False
    return True
