"""``contractgate.toml``: which services there are, their specs, pacts, providers and scenarios.

:func:`find_config` looks from the working directory upwards; :func:`load_config`
validates the file into a frozen :class:`Config` (paths resolved against the file's
folder) or raises one :class:`InputError` naming the key. Nothing else in the library
reads configuration files: stages take the :class:`Config` they are given.

The format, in short (the README documents every key)::

    pacts = ["contracts/*.json"]          # pact files; each serves the provider it names
    reports = "reports"

    [services.user-service]
    spec = "openapi/user-service.yaml"
    scenarios = "stubs/user-service.yaml"
    headers = { Authorization = "Bearer ${USER_SERVICE_TOKEN:-test-token}" }

    [services.user-service.provider]
    command = ["{python}", "-m", "myapp", "--port", "{port}"]   # or: base_url = "http://..."
    health = "/health"
    states = "/_pact/provider-states"

    [resilience]                          # the consumer's tests against the stubs
    tests = ["tests/resilience"]
    consumer = "orchestrator"
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._documents import read_text
from ._errors import InputError

CONFIG_NAME = "contractgate.toml"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class ProviderConfig:
    """How to reach a running provider: a command contractgate starts, or a base URL."""

    command: tuple[str, ...] | None = None
    base_url: str | None = None
    health: str = "/"
    states: str | None = None
    startup_timeout: float = 20.0
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FuzzConfig:
    """Budget of the fuzz stage."""

    max_examples: int = 25
    seed: int | None = None


@dataclass(frozen=True)
class ResilienceConfig:
    """The consumer's resilience tests: pytest arguments run against contractgate's stubs."""

    tests: tuple[str, ...]
    consumer: str | None = None
    timeout: float = 600.0


@dataclass(frozen=True)
class ServiceConfig:
    """One provider service: its spec, the pacts naming it, its scenarios and how to reach it."""

    name: str
    spec: Path
    pacts: tuple[Path, ...] = ()
    scenarios: Path | None = None
    provider: ProviderConfig | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """The whole configuration: services by name, where pacts and reports live."""

    path: Path | None
    root: Path
    services: dict[str, ServiceConfig]
    pacts: tuple[Path, ...] = ()
    reports: Path = Path("reports")
    mountebank_url: str | None = None
    fuzz: FuzzConfig = field(default_factory=FuzzConfig)
    resilience: ResilienceConfig | None = None

    def service(self, name: str) -> ServiceConfig:
        """The service called ``name``, or an :class:`InputError` listing the known ones."""
        if name in self.services:
            return self.services[name]
        known = ", ".join(sorted(self.services)) or "none"
        close = difflib.get_close_matches(name, list(self.services), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known services: {known}"
        raise InputError(f"no service named {name!r}", source=str(self.path or ""), hint=hint)

    def pacts_for(self, service: ServiceConfig) -> tuple[Path, ...]:
        """The pact files of a service: its own list, else the shared ones (filtered on load)."""
        return service.pacts or self.pacts


def expand_env(value: str, *, source: str = "", place: str = "") -> str:
    """Replace ``${NAME}`` and ``${NAME:-default}`` with environment values."""

    def replace(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        if name in os.environ:
            return os.environ[name]
        if default is not None:
            return default
        raise InputError(
            f"environment variable {name} is not set",
            source=source,
            place=place,
            hint=f"export {name}=... or write ${{{name}:-default}}",
        )

    return _ENV_REF.sub(replace, value)


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``contractgate.toml`` in ``start`` (default: the working directory) or above."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


class _Reader:
    """Typed access to the TOML tree, with errors that name the dotted key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, message: str, hint: str | None = None) -> InputError:
        return InputError(message, source=self.source, place=key, hint=hint)

    def table(self, data: Any, key: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(key, f"{key} must be a table")
        for name in data:
            if name not in allowed:
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else "allowed: " + ", ".join(sorted(allowed))
                )
                raise self.fail(f"{key}.{name}" if key else name, f"unknown key {name!r}", hint)
        return data

    def string(
        self, data: dict[str, Any], key: str, name: str, default: str | None = None
    ) -> str | None:
        value = data.get(name, default)
        if value is not None and (not isinstance(value, str) or not value):
            raise self.fail(f"{key}.{name}".lstrip("."), f"{name} must be a non-empty string")
        return value

    def strings(self, data: dict[str, Any], key: str, name: str) -> tuple[str, ...]:
        value = data.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{key}.{name}".lstrip("."), f"{name} must be a list of strings")
        return tuple(value)

    def number(
        self, data: dict[str, Any], key: str, name: str, default: float, *, minimum: float
    ) -> float:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.fail(f"{key}.{name}", f"{name} must be a number >= {minimum:g}")
        return float(value)


