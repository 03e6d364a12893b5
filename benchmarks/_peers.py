"""The stub servers the benchmarks compare, behind one interface.

Each adapter's :meth:`serve` starts stubs for some services, waits until every
:class:`Target` answers 200 and yields the URL of each target; leaving the block
stops every process it started. Timing ``serve``'s entry gives the start-up time,
the same way for every server.

- :class:`Prism`: ``prism mock`` of the spec (static examples), one process per service;
- :class:`WireMock`: the standalone jar, one process per service, with mappings made
  from the spec's examples (OSS WireMock does not read OpenAPI);
- :class:`MountebankDirect`: Mountebank with a hand-written style imposter (one stub per
  operation, the same canned examples): the engine without contractgate's design;
- :class:`Contractgate`: contractgate's generated stubs, through its library.

Prism, WireMock and Mountebank-direct send the same responses: the first documented
2xx response of each operation with its first example.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any, Protocol

from _harness import (
    LOOPBACK,
    PEERS_DIR,
    PEERS_INSTALL,
    ROOT,
    Probe,
    ServerProcess,
    free_port,
    spawn,
    wait_ready,
)
from contractgate._errors import SetupError
from contractgate._openapi import Operation, Spec
from contractgate._project import Project, Service
from contractgate.stubs import Latency, LatencyFault, Mountebank, Scenario, StubServer

MOUNTEBANK_DIR = ROOT / "node_modules"
STARTUP_TIMEOUT = 60.0
_Z99 = NormalDist().inv_cdf(0.99)


@dataclass(frozen=True)
class Target:
    """The request a benchmark sends to a service: a concrete path below the base path."""

    service: Service
    path: str
    headers: Mapping[str, str]


class Peer(Protocol):
    """A stub server the benchmarks can start and compare."""

    name: str

    def supports(self, latency: Latency) -> bool:
        """Whether this server can inject ``latency`` (without script injection)."""
        ...

    def serve(
        self, targets: Sequence[Target], latency: Latency | None = None
    ) -> AbstractContextManager[dict[str, str]]:
        """Start stubs of the targets' services; yield each service's target URL."""
        ...


# -- canned responses ------------------------------------------------------------------------


@dataclass(frozen=True)
class Canned:
    """One operation's canned answer: its first 2xx response with its first example."""

    method: str
    path_regex: str
    status: int
    headers: dict[str, str]
    body: str


_REGEX_SPECIAL = re.compile(r"([.^$*+?()\[\]{}|\\])")
_PARAM = re.compile(r"\{[^{}/]+\}")


def path_regex(base_path: str, template: str) -> str:
    """An anchored regex for concrete paths of ``template`` below ``base_path``.

    Only regex metacharacters are escaped, so Java (WireMock) and JavaScript
    (Mountebank) read the pattern the same way.
    """
    literals = _PARAM.split(base_path.rstrip("/") + template)
    return "^" + "[^/]+".join(_REGEX_SPECIAL.sub(r"\\\1", part) for part in literals) + "$"


def _base_path(spec: Spec) -> str:
    """The path the spec's first server URL puts before every operation (``/v1``), or ""."""
    return (spec.base_paths[0] if spec.base_paths else "").rstrip("/")


def _canned(spec: Spec, operation: Operation) -> Canned:
    statuses = sorted(s for s in operation.responses if s.isdigit())
    status = next((s for s in statuses if s.startswith("2")), statuses[0] if statuses else "200")
    response = operation.responses.get(status)
    headers: dict[str, str] = {}
    body = ""
    if response is not None and response.content:
        media = next(iter(response.content.values()))
        headers["Content-Type"] = media.media_type
        if media.examples:
            example = media.examples[0]
            body = example if isinstance(example, str) else json.dumps(example)
    path = path_regex(_base_path(spec), operation.path)
    return Canned(operation.method, path, int(status), headers, body)


def canned_responses(spec: Spec) -> list[Canned]:
    """The canned answer of every operation of ``spec``, in spec order."""
    return [_canned(spec, op) for op in spec.operations]


# -- adapters --------------------------------------------------------------------------------


def _target_url(port: int, target: Target) -> str:
    """The target's URL on a server that serves the spec's base path (``/v1``)."""
    return f"http://{LOOPBACK}:{port}{_base_path(target.service.spec)}{target.path}"


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise SetupError(
            f"{what} is not installed ({path} is missing)", hint=f"run: {PEERS_INSTALL}"
        )
    return path


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise SetupError("node is not installed or not on PATH", hint="install Node.js 20 or newer")
    return node


