"""String formats the OpenAPI validators check, ``uri`` and ``hostname`` among them.

:mod:`jsonschema` checks ``uri``, ``uri-reference``, ``iri``, ``hostname`` and
``json-pointer`` only when optional packages are installed, and skips them silently
otherwise: a pact's ``"page_url": "example.com"`` would pass a ``format: uri``. These
checkers, from the RFCs' grammars with the standard library alone, are always there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jsonschema import FormatChecker

# RFC 3986, appendix A; an IRI (RFC 3987) also allows characters outside ASCII.
_HEX = "[0-9A-Fa-f]"
_SUB_DELIMS = r"!$&'()*+,;="
_IPV4 = r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP_LITERAL = (
    r"\[(?:[0-9A-Fa-f:.]+|[vV][0-9A-Fa-f]+\.[A-Za-z0-9._~" + re.escape(_SUB_DELIMS) + r":]+)\]"
)


def _uri_grammar(unreserved: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``(URI, URI-reference)`` patterns for characters ``unreserved`` (a class body)."""
    plain = f"[{unreserved}{re.escape(_SUB_DELIMS)}]|%{_HEX}{_HEX}"
    pchar = f"(?:{plain}|[:@])"
    segment, segment_nz = f"{pchar}*", f"{pchar}+"
    segment_nz_nc = f"(?:{plain}|@)+"
    userinfo = f"(?:{plain}|:)*"
    host = f"(?:{_IP_LITERAL}|{_IPV4}|(?:{plain})*)"
    authority = f"(?:{userinfo}@)?{host}(?::\\d*)?"
    abempty = f"(?:/{segment})*"
    absolute = f"/(?:{segment_nz}(?:/{segment})*)?"
    rootless = f"{segment_nz}(?:/{segment})*"
    noscheme = f"{segment_nz_nc}(?:/{segment})*"
    tail = f"(?:\\?(?:{pchar}|[/?])*)?(?:#(?:{pchar}|[/?])*)?"
    scheme = "[A-Za-z][A-Za-z0-9+.-]*"
    hier = f"(?://{authority}{abempty}|{absolute}|{rootless}|)"
    relative = f"(?://{authority}{abempty}|{absolute}|{noscheme}|)"
    uri = re.compile(f"{scheme}:{hier}{tail}")
    reference = re.compile(f"(?:{scheme}:{hier}|{relative}){tail}")
    return uri, reference


_URI, _URI_REFERENCE = _uri_grammar(r"A-Za-z0-9\-._~")
_IRI, _IRI_REFERENCE = _uri_grammar(
    "A-Za-z0-9\\-._~\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U000effff"
)
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_JSON_POINTER = re.compile(r"(?:/(?:[^/~]|~[01])*)*")


def _hostname(text: str) -> bool:
    """RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens."""
    name = text[:-1] if text.endswith(".") else text
    return 0 < len(name) <= 253 and all(_LABEL.fullmatch(label) for label in name.split("."))


def _matches(pattern: re.Pattern[str]) -> Callable[[object], bool]:
    def check(instance: object) -> bool:
        return not isinstance(instance, str) or pattern.fullmatch(instance) is not None

    return check


def _for_strings(check: Callable[[str], bool]) -> Callable[[object], bool]:
    return lambda instance: not isinstance(instance, str) or check(instance)


FORMATS: dict[str, Callable[[object], bool]] = {
    "uri": _matches(_URI),
    "uri-reference": _matches(_URI_REFERENCE),
    "iri": _matches(_IRI),
    "iri-reference": _matches(_IRI_REFERENCE),
    "hostname": _for_strings(_hostname),
    "json-pointer": _matches(_JSON_POINTER),
}


def with_formats(base: FormatChecker) -> FormatChecker:
    """A copy of ``base`` that also checks :data:`FORMATS` it does not check already."""
    checker = FormatChecker(())
    checker.checkers = dict(base.checkers)
    for name, check in FORMATS.items():
        if name not in checker.checkers:
            checker.checks(name)(check)
    return checker
