"""Replaying pacts with pact-python's verifier (its Rust core), and reading what it found.

Three things about the verifier shape this module. It prints its report on the
process's standard output (file descriptor 1, not ``sys.stdout``), so the run is
wrapped in a descriptor-level capture: a library never writes to the terminal, and
``--json`` stays clean. A failed verification is a bare ``RuntimeError``: the facts
are in ``verifier.results`` (per interaction: result, pending flag, mismatches), which
is what is read here. And it reports usage to pact's servers unless
``PACT_DO_NOT_TRACK`` is set, so it is set before pact is imported.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .._errors import ServiceError
from .._pact import ABSENT, Interaction, Pact, Request, Rule, Token, is_ruby
from .._provider import LOOPBACK, REDACTED, is_secret_header
from ._results import Mismatch

_KINDS = {
    "StatusMismatch": "status",
    "HeaderMismatch": "header",
    "BodyMismatch": "body",
    "BodyTypeMismatch": "body-type",
    "QueryMismatch": "query",
    "PathMismatch": "path",
    "MethodMismatch": "method",
    "MetadataMismatch": "metadata",
}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m)\b")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0}


@dataclass(frozen=True)
class Outcome:
    """What the verifier said about one interaction."""

    consumer: str
    description: str
    states: tuple[str, ...]
    ok: bool
    pending: bool
    duration: float
    mismatches: tuple[Mismatch, ...] = ()
    error: str | None = None


def replay(
    pacts: Sequence[Pact],
    *,
    provider: str,
    url: str,
    states_url: str | None,
    headers: Mapping[str, str],
    timeout: float,
) -> list[Outcome]:
    """Verify the HTTP interactions of ``pacts`` against ``url``; one outcome each, in run order.

    ``headers`` are sent with every request (replacing the pact's own values, e.g. a
    real token); ``timeout`` bounds each request and each provider-state call.
    """
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    from pact import Verifier

    verifier = Verifier(provider, host=LOOPBACK)
    verifier.add_transport(url=url)
    verifier.set_request_timeout(max(1, round(timeout * 1000)))
    verifier.set_coloured_output(enabled=False)
    for name, value in headers.items():
        verifier.add_custom_header(name, value)
    if states_url:
        verifier.state_handler(states_url, teardown=True, body=True)
    with tempfile.TemporaryDirectory(prefix="contractgate-verify-") as folder:
        for number, pact in enumerate(pacts):
            verifier.add_source(_http_only(pact, Path(folder) / f"pact-{number}.json"))
        # A failed verification raises a bare RuntimeError: the facts are in the results.
        with _captured_output(), suppress(RuntimeError):
            verifier.verify()
        results: dict[str, Any] = verifier.results
    outcomes = [_outcome(raw) for raw in results.get("interactionResults") or []]
    if not outcomes and not results.get("result", False):
        text = verifier.output(strip_ansi=True).strip()
        raise ServiceError(f"pact's verifier failed before any interaction ran: {text}")
    return outcomes


def _http_only(pact: Pact, path: Path) -> str:
    """Write the pact as loaded minus its non-HTTP interactions (the verifier cannot use them).

    pact-ruby's inline matchers (``{"json_class": "Pact::Term", ...}``) mean nothing to
    the verifier, which would compare them as literal objects: such interactions are
    written as V2 ones, the examples in place and the matchers as ``matchingRules``.
    """
    data = dict(pact.document.data)
    key = "interactions" if "interactions" in data else "messages"
    raws = data.get(key) or []
    data[key] = [
        _without_ruby_matchers(raws[i.index], i) if is_ruby(raws[i.index]) else raws[i.index]
        for i in pact.http()
    ]
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and "plugins" in metadata:
        # The plugin interactions are gone; left listed, the verifier would fetch them.
        data["metadata"] = {k: v for k, v in metadata.items() if k != "plugins"}
    if pact.spec_version in ("1.0.0", "1.1.0"):
        # Without it the verifier reads the file as V3 and misreads V2 rule keys.
        data["metadata"] = {"pactSpecification": {"version": "2.0.0"}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _without_ruby_matchers(raw: dict[str, Any], interaction: Interaction) -> dict[str, Any]:
    raw = dict(raw)
    for side, message in (("request", interaction.request), ("response", interaction.response)):
        if message is None or not isinstance(raw.get(side), dict):
            continue
        part = dict(raw[side])
        if is_ruby(part.get("headers")):
            part["headers"] = message.headers
        if isinstance(message, Request) and is_ruby(part.get("query")):
            part["query"] = urlencode([(k, v) for k, vs in message.query.items() for v in vs])
        if is_ruby(part.get("body")) and message.body is not ABSENT:
            part["body"] = message.body
        rules = {
            _v2_expression(category, expr): _v2_matcher(rule)
            for category, by_category in message.rules.items()
            for expr, ruleset in by_category.by_path.items()
            for rule in ruleset.rules[:1]  # V2 holds one matcher per path; ruby states one
        }
        if rules:
            part["matchingRules"] = rules
        raw[side] = part
    return raw


def _v2_matcher(rule: Rule) -> dict[str, Any]:
    """A ruby matcher as a V2 rule. Ruby's ``=~`` finds the regex anywhere in the value;
    the verifier matches the whole value, hence the ``.*`` on both sides."""
    if rule.match == "regex" and isinstance(rule.attrs.get("regex"), str):
        return {"match": "regex", "regex": f".*(?:{rule.attrs['regex']}).*"}
    return {"match": rule.match, **rule.attrs}


def _v2_expression(category: str, expr: tuple[Token, ...]) -> str:
    text = "$." + {"header": "headers"}.get(category, category)
    for token in expr:
        if token == "*":
            text += "[*]"
        elif isinstance(token, int):
            text += f"[{token}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", token):
            text += f".{token}"
        else:
            text += "['" + token.replace("'", "\\'") + "']"
    return text


@contextmanager
def _captured_output() -> Iterator[None]:
    """Send what is written to file descriptors 1 and 2 to a scratch file for the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
    finally:
        for fd in saved:
            os.close(fd)


