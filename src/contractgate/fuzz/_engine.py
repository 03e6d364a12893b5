"""Driving schemathesis (4.x): the only module that imports it.

A run is schemathesis's own engine, the one ``schemathesis run`` drives, configured
the way its documented config file would (``seed``, ``generation.max-examples``,
``checks``, ``continue-on-failure``...): its phases (explicit examples, coverage of
boundaries, random fuzzing, stateful sequences along the spec's links) send both
valid and invalid inputs. Its events are turned into contractgate's results as they
arrive.

Reproducibility and a clean working directory: one worker (cases come in a fixed
order for a seed), no example database, no schemathesis cache (it would replay the
requests of earlier runs), and Hypothesis's own storage in contractgate's user cache
folder instead of ``./.hypothesis``. With no example database, all Hypothesis keeps
there is its Unicode tables, which take a second or more to compute: kept, the next
run does not pay for them again.
"""

from __future__ import annotations

import copy
import hashlib
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .._errors import InputError, ServiceError
from .._openapi import Spec
from .._provider import redact_headers
from ._reproduce import curl_command
from ._results import FuzzError, FuzzFailure, FuzzRequest, OperationFuzz

DEFAULT_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
)
"""Server errors, undocumented statuses, content types, response schemas and headers, and
invalid input that was accepted."""
UNRESPONSIVE_SCENARIOS = 3
"""Scenarios in a row without a single answer after which the provider counts as gone."""
_SHOWN_RESPONSE = 500
_NOT_IN_FINGERPRINT = frozenset({"x-schemathesis-testcaseid", "user-agent"})


@dataclass
class EngineRun:
    """What one schemathesis run found, by operation label (``GET /users/{userId}``)."""

    operations: dict[str, OperationFuzz]
    errors: list[FuzzError] = field(default_factory=list)
    fingerprint: str = ""
    response_ms: list[float] = field(default_factory=list)
    # Per operation, (check, schemathesis failure) of each reported failure, in order:
    # schemathesis's failures compare equal when they are the same finding.
    found: dict[str, list[tuple[str, Any]]] = field(default_factory=dict, repr=False)


def run_engine(
    spec: Spec,
    *,
    base_url: str,
    headers: Mapping[str, str],
    templates: Mapping[str, str],
    max_examples: int,
    seed: int,
    checks: Sequence[str],
    timeout: float,
) -> EngineRun:
    """Fuzz the provider at ``base_url`` (its root: the spec's base path is added) from ``spec``.

    ``headers`` go with every request; ``templates`` are the configured (unexpanded)
    values of credential headers, used in reproduction commands.
    """
    import schemathesis
    from schemathesis import checks as known_checks
    from schemathesis.config import ConfigError, SchemathesisConfig
    from schemathesis.core.errors import LoaderError
    from schemathesis.engine import StopReason, events, from_schema

    known_checks.load_all_checks()
    known = known_checks.CHECKS.get_all_names()
    for name in checks:
        if name not in known:
            raise InputError(f"unknown check {name!r}", hint="known: " + ", ".join(sorted(known)))
    settings = {
        "seed": seed,
        "color": False,
        "cache": {"enabled": False},
        "headers": dict(headers),
        "workers": 1,
        "continue-on-failure": True,
        "request-timeout": timeout,
        "generation": {"max-examples": max_examples, "database": "none"},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in checks}},
    }
    try:
        config = SchemathesisConfig.from_dict(settings)
        schema = schemathesis.openapi.from_dict(copy.deepcopy(spec.document.data), config=config)
    except ConfigError as exc:
        raise InputError(f"schemathesis refuses the settings: {exc}") from None
    except LoaderError as exc:
        raise InputError(f"schemathesis cannot use this spec: {exc}", source=spec.source) from None
    schema.location = Path(spec.source).resolve().as_uri()
    schema.config.base_url = _api_url(base_url, schema.base_path)

    run = EngineRun(operations={op.key: OperationFuzz(op.key) for op in spec.operations})
    digest = hashlib.sha256()
    quiet = 0
    with _hypothesis_storage():
        stream = from_schema(schema).execute()
        for event in stream:
            if isinstance(event, events.ScenarioFinished):
                recorder = event.recorder
                _count(run, recorder, digest)
                _collect(run, recorder, event.phase.value, templates)
                answered = recorder.has_responses()
                quiet = 0 if answered or not recorder.interactions else quiet + 1
                if quiet == UNRESPONSIVE_SCENARIOS:
                    run.errors.append(
                        FuzzError(
                            f"the provider stopped answering: no response to any request of "
                            f"the last {quiet} scenarios (refused, or over {timeout:g}s); "
                            "run stopped"
                        )
                    )
                    stream.stop()
            elif isinstance(event, events.NonFatalError):
                _error(run, event)
            elif isinstance(event, events.Interrupted):
                raise KeyboardInterrupt  # schemathesis caught Ctrl-C; the caller decides
            elif isinstance(event, events.FatalError):
                raise ServiceError(f"schemathesis stopped: {_first_line(event.exception)}")
            elif (
                isinstance(event, events.EngineFinished)
                and event.stop_reason == StopReason.SERVER_UNAVAILABLE
                and not run.errors
            ):
                run.errors.append(FuzzError("the provider stopped answering; run stopped"))
    run.fingerprint = digest.hexdigest()
    return run


