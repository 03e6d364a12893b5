"""The exception tree. Every error contractgate raises on purpose is one of these::

    ContractgateError            root: catch this to catch everything below
    ├── InputError               a user file or argument is wrong (exit code 2)
    ├── SetupError               a tool contractgate drives is missing or broken (exit code 3)
    └── ServiceError             a server did not answer in time or answered nonsense (exit code 3)

A contract that does not hold is never an exception: stages return result objects
that say so, and the CLI turns a failed result into exit code 1.

Each message names the value, the place (``file:line:col`` or a JSON pointer) and,
where there is one, the fix.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_SETUP = 3


class ContractgateError(Exception):
    """Root of every error contractgate raises on purpose."""

    exit_code = EXIT_SETUP

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(ContractgateError):
    """A user file (spec, pact, scenario, config) or argument is invalid.

    ``source`` is the file (or argument) and ``place`` where in it: a line and column
    for YAML and JSON text, else a JSON pointer.
    """

    exit_code = EXIT_INPUT

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        place: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.source = source
        self.place = place

    def __str__(self) -> str:
        where = ":".join(part for part in (self.source, self.place) if part)
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class SetupError(ContractgateError):
    """A tool contractgate drives (node, Mountebank, a provider command) is missing or broken."""


class ServiceError(ContractgateError):
    """A server contractgate talks to (Mountebank, a provider) failed or did not answer in time."""
