"""Credentials: does the pact's request carry what the operation's ``security`` asks for?

``security`` lists alternatives; each alternative names schemes that must all be
present. HTTP ``bearer``/``basic`` (and Swagger 2.0's ``basic``) need an
``Authorization`` header of that scheme,
``apiKey`` its header, query parameter or cookie, OAuth 2 and OpenID Connect an
``Authorization`` header; mutual TLS cannot be seen in a pact and counts as present.
Only presence is checked: the value is the provider's to judge.
"""

from __future__ import annotations

from typing import Any

from .._openapi import Operation, Spec
from .._pact import Request
from ._describe import Issue
from ._places import Places, node_at


def credential_names(spec: Spec, op: Operation) -> set[str]:
    """Headers (lower case) and query parameters the operation's security schemes use."""
    names = set()
    for requirement in op.security:
        for scheme_name in requirement:
            scheme = spec.security_schemes.get(scheme_name) or {}
            if scheme.get("type") == "apiKey" and isinstance(scheme.get("name"), str):
                where = scheme.get("in")
                names.add(scheme["name"].lower() if where == "header" else scheme["name"])
    return names


def security_issue(spec: Spec, op: Operation, request: Request, places: Places) -> Issue | None:
    """A ``request.security.missing`` issue unless some alternative of ``security`` is met."""
    if not op.security:
        return None
    for requirement in op.security:
        if all(_present(spec.security_schemes.get(name), request) for name in requirement):
            return None
    wanted = " or ".join(
        " and ".join(_needs(name, spec.security_schemes.get(name)) for name in requirement)
        for requirement in op.security
    )
    auth = request.header("authorization")
    sends = (
        f"the pact sends 'Authorization: {auth.split(' ', 1)[0]} …'"
        if auth
        else "the pact sends no credential"
    )
    raw_op = node_at(spec.document.data, op.pointer)
    own = isinstance(raw_op, dict) and "security" in raw_op
    return Issue(
        "request.security.missing",
        f"request: {op.key} requires {wanted}; {sends}",
        places.header("request", "authorization"),
        (spec.source, f"{op.pointer}/security" if own else "/security"),
    )


def _present(scheme: Any, request: Request) -> bool:
    if not isinstance(scheme, dict):
        return True  # an undefined scheme is the linter's finding, not a pact's
    kind = str(scheme.get("type", "")).lower()
    auth = (request.header("authorization") or "").strip()
    if kind in ("http", "basic"):  # "basic": Swagger 2.0's HTTP basic authentication
        wanted = "basic" if kind == "basic" else str(scheme.get("scheme", "")).lower()
        return auth.lower().startswith(wanted + " ") if wanted else bool(auth)
    if kind == "apikey":
        name = str(scheme.get("name", ""))
        where = scheme.get("in")
        if where == "header":
            return request.header(name) is not None
        if where == "query":
            return name in request.query
        if where == "cookie":
            cookies = request.header("cookie") or ""
            return any(c.strip().startswith(name + "=") for c in cookies.split(";"))
        return True
    if kind in ("oauth2", "openidconnect"):
        return bool(auth)
    return True  # mutualTLS and unknown kinds cannot be seen in a pact


def _needs(name: str, scheme: Any) -> str:
    if not isinstance(scheme, dict):
        return name
    kind = str(scheme.get("type", "")).lower()
    if kind in ("http", "basic"):
        wanted = "basic" if kind == "basic" else str(scheme.get("scheme", ""))
        return f"{name} (an 'Authorization: {wanted.capitalize()} …' header)"
    if kind == "apikey":
        return f"{name} (the {scheme.get('in')} {scheme.get('name')!r})"
    return f"{name} (an Authorization header)"
