"""What the consumer really uses: Pact files of any specification version as one model.

:func:`load_pact` reads V1.1, V2, V3 and V4 files (from pact-python, pact-js, pact-jvm
or any other implementation) into :class:`Pact`: HTTP interactions with their request,
response and matching rules normalized (pact-ruby's inline V1 matchers, V2's
``$.body.x`` keys and V3/V4 categories alike), and every other kind of interaction
(messages, plugins) kept but marked not applicable, so that nothing is silently
counted as passed. Structural problems are :class:`InputError` with the JSON pointer
of the offending value.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from ._documents import Document, load_document

SPEC_VERSIONS = ("1.0.0", "1.1.0", "2.0.0", "3.0.0", "4.0")
HTTP = "Synchronous/HTTP"
_NOT_HTTP = "not applicable: {kind} interaction (contractgate checks HTTP interactions)"
_KNOWN_KINDS = (HTTP, "Asynchronous/Messages", "Synchronous/Messages")
_MATCHERS = {
    "equality", "regex", "type", "min", "max", "minmax", "include", "integer", "decimal",
    "number", "timestamp", "datetime", "date", "time", "boolean", "null", "contentType",
    "values", "arrayContains", "eachKey", "eachValue", "notEmpty", "semver", "statusCode",
    "eachKeyLike", "eachValueLike",
}  # fmt: skip


class Absent:
    """The body of a request or response that has none (distinct from a JSON ``null``)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()


@dataclass(frozen=True)
class Rule:
    """One matcher: its kind (``type``, ``regex``, ...) and its attributes."""

    match: str
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    """The matchers at one path and how they combine."""

    rules: tuple[Rule, ...]
    combine: str = "AND"

    def kinds(self) -> set[str]:
        return {r.match for r in self.rules}


Token = str | int  # a field name, an array index, or "*" for any


@dataclass(frozen=True)
class Rules:
    """Matching rules of one category (``body``, ``header``, ``query``, ``path``)."""

    by_path: dict[tuple[Token, ...], RuleSet] = field(default_factory=dict)

    def at(self, path: tuple[str | int, ...]) -> RuleSet | None:
        """The rules that govern ``path``: the most specific expression on it or a parent.

        Pact applies a matcher to the value at its path and, where nothing more specific
        is defined, to everything below it (a ``type`` matcher on an object cascades).
        """
        best: tuple[int, RuleSet] | None = None
        for expr, ruleset in self.by_path.items():
            if len(expr) > len(path):
                continue
            if all(t in ("*", p) for t, p in zip(expr, path, strict=False)):
                weight = sum(2 if t != "*" else 1 for t in expr) * 1000 + len(expr)
                if best is None or weight > best[0]:
                    best = (weight, ruleset)
        return best[1] if best else None

    def __bool__(self) -> bool:
        return bool(self.by_path)


@dataclass(frozen=True)
class HttpMessage:
    """The request or response half of an HTTP interaction."""

    headers: dict[str, str]
    body: Any
    rules: dict[str, Rules]
    pointer: str

    def header(self, name: str) -> str | None:
        """A header's value, by case-insensitive name."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None

    @property
    def content_type(self) -> str | None:
        value = self.header("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None

    def rules_for(self, category: str) -> Rules:
        return self.rules.get(category) or Rules()


@dataclass(frozen=True)
class Request(HttpMessage):
    """An interaction's request."""

    method: str = "GET"
    path: str = "/"
    query: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Response(HttpMessage):
    """An interaction's expected response."""

    status: int = 200


