"""The rule codes of ``contractgate check``: stable short ids, one per kind of finding.

Reports, the gate and users' allow-lists key on these codes, so a code never changes
meaning. ``<side>`` is ``request`` or ``response``.

==============================  ========  ====================================================
code                            severity  meaning
==============================  ========  ====================================================
request.path.unknown            error     no path template of the spec matches the path
request.method.unknown          error     the path exists, the method is not documented
request.path.value              error     a path parameter's value breaks its schema
request.query.required          error     a required query parameter is not sent
request.query.undocumented      error     a query parameter the operation does not document
request.query.value             error     a query parameter's value breaks its schema
request.header.required         error     a required header parameter is not sent
request.header.value            error     a header parameter's value breaks its schema
request.header.undocumented     warning   a non-standard header the operation does not document
request.security.missing        error     no credential the operation's security asks for
request.accept.mismatch         error     Accept names no media type the operation produces
request.content-type.mismatch   error     Content-Type is not a media type the body accepts
request.body.missing            error     the spec requires a body, the pact sends none
request.body.unexpected         error     the pact sends a body, the operation takes none
request.body.required           error     a required field of the body is not sent
response.status.unknown         error     the status is not documented (exact, NXX, default)
response.status.default         warning   only the ``default`` response covers the status
response.header.missing         warning   a header the spec marks required is not expected
response.header.value           error     a response header's value breaks its schema
response.header.undocumented    error     the pact expects a header the spec does not document
response.header.standard        warning   ... a standard HTTP header (ETag, Location...)
response.content-type.mismatch  error     Content-Type is not documented for the status
response.body.unexpected        error     the pact expects a body, the response has no content
<side>.body.type                error     a value of the wrong JSON type (array vs object too)
<side>.body.enum                error     a value outside the spec's enum or const
<side>.body.pattern             error     a string that breaks the spec's pattern
<side>.body.format              error     a string that breaks the spec's format
<side>.body.constraint          error     a length, size, range or uniqueness limit broken
<side>.body.schema              error     no alternative of oneOf/anyOf fits, or ``not`` hits
<side>.body.undocumented        error     a field the schema does not declare (see below)
<side>.body.matcher             error     a matcher's kind (integer, boolean...) vs schema type
request.body.read-only          error     the pact sends a field the spec marks readOnly
response.body.write-only        error     the pact expects a field the spec marks writeOnly
matcher.regex                   error     a regex matcher does not accept its own example
==============================  ========  ====================================================

Every request finding of an interaction that expects a 4XX response is a warning
instead: sending a bad request is usually what such an interaction is about.
``request.body.undocumented`` fires where the schema says ``additionalProperties:
false``; ``response.body.undocumented`` fires for every field the pact expects that
the schema does not declare (how a renamed field is caught).
"""

from __future__ import annotations

BODY_KINDS: dict[str, str] = {
    "type": "a value of the wrong JSON type",
    "enum": "a value outside the spec's enum or const",
    "pattern": "a string that breaks the spec's pattern",
    "format": "a string that breaks the spec's format",
    "constraint": "a length, size, range or uniqueness limit broken",
    "schema": "no alternative of oneOf/anyOf fits, or a 'not' schema matches",
    "undocumented": "a field the spec's schema does not declare",
    "matcher": "a matcher's kind does not fit the schema's type",
}

RULES: dict[str, str] = {
    "request.path.unknown": "no path template of the spec matches the request path",
    "request.method.unknown": "the path exists but the method is not documented for it",
    "request.path.value": "a path parameter's value breaks its schema",
    "request.query.required": "a required query parameter is not sent",
    "request.query.undocumented": "the pact sends a query parameter the spec does not document",
    "request.query.value": "a query parameter's value breaks its schema",
    "request.header.required": "a required header parameter is not sent",
    "request.header.value": "a header parameter's value breaks its schema",
    "request.header.undocumented": "the pact sends a header the operation does not document",
    "request.security.missing": "the pact sends no credential the operation's security asks for",
    "request.accept.mismatch": "Accept names no media type the operation produces",
    "request.content-type.mismatch": "the request Content-Type is not one the body accepts",
    "request.body.missing": "the spec requires a request body, the pact sends none",
    "request.body.unexpected": "the pact sends a body, the operation takes none",
    "request.body.required": "a required field of the request body is not sent",
    "response.status.unknown": "the response status is not documented",
    "response.status.default": "only the 'default' response covers the status",
    "response.header.missing": "a response header the spec marks required is not expected",
    "response.header.value": "a response header's value breaks its schema",
    "response.header.undocumented": "the pact expects a response header the spec does not document",
    "response.header.standard": "the pact expects a standard HTTP header the spec leaves out",
    "response.content-type.mismatch": "the response Content-Type is not documented for the status",
    "response.body.unexpected": "the pact expects a body, the response has no content",
    "request.body.read-only": "the pact sends a field the spec marks readOnly",
    "response.body.write-only": "the pact expects a field the spec marks writeOnly",
    "matcher.regex": "a regex matcher does not accept its own example",
    **{
        f"{side}.body.{kind}": f"{side} body: {meaning}"
        for side in ("request", "response")
        for kind, meaning in BODY_KINDS.items()
    },
}

WARNINGS = frozenset(
    {
        "request.header.undocumented",
        "response.status.default",
        "response.header.missing",
        "response.header.standard",
    }
)
"""Codes that are always warnings: worth knowing, never a failed contract."""
