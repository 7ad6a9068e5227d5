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


class SecondHeaderError(ValueError):
    """A usage header line in the middle of a table (two files joined into one) of another layout than the first.

    Raised by ``lib.ingest.normalize``, which does not know the file's name or first layout: ``joined_files`` says it.
    """

    def __init__(self, line: int, layout: str) -> None:
        super().__init__(f"line {line}: {layout}")
        self.line = line
        self.layout = layout


def joined_files(file: str, first: str, line: int, second: str, *, run_into: bool = False) -> FormatError:
    """The message for a file holding a second header at ``line`` (``run_into``: in the same line as the row before it)."""
    if run_into:
        found = _(
            "a second header ({layout}) at line {line}, run into the row before it: two files joined into one? Load each file on its own"
        )
        found = found.format(layout=second, line=line)
    elif first == second:
        found = _(
            "a second header at line {line}, of the same layout ({layout}) with its columns in another order: two files joined "
            "into one? Load each file on its own"
        ).format(line=line, layout=first)
    else:
        found = _(
            "a second header at line {line}, of another layout ({second}) than the first ({first}): two files joined into one? "
            "Load each file on its own"
        ).format(line=line, second=second, first=first)
    return FormatError(file, _("one table under one header"), found, line)
