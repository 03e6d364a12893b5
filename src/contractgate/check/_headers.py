"""The response headers a pact expects, against the headers the spec documents.

A documented header the pact expects must fit its schema; one the spec does not
document is a failure (the consumer relies on what was never promised) unless it is
a header of the transport, which no spec documents (``Date``, ``Content-Length``...),
or a standard HTTP header (``Cache-Control``, ``ETag``, ``Location``...), which is a
warning, as PactFlow's comparator has it. A header the spec marks required but the
pact does not expect is a warning: the consumer does not rely on it.
"""

from __future__ import annotations

from functools import partial

from .._openapi import Response
from .._pact import Response as PactResponse
from ._describe import Issue
from ._matchers import regex_issues
from ._params import header_issues
from ._places import Places
from ._schema import SchemaContext

# Headers of the transport, not of the API: no spec documents them.
TRANSPORT_HEADERS = frozenset(
    (
        "connection",
        "content-length",
        "content-encoding",
        "date",
        "keep-alive",
        "server",
        "transfer-encoding",
        "vary",
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-expose-headers",
    )
)
# Standard HTTP response headers (PactFlow's comparator's list, less the transport's).
STANDARD_HEADERS = frozenset(
    (
        "accept-patch",
        "accept-ranges",
        "age",
        "allow",
        "alt-svc",
        "cache-control",
        "content-disposition",
        "content-language",
        "content-location",
        "content-md5",
        "content-range",
        "etag",
        "expires",
        "last-modified",
        "link",
        "location",
        "p3p",
        "pragma",
        "proxy-authenticate",
        "public-key-pins",
        "refresh",
        "retry-after",
        "set-cookie",
        "status",
        "strict-transport-security",
        "trailer",
        "tsv",
        "upgrade",
        "via",
        "warning",
        "www-authenticate",
        "x-frame-options",
    )
)


def response_header_issues(
    ctx: SchemaContext, documented: Response, response: PactResponse, places: Places
) -> list[Issue]:
    """Issues of the headers ``response`` expects against the ``documented`` response."""
    issues: list[Issue] = []
    for lowered, header in documented.headers.items():
        if lowered == "content-type":
            continue  # OpenAPI: described by the content map, not as a header
        text = response.header(lowered)
        if text is None:
            if header.required:
                issues.append(
                    Issue(
                        "response.header.missing",
                        f"response header {header.name}: the spec requires it on the "
                        f"{documented.status} response, the pact's response lacks it",
                        places.header("response", lowered),
                        (
                            header.schema.source if header.schema else ctx.spec.source,
                            header.pointer,
                        ),
                    )
                )
            continue
        if header.schema is not None:
            issues += header_issues(ctx, header, text, places.header_pointer("response", lowered))
    rules = response.rules_for("header")
    for name, text in response.headers.items():
        lowered = name.lower()
        if rules:
            label, pointer = f"response header {name}", partial(places.header, "response", name)
            issues += regex_issues(rules.at((lowered,)), [text], label, pointer)
        if (
            lowered in documented.headers
            or lowered in TRANSPORT_HEADERS
            or lowered == "content-type"
        ):
            continue
        standard = lowered in STANDARD_HEADERS
        issues.append(
            Issue(
                "response.header.standard" if standard else "response.header.undocumented",
                f"response header {name}: the pact expects it, the spec does not document it "
                f"for status {documented.status}"
                + (" (a standard HTTP header)" if standard else ""),
                places.header("response", name),
                (ctx.spec.source, documented.pointer),
            )
        )
    return issues
