"""The loaded model every stage takes: services with their parsed spec and pacts.

Built once per command, from a :class:`Config` (:func:`load_project`) or from paths
given on the command line (:func:`adhoc_project`): both give the same
:class:`Project`, so every stage has one code path whichever way it was called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ._config import Config, ServiceConfig
from ._errors import InputError
from ._openapi import Spec, load_spec
from ._pact import Pact, load_pact


@dataclass
class Service:
    """A provider service with its spec and the pacts of the consumers that call it."""

    config: ServiceConfig
    spec: Spec
    pacts: list[Pact] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.config.name


@dataclass
class Project:
    """The services a command works on, in configuration order."""

    services: list[Service]
    config: Config | None = None

    def service(self, name: str) -> Service:
        """The service called ``name``."""
        for service in self.services:
            if service.name == name:
                return service
        raise InputError(
            f"no service named {name!r}",
            hint="known services: " + ", ".join(s.name for s in self.services),
        )


def load_project(config: Config, names: list[str] | None = None) -> Project:
    """Parse the specs and pacts of the configured services (all, or those in ``names``)."""
    chosen = [config.service(n) for n in names] if names else list(config.services.values())
    cache: dict[Path, Pact] = {}

    def pact(path: Path) -> Pact:
        if path not in cache:
            cache[path] = load_pact(path)
        return cache[path]

    services = []
    for sc in chosen:
        pacts = [pact(p) for p in config.pacts_for(sc)]
        if not sc.pacts:  # shared pact files: keep those that name this provider
            pacts = [p for p in pacts if p.provider == sc.name]
        services.append(Service(sc, load_spec(sc.spec), pacts))
    return Project(services, config)


def adhoc_project(spec: str | Path, pacts: list[str | Path] | None = None) -> Project:
    """A one-service project from a spec path and pact paths, with no config file."""
    loaded = load_spec(spec)
    pact_models = [load_pact(p) for p in pacts or []]
    name = pact_models[0].provider if pact_models else Path(str(spec)).stem
    sc = ServiceConfig(name=name, spec=Path(spec), pacts=tuple(Path(p) for p in pacts or []))
    return Project([Service(sc, loaded, pact_models)])
