"""Files given more than once: the same path twice (spelled differently too) or the same bytes under two names.

A browser saves a second download of ``usage.csv`` as ``usage (1).csv``; a folder and a file in it can both be
named on the command line. Such copies are read once and listed as skipped, so no row is counted twice. (Two
month-to-date downloads of one month are different bytes: ``lib.ingest.merge`` keeps the latest of those.)
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from lib.core.i18n import _
from lib.core.reading import InputFile
from lib.ingest.detect import EXPECTED_HEADER
from lib.ingest.errors import FormatError

_HASH_CHUNK = 8 * 1024 * 1024
# What a file that is not a usage table is refused with (see ``lib.ingest.text``, ``detect`` and ``containers``).
_NOT_USAGE = (EXPECTED_HEADER, "a text (CSV) usage file", "a text (CSV) file", "a usage file with a header row")


def once_each(items: list[InputFile]) -> tuple[list[InputFile], list[tuple[InputFile, str]]]:
    """The files to read, each content once, and the others with why they are not read.

    Bytes are compared by hash; a big file read from disk is hashed only when another file has its exact size.
    """
    kept: list[InputFile] = []
    skipped: list[tuple[InputFile, str]] = []
    paths: dict[str, str] = {}
    digests: dict[bytes, str] = {}
    sizes = [len(i.data) if not i.streamed else i.size for i in items if i.skip is None]
    for item in items:
        if item.skip is not None:
            skipped.append((item, item.skip))
            continue
        if item.path is not None:
            real = os.path.realpath(item.path)
            if real in paths:
                skipped.append((item, _("the same file as {other}, given twice; read once").format(other=paths[real])))
                continue
            paths[real] = item.name
        size = item.size if item.streamed else len(item.data)
        if sizes.count(size) > 1:
            digest = _digest(item)
            if digest in digests:
                skipped.append((item, _("the same content as {other} (a copy); read once").format(other=digests[digest])))
                continue
            digests[digest] = item.name
        kept.append(item)
    return kept, skipped


def _digest(item: InputFile) -> bytes:
    if not item.streamed:
        return hashlib.sha256(item.data).digest()
    assert item.path is not None
    digest = hashlib.sha256()
    with Path(item.path).open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.digest()


def not_a_usage_file(error: FormatError) -> bool:
    """Whether ``error`` says the file is no usage table at all (rather than a usage table with a problem)."""
    return error.expected in {_(text) for text in _NOT_USAGE}