def _wait_targets(
    urls: Mapping[str, str], targets: Sequence[Target], processes: Mapping[str, ServerProcess]
) -> None:
    wait_ready(
        [
            Probe(urls[t.service.name], t.headers, peer=processes.get(t.service.name))
            for t in targets
        ],
        timeout=STARTUP_TIMEOUT,
    )


class Prism:
    """Stoplight Prism's ``prism mock``: one process per spec, serving its static examples.

    Prism routes paths without the spec's relative server URL (``/v1``), so its target
    URLs leave the base path out.
    """

    name = "prism"

    def __init__(self, peers_dir: Path = PEERS_DIR) -> None:
        self.script = peers_dir / "@stoplight" / "prism-cli" / "dist" / "index.js"

    def supports(self, latency: Latency) -> bool:
        return False

    @contextmanager
    def serve(
        self, targets: Sequence[Target], latency: Latency | None = None
    ) -> Iterator[dict[str, str]]:
        if latency is not None:
            raise ValueError("Prism cannot inject latency")
        script = _require(self.script, "Prism (@stoplight/prism-cli)")
        node = _node()
        with ExitStack() as stack:
            urls, processes = {}, {}
            for target in targets:
                port = free_port()
                argv = [node, str(script), "mock", "-h", LOOPBACK, "-p", str(port)]
                argv += ["-v", "warn", str(target.service.spec.source)]
                name = target.service.name
                processes[name] = stack.enter_context(spawn(f"prism-{name}", argv))
                urls[name] = f"http://{LOOPBACK}:{port}{target.path}"
            _wait_targets(urls, targets, processes)
            yield urls


class WireMock:
    """WireMock's standalone jar, one process per service, mappings from the canned examples.

    ``journal=False`` starts it with ``--no-request-journal`` (it records by default).
    """

    def __init__(self, *, journal: bool = True, peers_dir: Path = PEERS_DIR) -> None:
        self.journal = journal
        self.name = "wiremock" if journal else "wiremock (no journal)"
        self.peers_dir = peers_dir

    def supports(self, latency: Latency) -> bool:
        return latency.distribution in {"fixed", "uniform", "lognormal"}

    def jar(self) -> Path:
        """The standalone jar the npm package ships."""
        folder = _require(self.peers_dir / "wiremock" / "build", "WireMock")
        jars = sorted(folder.glob("wiremock-standalone-*.jar"))
        if not jars:
            raise SetupError(
                f"no wiremock-standalone jar in {folder}", hint=f"run: {PEERS_INSTALL}"
            )
        return jars[-1]

    @staticmethod
    def mapping(canned: Canned, latency: Latency | None) -> dict[str, Any]:
        """A WireMock stub mapping answering ``canned``, delayed as ``latency`` says."""
        response: dict[str, Any] = {
            "status": canned.status,
            "headers": canned.headers,
            "body": canned.body,
        }
        if latency is not None:
            response.update(WireMock.delay(latency))
        return {
            "request": {"method": canned.method, "urlPathPattern": canned.path_regex},
            "response": response,
        }

    @staticmethod
    def delay(latency: Latency) -> dict[str, Any]:
        """The response fields that make WireMock wait as ``latency`` says."""
        if latency.distribution == "fixed":
            return {"fixedDelayMilliseconds": round(latency.value)}
        if latency.distribution == "uniform":
            distribution = {
                "type": "uniform",
                "lower": round(latency.low),
                "upper": round(latency.high),
            }
        elif latency.distribution == "lognormal":
            sigma = math.log(latency.p99 / latency.p50) / _Z99
            distribution = {"type": "lognormal", "median": latency.p50, "sigma": sigma}
        else:
            raise ValueError(f"WireMock has no {latency.distribution} delay")
        return {"delayDistribution": distribution}

    @contextmanager
    def serve(
        self, targets: Sequence[Target], latency: Latency | None = None
    ) -> Iterator[dict[str, str]]:
        jar = self.jar()
        java = shutil.which("java")
        if java is None:
            raise SetupError("java is not installed or not on PATH", hint="install Java 17+")
        with ExitStack() as stack:
            urls, processes = {}, {}
            for target in targets:
                root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wiremock-")))
                (root / "mappings").mkdir()
                for i, canned in enumerate(canned_responses(target.service.spec)):
                    text = json.dumps(self.mapping(canned, latency))
                    (root / "mappings" / f"{i:04d}.json").write_text(text, encoding="utf-8")
                port = free_port()
                argv = [java, "-jar", str(jar), "--port", str(port), "--bind-address", LOOPBACK]
                argv += ["--disable-banner", "--root-dir", str(root)]
                if not self.journal:
                    argv.append("--no-request-journal")
                name = target.service.name
                processes[name] = stack.enter_context(spawn(f"wiremock-{name}", argv))
                urls[name] = _target_url(port, target)
            _wait_targets(urls, targets, processes)
            yield urls


