"""The rule codes of ``contractgate diff``: one stable code per kind of change.

A schema keyword change is *narrowed* when the new spec accepts fewer values than the
old one, *widened* when it accepts more, *changed* when neither holds. What that means
depends on who writes the value: a consumer writes requests (narrowing breaks it,
widening is safe), the provider writes responses (widening may surprise a consumer,
narrowing is safe). ``<side>`` is ``request`` (request bodies and parameters) or
``response`` (response bodies and headers).

==============================  =================  ==========================================
code                            severity           meaning
==============================  =================  ==========================================
path.removed                    breaking           a path and all of its operations are gone
operation.removed               breaking           a method is gone from a path that remains
base-path.changed               breaking           no base path (``servers``) of the old spec kept
security.added                  breaking           an operation that took no credential needs one
security.changed                breaking           a credential the operation accepted is refused
request.parameter.required      breaking           a new required parameter, or one made required
request.parameter.moved         breaking           a parameter moved to another location
request.body.required           breaking           a request body becomes required
request.media.removed           breaking           a request media type is no longer accepted
request.required.added          breaking           a new required body field, or one made required
request.property.forbidden      breaking           a field was removed from a closed object
response.status.removed         breaking           a documented response status is gone
response.media.removed          breaking           a response media type is no longer produced
response.header.removed         breaking           a documented response header is gone
response.property.removed       breaking           a response field is gone
response.property.renamed       breaking           a response field is gone, one like it is new
<side>.type.changed             breaking           the type changed (neither wider nor narrower)
<side>.format.changed           breaking           the format changed
request.*.narrowed              breaking           a request value now has to be narrower
request.pattern.changed         breaking           a request value's pattern changed
request.parameter.removed       possibly-breaking  a parameter consumers may send is gone
request.body.removed            possibly-breaking  the operation no longer takes a body
request.property.removed        possibly-breaking  a body field consumers may send is gone
response.success.added          possibly-breaking  a new 2XX/3XX status a consumer may not handle
response.header.optional        possibly-breaking  a response header is no longer always sent
response.required.removed       possibly-breaking  a response field may now be missing
response.*.widened              possibly-breaking  a response value may now be wider
response.pattern.changed        possibly-breaking  a response value's pattern changed
response.*.narrowed             safe (*)           a response value is now narrower
request.*.widened               safe               a request value may now be wider
everything ``.added`` else      safe               a new path, operation, optional parameter...
==============================  =================  ==========================================

(*) ``response.enum.narrowed`` and ``response.type.narrowed`` are safe for a consumer
in general, but breaking for one whose pact expects a value the new spec no longer
allows (an enum value it matches by equality, a ``null`` it expects): the provider
can no longer give that consumer what its contract says.
"""

from __future__ import annotations

from typing import Literal

Severity = Literal["breaking", "possibly-breaking", "safe"]
SEVERITIES: tuple[Severity, ...] = ("breaking", "possibly-breaking", "safe")

# keyword group -> what it covers; each has .narrowed and .widened
_KEYWORDS: dict[str, str] = {
    "type": "the JSON type",
    "format": "the format",
    "enum": "the enum (or const) values",
    "pattern": "the pattern",
    "length": "minLength/maxLength",
    "range": "minimum/maximum/exclusive bounds/multipleOf",
    "size": "minItems/maxItems/uniqueItems/minProperties/maxProperties",
    "additional": "additionalProperties",
    "alternatives": "the oneOf/anyOf alternatives",
}
_CHANGEABLE = ("type", "format", "pattern")

