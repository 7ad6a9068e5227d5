"""The loader's own error: what was expected, what was found, and where."""

from __future__ import annotations

from lib.sources.base import SourceError


class FormatError(SourceError):
    """A file cannot be read as usage data; the message is one line written for the user."""

    def __init__(self, file: str, expected: str, found: str, line: int | None = None) -> None:
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: expected {expected}; found {found}.")
        self.file = file
        self.expected = expected
        self.found = found
        self.line = line