class MountebankDirect:
    """Mountebank driven by hand: one imposter per service, one stub per operation.

    Each stub matches ``equals`` method and ``matches`` path regex and answers the
    canned example: what a team writes without contractgate. Mountebank is started
    and its imposters created with contractgate's own launcher and client, keep-alive
    and the loopback host set as contractgate does, so the comparison is about the
    imposter's design. A fixed latency uses the ``wait`` behavior; a random one would
    need ``--allowInjection``, which contractgate never enables.
    """

    def __init__(self, *, record_requests: bool = False) -> None:
        self.record_requests = record_requests
        self.name = "mountebank-direct" + (" (recordRequests)" if record_requests else "")

    def supports(self, latency: Latency) -> bool:
        return latency.distribution == "fixed"

    def imposter(self, cans: Sequence[Canned], latency: Latency | None) -> dict[str, Any]:
        """The imposter JSON of one service (Mountebank picks the port)."""
        stubs = []
        for canned in cans:
            # A stub's headers replace defaultResponse's, so each one asks for keep-alive.
            headers = {**canned.headers, "Connection": "keep-alive"}
            response: dict[str, Any] = {
                "is": {"statusCode": canned.status, "headers": headers, "body": canned.body}
            }
            if latency is not None:
                response["_behaviors"] = {"wait": round(latency.value)}
            predicates = [
                {"equals": {"method": canned.method}},
                {"matches": {"path": canned.path_regex}},
            ]
            stubs.append({"predicates": predicates, "responses": [response]})
        return {
            "protocol": "http",
            "host": LOOPBACK,
            "recordRequests": self.record_requests,
            "defaultResponse": {"statusCode": 404, "headers": {"Connection": "keep-alive"}},
            "stubs": stubs,
        }

    @contextmanager
    def serve(
        self, targets: Sequence[Target], latency: Latency | None = None
    ) -> Iterator[dict[str, str]]:
        if latency is not None and not self.supports(latency):
            raise ValueError(f"Mountebank without injection has no {latency.distribution} delay")
        with Mountebank.start(search_from=ROOT) as mb:
            urls = {}
            for target in targets:
                imposter = self.imposter(canned_responses(target.service.spec), latency)
                port = mb.client.create(imposter)
                urls[target.service.name] = _target_url(port, target)
            _wait_targets(urls, targets, {})
            yield urls


class Contractgate:
    """contractgate's stubs: :class:`StubServer` imposters on a Mountebank it starts.

    The services' configured pacts and scenario files apply, as they do for
    ``contractgate stub up``; the happy scenario, or a latency-only one. Recording
    requests is the library's default.
    """

    SEED = 7

    def __init__(self, *, record_requests: bool = True) -> None:
        self.record_requests = record_requests
        self.name = "contractgate" + ("" if record_requests else " (no recordRequests)")

    def supports(self, latency: Latency) -> bool:
        return True

    @contextmanager
    def serve(
        self, targets: Sequence[Target], latency: Latency | None = None
    ) -> Iterator[dict[str, str]]:
        scenario: str | Scenario = "happy"
        if latency is not None:
            scenario = Scenario("benchmark-latency", faults=(LatencyFault(latency=latency),))
        project = Project([t.service for t in targets])
        with (
            Mountebank.start(search_from=ROOT) as mb,
            StubServer(mb, project, record_requests=self.record_requests) as stubs,
        ):
            urls = {}
            for target in targets:
                stub = stubs.start(target.service.name, scenario, seed=self.SEED)
                urls[target.service.name] = _target_url(stub.port, target)
            _wait_targets(urls, targets, {})
            yield urls