_FIXED: dict[str, tuple[Severity, str]] = {
    "path.removed": ("breaking", "a path and all of its operations are gone"),
    "path.added": ("safe", "a new path"),
    "operation.removed": ("breaking", "a method is gone from a path that remains"),
    "operation.added": ("safe", "a new operation on an existing path"),
    "base-path.changed": ("breaking", "no base path (servers URL) of the old spec remains"),
    "security.added": ("breaking", "an operation that took no credential now needs one"),
    "security.changed": ("breaking", "a credential the operation accepted is now refused"),
    "security.relaxed": ("safe", "the operation accepts more credentials, or none"),
    "request.parameter.required": ("breaking", "a new required parameter, or one made required"),
    "request.parameter.moved": ("breaking", "a parameter moved to another location"),
    "request.parameter.removed": ("possibly-breaking", "a parameter consumers may send is gone"),
    "request.parameter.added": ("safe", "a new optional parameter"),
    "request.parameter.optional": ("safe", "a required parameter became optional"),
    "request.body.required": ("breaking", "a request body becomes required"),
    "request.body.removed": ("possibly-breaking", "the operation no longer takes a body"),
    "request.body.added": ("safe", "the operation takes a new optional body"),
    "request.body.optional": ("safe", "the request body is no longer required"),
    "request.media.removed": ("breaking", "a request media type is no longer accepted"),
    "request.media.added": ("safe", "a new request media type is accepted"),
    "request.required.added": ("breaking", "a new required body field, or one made required"),
    "request.required.removed": ("safe", "a body field is no longer required"),
    "request.property.forbidden": (
        "breaking",
        "a body field was removed from a closed object (additionalProperties: false)",
    ),
    "request.property.removed": ("possibly-breaking", "a body field consumers may send is gone"),
    "request.property.added": ("safe", "a new optional body field"),
    "response.status.removed": ("breaking", "a documented response status is gone"),
    "response.success.added": (
        "possibly-breaking",
        "a new 2XX/3XX status that a consumer may not handle",
    ),
    "response.status.added": ("safe", "a new error status is documented"),
    "response.media.removed": ("breaking", "a response media type is no longer produced"),
    "response.media.added": ("safe", "a new response media type"),
    "response.header.removed": ("breaking", "a documented response header is gone"),
    "response.header.optional": ("possibly-breaking", "a response header may now be missing"),
    "response.header.added": ("safe", "a new response header"),
    "response.header.required": ("safe", "a response header is now always sent"),
    "response.property.removed": ("breaking", "a response field is gone"),
    "response.property.renamed": ("breaking", "a response field is gone and one like it is new"),
    "response.property.added": ("safe", "a new response field"),
    "response.required.removed": ("possibly-breaking", "a response field may now be missing"),
    "response.required.added": ("safe", "a response field is now always present"),
}


def _schema_rules() -> dict[str, tuple[Severity, str]]:
    out: dict[str, tuple[Severity, str]] = {}
    for keyword, what in _KEYWORDS.items():
        out[f"request.{keyword}.narrowed"] = ("breaking", f"{what} of a request value narrowed")
        out[f"request.{keyword}.widened"] = ("safe", f"{what} of a request value widened")
        out[f"response.{keyword}.narrowed"] = ("safe", f"{what} of a response value narrowed")
        out[f"response.{keyword}.widened"] = (
            "possibly-breaking",
            f"{what} of a response value widened",
        )
    for keyword in _CHANGEABLE:
        what = _KEYWORDS[keyword]
        out[f"request.{keyword}.changed"] = ("breaking", f"{what} of a request value changed")
        out[f"response.{keyword}.changed"] = (
            "possibly-breaking" if keyword == "pattern" else "breaking",
            f"{what} of a response value changed",
        )
    return out


RULES: dict[str, tuple[Severity, str]] = {**_FIXED, **_schema_rules()}
"""Every rule code: its severity (before consumer-aware escalation) and meaning."""

EXPECTED_VALUE_RULES = frozenset({"response.enum.narrowed", "response.type.narrowed"})
"""Safe in general, breaking for a consumer whose pact expects a value no longer allowed."""


def severity_of(rule: str) -> Severity:
    """The severity of a rule code."""
    return RULES[rule][0]