def load_config(path: str | Path) -> Config:
    """Read and validate a ``contractgate.toml``."""
    source, text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", message)
        place = f"{m.group(1)}:{m.group(2)}" if m else None
        raise InputError(
            f"invalid TOML: {message.split(' (at ', maxsplit=1)[0]}", source=source, place=place
        ) from None
    root = Path(path).resolve().parent
    r = _Reader(source)
    r.table(data, "", {"pacts", "reports", "services", "mountebank", "fuzz", "resilience"})

    def resolve(raw: str) -> Path:
        p = Path(raw)
        return p if p.is_absolute() else root / p

    services_value = data.get("services", {})
    names = set(services_value) if isinstance(services_value, dict) else set()
    services_raw = r.table(services_value, "services", names)
    if not services_raw:
        raise r.fail(
            "services", "no services are configured", hint="add a [services.NAME] table with a spec"
        )
    services = {}
    for name, raw in services_raw.items():
        key = f"services.{name}"
        raw = r.table(raw, key, {"spec", "pacts", "scenarios", "provider", "headers"})
        spec = r.string(raw, key, "spec")
        if spec is None:
            raise r.fail(key, f"service {name!r} has no spec", hint='add spec = "openapi/....yaml"')
        headers = raw.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise r.fail(f"{key}.headers", "headers must be a table of strings")
        scenarios = r.string(raw, key, "scenarios")
        services[name] = ServiceConfig(
            name=name,
            spec=resolve(spec),
            pacts=tuple(p for g in r.strings(raw, key, "pacts") for p in _glob(root, g)),
            scenarios=resolve(scenarios) if scenarios else None,
            provider=_provider(r, raw.get("provider"), f"{key}.provider")
            if "provider" in raw
            else None,
            headers=dict(headers),
        )
    mountebank = r.table(data.get("mountebank", {}), "mountebank", {"url"})
    fuzz = r.table(data.get("fuzz", {}), "fuzz", {"max_examples", "seed"})
    seed = fuzz.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise r.fail("fuzz.seed", "seed must be a whole number")
    reports = r.string(data, "", "reports", "reports") or "reports"
    resilience = None
    if "resilience" in data:
        raw_res = r.table(data["resilience"], "resilience", {"tests", "consumer", "timeout"})
        tests = r.strings(raw_res, "resilience", "tests")
        if not tests:
            raise r.fail("resilience.tests", "tests must name the resilience test files or folders")
        resilience = ResilienceConfig(
            tests=tests,
            consumer=r.string(raw_res, "resilience", "consumer"),
            timeout=r.number(raw_res, "resilience", "timeout", 600.0, minimum=1),
        )
    return Config(
        path=Path(path).resolve(),
        root=root,
        services=services,
        pacts=tuple(p for g in r.strings(data, "", "pacts") for p in _glob(root, g)),
        reports=resolve(reports),
        mountebank_url=r.string(mountebank, "mountebank", "url"),
        fuzz=FuzzConfig(
            max_examples=int(r.number(fuzz, "fuzz", "max_examples", 25, minimum=1)), seed=seed
        ),
        resilience=resilience,
    )


def _provider(r: _Reader, raw: Any, key: str) -> ProviderConfig:
    raw = r.table(raw, key, {"command", "base_url", "health", "states", "startup_timeout", "env"})
    command = r.strings(raw, key, "command") or None
    base_url = r.string(raw, key, "base_url")
    if (command is None) == (base_url is None):
        raise r.fail(
            key,
            "give exactly one of command or base_url",
            hint="command starts the provider; base_url reaches a running one",
        )
    env = raw.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        raise r.fail(f"{key}.env", "env must be a table of strings")
    return ProviderConfig(
        command=command,
        base_url=base_url,
        health=r.string(raw, key, "health", "/") or "/",
        states=r.string(raw, key, "states"),
        startup_timeout=r.number(raw, key, "startup_timeout", 20.0, minimum=0.1),
        env=dict(env),
    )


def _glob(root: Path, pattern: str) -> list[Path]:
    p = Path(pattern)
    if not any(ch in pattern for ch in "*?["):
        return [p if p.is_absolute() else root / p]
    if p.is_absolute():
        # Path.glob takes relative patterns only: glob from the anchor instead.
        return sorted(Path(p.anchor).glob(str(p.relative_to(p.anchor))))
    return sorted(root.glob(pattern))