def _outcome(raw: dict[str, Any]) -> Outcome:
    mismatch = raw.get("mismatch") or {}
    error = None
    mismatches: tuple[Mismatch, ...] = ()
    if mismatch.get("type") == "error":
        error = str(mismatch.get("message") or "the verifier could not check the interaction")
    else:
        mismatches = tuple(_mismatch(m) for m in mismatch.get("mismatches") or [])
    return Outcome(
        consumer=str(raw.get("consumer", "")),
        description=str(raw.get("description", "")),
        states=tuple(str(s) for s in raw.get("providerStates") or []),
        ok=raw.get("result") == "OK",
        pending=bool(raw.get("pending")),
        duration=parse_duration(str(raw.get("duration", ""))),
        mismatches=mismatches,
        error=error,
    )


def _mismatch(raw: dict[str, Any]) -> Mismatch:
    kind = _KINDS.get(str(raw.get("type")), str(raw.get("type") or "mismatch"))
    path = str(raw.get("path") or raw.get("key") or "")
    expected, actual = _decoded(raw.get("expected")), _decoded(raw.get("actual"))
    if kind == "header" and is_secret_header(path):
        expected = actual = REDACTED
    message = str(raw.get("mismatch") or raw.get("message") or f"{kind} differs")
    return Mismatch(kind=kind, message=message, path=path, expected=expected, actual=actual)


def _decoded(value: Any) -> Any:
    """Body mismatch values come as JSON text; show them as values."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse_duration(text: str) -> float:
    """Seconds in a verifier duration such as ``18ms`` or ``1s 21ms`` (0 when there is none)."""
    return sum(float(n) * _UNITS[unit] for n, unit in _DURATION.findall(text))