@dataclass(frozen=True)
class ProviderState:
    """A provider state an interaction needs, with its parameters (V3+)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Interaction:
    """One interaction of a pact. ``request``/``response`` are None for non-HTTP kinds."""

    index: int
    description: str
    kind: str
    pointer: str
    provider_states: tuple[ProviderState, ...] = ()
    request: Request | None = None
    response: Response | None = None
    not_applicable: str | None = None

    @property
    def label(self) -> str:
        """How reports name the interaction."""
        states = "; ".join(s.name for s in self.provider_states)
        return f"{self.description} (given {states})" if states else self.description


@dataclass
class Pact:
    """A consumer contract: who, with whom, in which specification version, and what."""

    source: str
    consumer: str
    provider: str
    spec_version: str
    interactions: list[Interaction]
    document: Document = field(repr=False)

    def http(self) -> Iterator[Interaction]:
        """The HTTP interactions (the ones contractgate can check, stub and verify)."""
        return (i for i in self.interactions if i.not_applicable is None)


# -- reading -----------------------------------------------------------------------------


def load_pact(path: str | Path) -> Pact:
    """Load a pact file of any specification version into a :class:`Pact`."""
    document = load_document(path)
    return read_pact(document)


def read_pact(document: Document) -> Pact:
    """Build a :class:`Pact` from a parsed document, or raise :class:`InputError`."""
    data = document.data
    consumer = _name(document, data, "consumer")
    provider = _name(document, data, "provider")
    version = _spec_version(document)
    v2 = version in ("1.0.0", "1.1.0", "2.0.0")
    ruby = _RUBY_MARK in document.text
    interactions: list[Interaction] = []
    if "messages" in data and "interactions" not in data:
        messages = _list(document, data["messages"], "/messages")
        for index, raw in enumerate(messages):
            interactions.append(
                Interaction(
                    index=index,
                    description=str((raw or {}).get("description", f"message {index}")),
                    kind="Asynchronous/Messages",
                    pointer=f"/messages/{index}",
                    not_applicable=_NOT_HTTP.format(kind="message"),
                )
            )
    else:
        if "interactions" not in data:
            raise document.error("no 'interactions' list", "", hint="a pact lists its interactions")
        raw_list = _list(document, data["interactions"], "/interactions")
        for index, raw in enumerate(raw_list):
            interactions.append(_interaction(document, raw, index, version, v2, ruby))
    if not interactions:
        raise document.error(
            "the pact has no interactions",
            "/interactions",
            hint="a contract with nothing in it checks nothing",
        )
    return Pact(document.source, consumer, provider, version, interactions, document)


def _name(doc: Document, data: dict[str, Any], role: str) -> str:
    party = data.get(role)
    if not isinstance(party, dict) or not isinstance(party.get("name"), str) or not party["name"]:
        raise doc.error(f"no {role} name", f"/{role}", hint=f'add "{role}": {{"name": "..."}}')
    return str(party["name"])


def _list(doc: Document, value: Any, pointer: str) -> list[Any]:
    if not isinstance(value, list):
        raise doc.error(f"expected a list, found {type(value).__name__}", pointer)
    return value


def _spec_version(doc: Document) -> str:
    meta = doc.data.get("metadata")
    raw: Any = None
    pointer = "/metadata"
    if isinstance(meta, dict):
        for key in ("pactSpecification", "pact-specification", "pactSpecificationVersion"):
            if key in meta:
                value = meta[key]
                raw = value.get("version") if isinstance(value, dict) else value
                pointer = f"/metadata/{key}" + ("/version" if isinstance(value, dict) else "")
                break
    if raw is None:
        # No version stated: infer from the structure, as Pact implementations do.
        interactions = doc.data.get("interactions")
        first = interactions[0] if isinstance(interactions, list) and interactions else {}
        if isinstance(first, dict) and "type" in first:
            return "4.0"
        if isinstance(first, dict) and "providerStates" in first:
            return "3.0.0"
        return "2.0.0"
    text = str(raw)
    m = re.fullmatch(r"v?(\d+)(?:\.(\d+))?(?:\.\d+)?", text)
    if m:
        major, minor = m.group(1), m.group(2) or "0"
        if major == "1":
            return "1.1.0" if minor == "1" else "1.0.0"
        if major in ("2", "3"):
            return f"{major}.0.0"
        if major == "4":
            return "4.0"
    raise doc.error(
        f"unknown pact specification version {text!r}",
        pointer,
        hint="contractgate reads specification versions 1.1, 2, 3 and 4",
    )


@dataclass(frozen=True)
class _Reading:
    """How a file states its rules: V2 keys (``$.body.x``), pact-ruby's inline matchers."""

    v2: bool
    ruby: bool