def _api_url(base_url: str, base_path: str) -> str:
    """The provider's root plus the spec's base path (unless the URL already ends with it)."""
    base, path = base_url.rstrip("/"), base_path.rstrip("/")
    return base if not path or base.endswith(path) else base + path


def hypothesis_home() -> Path:
    """Where Hypothesis keeps its files during a run: ``$XDG_CACHE_HOME/contractgate/
    hypothesis`` (``~/.cache/...`` by default)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "contractgate" / "hypothesis"


@contextmanager
def _hypothesis_storage() -> Iterator[None]:
    """Hypothesis's storage (``.hypothesis``) in :func:`hypothesis_home` for the block, or
    in a temporary folder when that cannot be written."""
    from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

    previous = storage_directory(intent_to_write=False).home_directory
    with ExitStack() as stack:
        home = hypothesis_home()
        try:
            home.mkdir(parents=True, exist_ok=True)
            writable = os.access(home, os.W_OK)
        except OSError:
            writable = False
        if not writable:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="contractgate-")))
        set_hypothesis_home_dir(str(home))
        try:
            yield
        finally:
            set_hypothesis_home_dir(previous)


def _count(run: EngineRun, recorder: Any, digest: Any) -> None:
    """Count the requests sent per operation, keep their response times, and add them to
    the run's fingerprint.

    The fingerprint covers what was sent (method, path, query, headers, body) in order,
    so two runs with the same seed against the same provider have the same one.
    """
    for case_id, interaction in recorder.interactions.items():
        node = recorder.cases.get(case_id)
        if node is None:
            continue
        label = node.value.operation.label
        run.operations.setdefault(label, OperationFuzz(label)).cases += 1
        if interaction.response is not None:
            run.response_ms.append(round(interaction.response.elapsed * 1000, 3))
        request = interaction.request
        kept = sorted(
            (k.lower(), v)
            for k, vs in request.headers.items()
            for v in vs
            if k.lower() not in _NOT_IN_FINGERPRINT
        )
        url = urlsplit(request.uri)  # the port changes from run to run; the rest must not
        digest.update(repr((request.method, url.path, url.query, kept, request.body)).encode())


def _collect(run: EngineRun, recorder: Any, phase: str, templates: Mapping[str, str]) -> None:
    """Turn the scenario's failed checks into failures, one per operation, check and kind."""
    for checked_id, checks in recorder.checks.items():
        for check in checks:
            info = check.failure_info
            if info is None:
                continue
            failure = info.failure
            case_id = failure.case_id or checked_id
            node = recorder.cases.get(case_id)
            label = failure.operation or (node.value.operation.label if node else "")
            operation = run.operations.setdefault(label, OperationFuzz(label))
            found = run.found.setdefault(label, [])
            for index, (name, earlier) in enumerate(found):
                if name == check.name and earlier == failure:
                    known = operation.failures[index]
                    operation.failures[index] = replace(known, count=known.count + 1)
                    break
            else:
                found.append((check.name, failure))
                operation.failures.append(
                    _failure(
                        recorder,
                        case_id,
                        label=label,
                        check=check.name,
                        failure=failure,
                        phase=phase,
                        templates=templates,
                    )
                )


def _failure(
    recorder: Any,
    case_id: str,
    *,
    label: str,
    check: str,
    failure: Any,
    phase: str,
    templates: Mapping[str, str],
) -> FuzzFailure:
    interaction = recorder.interactions.get(case_id)
    request = interaction.request if interaction is not None else None
    response = interaction.response if interaction is not None else None
    headers = {k: vs[0] for k, vs in request.headers.items()} if request is not None else {}
    body = request.body if request is not None else None
    return FuzzFailure(
        operation=label,
        check=check,
        code=str(getattr(failure, "code", "")),
        title=str(failure.title),
        message=str(failure.message),
        severity=str(getattr(failure.severity, "value", failure.severity)),
        phase=phase,
        status=response.status_code if response is not None else None,
        response=_shown_response(response),
        request=FuzzRequest(
            method=request.method if request is not None else "",
            url=request.uri if request is not None else "",
            headers=redact_headers(headers),
            body=body.decode("utf-8", errors="replace") if body else None,
        ),
        reproduce=curl_command(request.method, request.uri, headers, body, templates=templates)
        if request is not None
        else "",
    )


def _shown_response(response: Any) -> str | None:
    if response is None or not response.content:
        return None
    text: str = response.content[:_SHOWN_RESPONSE].decode("utf-8", errors="replace")
    return text + ("..." if len(response.content) > _SHOWN_RESPONSE else "")


def _error(run: EngineRun, event: Any) -> None:
    label = event.label if event.related_to_operation else None
    error = FuzzError(
        message=f"{event.info.title}: {_first_line(event.value)}",
        operation=label,
        phase=event.phase.value if event.phase is not None else None,
    )
    if label is not None:
        run.operations.setdefault(label, OperationFuzz(label)).errors.append(error)
    else:
        run.errors.append(error)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
