"""A shell command (curl) that sends a recorded request again, without leaking a credential.

The request is rendered as it was sent: method, URL (``--globoff --path-as-is``, so
curl changes nothing), headers and body byte for byte. Headers only the transport
adds (``User-Agent``, ``Content-Length``, ...) are left to curl. A credential header
never shows its value: where the config takes it from the environment
(``Bearer ${USER_SERVICE_TOKEN:-test-token}``) the command says the same, so the shell
fills it in; otherwise it reads a variable named after the header (``${X_API_KEY}``).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

from .._provider import is_secret_header

_LEFT_TO_CURL = frozenset(
    {
        "content-length",
        "connection",
        "accept-encoding",
        "user-agent",
        "host",
        "x-schemathesis-testcaseid",
    }
)
_ENV_REF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}")
_PRINTABLE = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*")


def shell_variable(header: str) -> str:
    """The variable a command reads a credential header from: ``X-Api-Key`` -> ``X_API_KEY``."""
    return re.sub(r"[^A-Za-z0-9]", "_", header).upper()


def curl_command(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    templates: Mapping[str, str] | None = None,
) -> str:
    """A bash command that sends this request again.

    ``templates`` are the configured values of credential headers (by lower-case
    name); one that reads the environment (``${NAME}``) is shown as it is.
    """
    templates = {k.lower(): v for k, v in (templates or {}).items()}
    words = ["curl", "--globoff", "--path-as-is", "-X", shlex.quote(method)]
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _LEFT_TO_CURL or (lowered == "accept" and value == "*/*"):
            continue
        if is_secret_header(name):
            template = templates.get(lowered, "")
            shown = template if _ENV_REF.search(template) else f"${{{shell_variable(name)}}}"
            words += ["-H", _double_quoted(f"{name}: {shown}")]
        else:
            words += ["-H", shlex.quote(f"{name}: {value}")]
    prefix = ""
    if body:
        text = body.decode("utf-8", errors="replace")
        if text.encode() == body and _PRINTABLE.fullmatch(text):
            words += ["--data-binary", shlex.quote(text)]
        else:
            prefix = "printf '" + "".join(f"\\{byte:03o}" for byte in body) + "' | "
            words += ["--data-binary", "@-"]
    words.append(shlex.quote(url))
    return prefix + " ".join(words)


def _double_quoted(text: str) -> str:
    """Quote for the shell, letting ``${...}`` expand and nothing else."""
    escaped = re.sub(r'(["\\`])', r"\\\1", text)
    escaped = re.sub(r"\$(?!\{)", r"\\$", escaped)
    return f'"{escaped}"'