def _interaction(
    doc: Document, raw: Any, index: int, version: str, v2: bool, ruby: bool | None = None
) -> Interaction:
    """One interaction; ``ruby`` says whether the file may hold pact-ruby's inline matchers
    (None: look in this interaction only)."""
    if ruby is None:
        ruby = is_ruby(raw)
    reading = _Reading(v2, ruby)
    pointer = f"/interactions/{index}"
    if not isinstance(raw, dict):
        raise doc.error("an interaction must be an object", pointer)
    description = raw.get("description")
    if not isinstance(description, str) or not description:
        raise doc.error("interaction has no description", pointer, hint='add "description": "..."')
    kind = str(raw.get("type", HTTP)) if version == "4.0" else HTTP
    states = _states(doc, raw, pointer)
    plugins = raw.get("pluginConfiguration")
    if plugins or raw.get("interactionMarkup"):
        named = ", ".join(map(str, plugins)) if isinstance(plugins, dict) and plugins else "a"
        reason = f"not applicable: plugin interaction ({kind} through the {named} plugin;"
        reason += " its content is the plugin's to check)"
        return Interaction(index, description, kind, pointer, states, not_applicable=reason)
    if kind != HTTP:
        reason = (
            _NOT_HTTP.format(kind=kind)
            if kind in _KNOWN_KINDS
            else f"not applicable: unknown interaction type {kind!r}"
        )
        return Interaction(index, description, kind, pointer, states, not_applicable=reason)
    request = _request(doc, raw.get("request"), f"{pointer}/request", reading)
    response = _response(doc, raw.get("response"), f"{pointer}/response", reading)
    return Interaction(index, description, kind, pointer, states, request, response)


def _states(doc: Document, raw: dict[str, Any], pointer: str) -> tuple[ProviderState, ...]:
    if "providerStates" in raw:
        states = _list(doc, raw["providerStates"], f"{pointer}/providerStates")
        out = []
        for i, state in enumerate(states):
            if not isinstance(state, dict) or not isinstance(state.get("name"), str):
                raise doc.error("a provider state needs a name", f"{pointer}/providerStates/{i}")
            params = state.get("params") or {}
            out.append(ProviderState(state["name"], params if isinstance(params, dict) else {}))
        return tuple(out)
    for key in ("providerState", "provider_state"):
        if isinstance(raw.get(key), str) and raw[key]:
            return (ProviderState(raw[key]),)
    return ()


def _message_parts(
    doc: Document, raw: dict[str, Any], pointer: str, reading: _Reading
) -> tuple[dict[str, str], Any, dict[str, Rules]]:
    inline: dict[str, dict[tuple[Token, ...], RuleSet]] = {}
    if reading.ruby:  # pact-ruby's V1 matchers, written inline
        raw = dict(raw)
        for part, category in (("headers", "header"), ("body", "body")):
            if part in raw:
                raw[part] = _ruby(doc, raw[part], (), f"{pointer}/{part}", inline, category)
        if _ruby_kind(raw.get("query")):
            raw["query"] = _ruby(doc, raw["query"], (), f"{pointer}/query", {}, "query")
    headers = _headers(doc, raw.get("headers"), f"{pointer}/headers")
    body = _body(doc, raw, pointer, headers)
    rules = _rules(doc, raw.get("matchingRules"), f"{pointer}/matchingRules", reading.v2)
    for category, found in inline.items():  # rules the file states take precedence
        rules[category] = Rules({**found, **rules.get(category, Rules()).by_path})
    return headers, body, rules


_RUBY_MARK = '"json_class"'
_RUBY_CLASSES = ("Pact::Term", "Pact::SomethingLike", "Pact::ArrayLike")


def is_ruby(raw: Any) -> bool:
    """Whether a raw interaction holds pact-ruby inline matchers (see :func:`_ruby`)."""
    return _RUBY_MARK in json.dumps(raw)


