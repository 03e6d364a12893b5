"""Where an interaction's parts stand in the pact file, as JSON pointers.

The model of :mod:`contractgate._pact` is normalised (V2 query strings, V4 body
envelopes, header name case); findings point into the file as written, so that
``line:col`` can be found and the pointer works with ``jq``: a V4 body value is at
``/interactions/3/response/body/content/push``, a header at its own spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._documents import json_pointer, split_pointer
from .._pact import HttpMessage, Interaction, Pact

Path = tuple[str | int, ...]


def node_at(data: Any, pointer: str) -> Any:
    """The value at ``pointer`` in parsed data, or None when there is nothing there."""
    node = data
    for part in split_pointer(pointer):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


class Places:
    """File pointers for the parts of one HTTP interaction."""

    def __init__(self, pact: Pact, interaction: Interaction) -> None:
        self.pointer = interaction.pointer
        raw = node_at(pact.document.data, interaction.pointer)
        self._raw: dict[str, Any] = raw if isinstance(raw, dict) else {}

    def at(self, *parts: str | int) -> str:
        """The pointer of ``parts`` below the interaction."""
        return self.pointer + json_pointer(parts)

    def _side(self, side: str) -> dict[str, Any]:
        raw = self._raw.get(side)
        return raw if isinstance(raw, dict) else {}

    def header(self, side: str, name: str) -> str:
        """A header by case-insensitive name; the headers object when it is not there."""
        headers = self._side(side).get("headers")
        if not isinstance(headers, dict):
            return self.at(side)
        for key in headers:
            if str(key).lower() == name.lower():
                return self.at(side, "headers", str(key))
        return self.at(side, "headers")

    def header_pointer(self, side: str, name: str) -> Callable[[Path], str]:
        """:meth:`header` as a function of a path (found only when a finding needs it)."""
        return lambda _path: self.header(side, name)

    def query(self, name: str | None = None) -> str:
        """A query parameter (the whole V2 query string when it is one string)."""
        query = self._side("request").get("query")
        if isinstance(query, dict) and name is not None and name in query:
            return self.at("request", "query", name)
        return self.at("request", "query") if query is not None else self.at("request")

    def body(self, side: str) -> Callable[[Path], str]:
        """A function from a path within the body to its pointer in the file."""
        body = self._side(side).get("body")
        base: Path = (side, "body")
        if (
            isinstance(body, dict)
            and "content" in body
            and ("contentType" in body or "encoded" in body)
        ):
            if isinstance(body["content"], str) and body.get("encoded"):
                return lambda _path: self.at(*base, "content")  # encoded text: no deeper place
            base = (*base, "content")
        return lambda path: self.at(*base, *path)

    def content_type(self, side: str, message: HttpMessage) -> tuple[str | None, str]:
        """The media type the pact states for a body (header, else V4 envelope) and where."""
        headers = self._side(side).get("headers")
        if isinstance(headers, dict):
            for key in headers:
                if str(key).lower() == "content-type":
                    return message.header("content-type") or None, self.at(
                        side, "headers", str(key)
                    )
        body = self._side(side).get("body")
        if isinstance(body, dict) and isinstance(body.get("contentType"), str):
            return body["contentType"], self.at(side, "body", "contentType")
        return None, self.at(side)
