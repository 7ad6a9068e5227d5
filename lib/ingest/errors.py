"""The loader's own error: what was expected, what was found, and where."""

from __future__ import annotations

from lib.core.dataset import SourceError
from lib.core.i18n import _


class FormatError(SourceError):
    """A file cannot be read as usage data; the message is one line written for the user."""

    def __init__(self, file: str, expected: str, found: str, line: int | None = None) -> None:
        # ``expected`` and ``found`` arrive translated by the caller; the frame is translated here.
        where = _("{file}, line {line}").format(file=file, line=line) if line is not None else file
        super().__init__(_("{where}: expected {expected}; found {found}.").format(where=where, expected=expected, found=found))
        self.file = file
        self.expected = expected
        self.found = found
        self.line = line