def _ruby_kind(value: Any) -> str | None:
    """The pact-ruby matcher class of an inline ``{"json_class": ...}`` object, else None."""
    if isinstance(value, dict) and value.get("json_class") in _RUBY_CLASSES:
        return str(value["json_class"])
    return None


def _ruby(
    doc: Document,
    value: Any,
    path: tuple[Token, ...],
    pointer: str,
    found: dict[str, dict[tuple[Token, ...], RuleSet]],
    category: str,
) -> Any:
    """``value`` with pact-ruby's inline matchers replaced by their examples.

    V1 files from pact-ruby's mock service keep matchers in the response as Ruby
    objects: ``Pact::Term`` (a regex and the value it generates), ``Pact::SomethingLike``
    (match by type) and ``Pact::ArrayLike`` (each item like the template, at least
    ``min``). Each becomes the example it stands for plus the rule it states, recorded
    in ``found`` by category and path, as a V2+ file would state it.
    """
    kind = _ruby_kind(value)
    if kind == "Pact::Term":
        data: dict[str, Any] = value["data"] if isinstance(value.get("data"), dict) else {}
        matcher: dict[str, Any] = data["matcher"] if isinstance(data.get("matcher"), dict) else {}
        rule = _rule(doc, {"match": "regex", "regex": matcher.get("s")}, f"{pointer}/data/matcher")
        key = (str(path[0]).lower(),) if category == "header" and path else path
        found.setdefault(category, {})[key] = RuleSet((rule,))
        return data.get("generate")
    if kind == "Pact::SomethingLike":
        found.setdefault(category, {})[path] = RuleSet((Rule("type"),))
        return _ruby(doc, value.get("contents"), path, f"{pointer}/contents", found, category)
    if kind == "Pact::ArrayLike":
        least = value.get("min", 1)
        least = least if isinstance(least, int) and not isinstance(least, bool) else 1
        found.setdefault(category, {})[path] = RuleSet((Rule("type", {"min": least}),))
        item = _ruby(
            doc, value.get("contents"), (*path, "*"), f"{pointer}/contents", found, category
        )
        return [item] * max(least, 1)
    if isinstance(value, dict):
        return {
            k: _ruby(doc, v, (*path, k), f"{pointer}/{_escape(k)}", found, category)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            _ruby(doc, v, (*path, i), f"{pointer}/{i}", found, category)
            for i, v in enumerate(value)
        ]
    return value


def _request(doc: Document, raw: Any, pointer: str, reading: _Reading) -> Request:
    if not isinstance(raw, dict):
        raise doc.error("interaction has no request object", pointer)
    method = raw.get("method")
    if not isinstance(method, str) or not method:
        raise doc.error("request has no method", pointer, hint='add "method": "GET"')
    path = raw.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise doc.error(
            f"request path {path!r} must be a string starting with '/'", f"{pointer}/path"
        )
    headers, body, rules = _message_parts(doc, raw, pointer, reading)
    return Request(
        headers=headers,
        body=body,
        rules=rules,
        pointer=pointer,
        method=method.upper(),
        path=path,
        query=_query(doc, raw.get("query"), f"{pointer}/query"),
    )


def _response(doc: Document, raw: Any, pointer: str, reading: _Reading) -> Response:
    if not isinstance(raw, dict):
        raise doc.error("interaction has no response object", pointer)
    status = raw.get("status")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise doc.error(
            f"response status {status!r} is not an HTTP status code",
            f"{pointer}/status",
            hint="use a number from 100 to 599",
        )
    headers, body, rules = _message_parts(doc, raw, pointer, reading)
    return Response(headers=headers, body=body, rules=rules, pointer=pointer, status=status)


def _headers(doc: Document, raw: Any, pointer: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise doc.error("headers must be an object", pointer)
    out = {}
    for name, value in raw.items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif not isinstance(value, str):
            raise doc.error(f"header {name!r} must be a string", f"{pointer}/{name}")
        out[str(name)] = value
    return out


def _query(doc: Document, raw: Any, pointer: str) -> dict[str, list[str]]:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        out: dict[str, list[str]] = {}
        for key, value in parse_qsl(raw, keep_blank_values=True):
            out.setdefault(key, []).append(value)
        return out
    if not isinstance(raw, dict):
        raise doc.error("query must be a string or an object", pointer)
    return {
        str(k): [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in raw.items()
    }


def _body(doc: Document, raw: dict[str, Any], pointer: str, headers: dict[str, str]) -> Any:
    if "body" not in raw:
        return ABSENT
    body = raw["body"]
    if (
        isinstance(body, dict)
        and "content" in body
        and ("contentType" in body or "encoded" in body)
    ):  # V4's body envelope
        content, encoded = body.get("content"), body.get("encoded", False)
        content_type = str(body.get("contentType") or "")
        if encoded in ("base64", True):
            try:
                data = base64.b64decode(str(content), validate=True)
            except ValueError:
                raise doc.error(
                    "body is marked base64 but is not", f"{pointer}/body/content"
                ) from None
            if "json" in content_type:
                try:
                    return json.loads(data)
                except ValueError:
                    return data
            return data
        if encoded == "JSON" and isinstance(content, str):
            try:
                return json.loads(content)
            except ValueError:
                raise doc.error(
                    "body is marked JSON but does not parse", f"{pointer}/body/content"
                ) from None
        return content
    if isinstance(body, str) and "json" in (headers.get("Content-Type") or "").lower():
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


# -- matching rules -------------------------------------------------------------------------

_EXPR_TOKEN = re.compile(r"\.([^.\[\]]+)|\['([^']+)'\]|\[(\d+|\*)\]")


@functools.lru_cache(maxsize=4096)
def parse_path_expression(expr: str) -> tuple[Token, ...] | None:
    """``$.items[*].code`` as tokens ``("items", "*", "code")``; None when not a path."""
    if not expr.startswith("$"):
        return None
    tokens: list[Token] = []
    pos = 1
    while pos < len(expr):
        m = _EXPR_TOKEN.match(expr, pos)
        if not m:
            return None
        name, quoted, index = m.groups()
        if index is not None:
            tokens.append("*" if index == "*" else int(index))
        else:
            tokens.append(name if name is not None else quoted)
        pos = m.end()
    return tuple(tokens)


def _rules(doc: Document, raw: Any, pointer: str, v2: bool) -> dict[str, Rules]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise doc.error("matchingRules must be an object", pointer)
    collected: dict[str, dict[tuple[Token, ...], RuleSet]] = {}
    if v2:
        for key, rule in raw.items():
            category, tokens = _v2_key(doc, key, f"{pointer}/{_escape(key)}")
            ruleset = RuleSet((_rule(doc, rule, f"{pointer}/{_escape(key)}"),))
            collected.setdefault(category, {})[tokens] = ruleset
        return {k: Rules(v) for k, v in collected.items()}
    for category, entries in raw.items():
        c_pointer = f"{pointer}/{_escape(category)}"
        if not isinstance(entries, dict):
            raise doc.error(f"matching rules for {category!r} must be an object", c_pointer)
        if "matchers" in entries:  # path (and status) carry their matchers directly
            collected.setdefault(category, {})[()] = _ruleset(doc, entries, c_pointer)
            continue
        by_path = collected.setdefault(category, {})
        for key, entry in entries.items():
            path = _v3_key(str(category), str(key))
            if path is None:
                raise doc.error(
                    f"matching rule path {key!r} is not a JSON path such as $.name",
                    f"{c_pointer}/{_escape(key)}",
                )
            known = _KNOWN.get(_known_key(entry) or ())  # the pointer only matters when new
            by_path[path] = known or _ruleset(doc, entry, f"{c_pointer}/{_escape(key)}")
    return {k: Rules(v) for k, v in collected.items()}


def _v2_key(doc: Document, key: str, pointer: str) -> tuple[str, tuple[Token, ...]]:
    """V2 keys name the category first: ``$.body.a``, ``$.headers.Accept``, ``$.query.q``."""
    tokens = parse_path_expression(key)
    categories = {"body": "body", "header": "header", "headers": "header", "query": "query",
                  "path": "path", "status": "status"}  # fmt: skip
    if not tokens or tokens[0] not in categories:
        raise doc.error(f"matching rule key {key!r} is not a V2 path such as $.body.name", pointer)
    category = categories[str(tokens[0])]
    rest = tokens[1:]
    if category == "header":
        rest = tuple(str(t).lower() for t in rest[:1])
    elif category == "query":
        rest = tuple(str(t) for t in rest[:1])
    return category, rest


def _v3_key(category: str, key: str) -> tuple[Token, ...] | None:
    """V3/V4 keys: a header or query name, or a JSON path within the body."""
    if category == "header":
        return (key.lower(),)
    if category == "query":
        return (key,)
    return () if key == "$" else parse_path_expression(key)


# Rule sets already read, by their JSON: a pact states the same few thousands of times.
_KNOWN: dict[tuple[Any, ...], RuleSet] = {}
_KNOWN_LIMIT = 4096


def _known_key(entry: Any) -> tuple[Any, ...] | None:
    """A key for a V3/V4 rule set's JSON (None when it holds a list, as arrayContains does)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("matchers"), list):
        return None
    try:
        key = (
            entry.get("combine"),
            *(tuple(m.items()) if isinstance(m, dict) else m for m in entry["matchers"]),
        )
        hash(key)
    except TypeError:
        return None
    return key


def _ruleset(doc: Document, entry: Any, pointer: str) -> RuleSet:
    key = _known_key(entry)
    known = _KNOWN.get(key) if key is not None else None
    if known is not None:
        return known
    if not isinstance(entry, dict) or not isinstance(entry.get("matchers"), list):
        raise doc.error('expected {"matchers": [...]}', pointer)
    combine = str(entry.get("combine", "AND")).upper()
    if combine not in ("AND", "OR"):
        raise doc.error(f"combine {combine!r} must be AND or OR", f"{pointer}/combine")
    rules = tuple(_rule(doc, m, f"{pointer}/matchers/{i}") for i, m in enumerate(entry["matchers"]))
    ruleset = RuleSet(rules, combine)
    if key is not None and len(_KNOWN) < _KNOWN_LIMIT:
        _KNOWN[key] = ruleset
    return ruleset


def _rule(doc: Document, raw: Any, pointer: str) -> Rule:
    if not isinstance(raw, dict):
        raise doc.error("a matcher must be an object", pointer)
    return _read_rule(doc, raw, pointer)


def _read_rule(doc: Document, raw: dict[str, Any], pointer: str) -> Rule:
    attrs = {k: v for k, v in raw.items() if k != "match"}
    match = raw.get("match")
    if match is None:
        # V2 and lenient V3 writers leave ``match`` out for regex and min/max.
        if "regex" in raw:
            match = "regex"
        elif "min" in raw or "max" in raw:
            match = "type"
        else:
            raise doc.error("matcher has no 'match' kind", pointer, hint='e.g. {"match": "type"}')
    if not isinstance(match, str) or match not in _MATCHERS:
        raise doc.error(
            f"unknown matcher {match!r}", f"{pointer}/match",
            hint="known: " + ", ".join(sorted(_MATCHERS)),
        )  # fmt: skip
    if match == "regex":
        regex = raw.get("regex")
        if not isinstance(regex, str):
            raise doc.error("regex matcher has no 'regex' string", pointer)
        try:
            re.compile(regex)
        except re.error as exc:
            raise doc.error(
                f"regex {regex!r} does not compile: {exc}", f"{pointer}/regex"
            ) from None
    for bound in ("min", "max"):
        if bound in raw and (
            isinstance(raw[bound], bool) or not isinstance(raw[bound], int) or raw[bound] < 0
        ):
            raise doc.error(f"{bound} must be a whole number >= 0", f"{pointer}/{bound}")
    return Rule(str(match), attrs)


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
