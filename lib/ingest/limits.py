"""Size limits for what one given file may unpack to: zip bombs, gzip bombs and huge files stop with a message.

A file is read into memory, so its size is the first bound (``AZDASH_MAX_FILE_MB``). Everything
decompressed from the files given together (every zip member, gzip stream, nested container and
Parquet page of every file at every level) is counted against one budget
(``AZDASH_MAX_UNPACKED_MB``), read in chunks so a lying header cannot make it allocate more; a
stream, and all of them together, inflating far beyond what real usage files do
(``AZDASH_MAX_RATIO``, checked past ``RATIO_FLOOR`` bytes) is refused early; the files given and
every archive's members, nested ones included, count against one ``AZDASH_MAX_MEMBERS``, and
containers nest at most ``MAX_DEPTH`` deep. The defaults fit a server of two cores and a few GB:
reading holds several times the unpacked text in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from lib.core import fmt
from lib.core.i18n import _
from lib.ingest.errors import FormatError

MIB = 1024 * 1024
CHUNK = 4 * MIB
RATIO_FLOOR = 64 * MIB  # below this much output, any ratio is fine (a small file of one repeated row)
MAX_DEPTH = 3  # zip → gzip → CSV is two; a third level is allowed, a fourth is a bomb or a quine
DEFAULTS = {"AZDASH_MAX_FILE_MB": 8192, "AZDASH_MAX_UNPACKED_MB": 1024, "AZDASH_MAX_RATIO": 200, "AZDASH_MAX_MEMBERS": 2_000}


@dataclass(frozen=True)
class Limits:
    """The bounds for one given file."""

    max_file_bytes: int
    max_unpacked_bytes: int
    max_ratio: int
    max_members: int
    max_depth: int = MAX_DEPTH
    ratio_floor: int = RATIO_FLOOR


def _number(environ: Mapping[str, str], key: str) -> int:
    text = environ.get(key, "").strip()
    try:
        value = int(float(text)) if text else DEFAULTS[key]
    except ValueError:
        value = DEFAULTS[key]
    return value if value > 0 else DEFAULTS[key]


def read_limits(environ: Mapping[str, str] | None = None) -> Limits:
    """The limits from the environment (megabytes; unset, empty or invalid values take the default)."""
    env = os.environ if environ is None else environ
    return Limits(
        max_file_bytes=_number(env, "AZDASH_MAX_FILE_MB") * MIB,
        max_unpacked_bytes=_number(env, "AZDASH_MAX_UNPACKED_MB") * MIB,
        max_ratio=_number(env, "AZDASH_MAX_RATIO"),
        max_members=_number(env, "AZDASH_MAX_MEMBERS"),
    )


def size_text(size: int) -> str:
    """A byte count as the user reads it (MB above one megabyte)."""
    if size >= MIB:
        return _("{size} MB").format(size=fmt.count(round(size / MIB)))
    return _("{size} bytes").format(size=fmt.count(size))


def check_file_size(name: str, size: int, limits: Limits | None = None) -> None:
    """Refuse a file larger than ``AZDASH_MAX_FILE_MB``.

    Raises:
        FormatError: naming the file, its size and the limit.
    """
    bound = (limits or read_limits()).max_file_bytes
    if size > bound:
        raise FormatError(
            name,
            _("a file of at most {limit} (AZDASH_MAX_FILE_MB)").format(limit=size_text(bound)),
            _("{size}; split the export into smaller files or raise the limit").format(size=size_text(size)),
        )


class Budget:
    """What is left to unpack from one given file, shared by every container nested in it."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or read_limits()
        self.used = 0
        self.depth = 0
        self.given = 0  # bytes of the files given (compressed), for the ratio of everything unpacked from them
        self.members = 0  # files given and archive members met so far, at every level

    def add_given(self, name: str, size: int) -> None:
        """Count one file as given (its ``size`` in bytes) towards the ratio and the file count.

        Raises:
            FormatError: when the files given and the members met exceed ``AZDASH_MAX_MEMBERS``.
        """
        self.given += size
        self.check_members(name, 1)

    def _too_much(self, name: str) -> FormatError:
        return FormatError(
            name,
            _("an archive that unpacks to at most {limit} (AZDASH_MAX_UNPACKED_MB)").format(
                limit=size_text(self.limits.max_unpacked_bytes)
            ),
            _("more than that: a zip or gzip bomb, or an export too large to read here"),
        )

    def take(self, name: str, produced: int, output: int, compressed: int) -> None:
        """Count ``produced`` more bytes of ``name`` (``output`` so far from ``compressed`` input bytes).

        Raises:
            FormatError: when the whole file's budget or the stream's ratio is exceeded.
        """
        self.used += produced
        if self.used > self.limits.max_unpacked_bytes:
            raise self._too_much(name)
        self._check_ratio(name, output, max(compressed, 1))
        # Members that stay below the floor one by one (forty of 60 MB) are caught by the total over the files given.
        self._check_ratio(name, self.used, self.given)

    def _check_ratio(self, name: str, unpacked: int, packed: int) -> None:
        ratio = self.limits.max_ratio
        if packed and unpacked > self.limits.ratio_floor and unpacked > ratio * packed:
            raise FormatError(
                name,
                _("compressed data that expands at most {ratio} times (AZDASH_MAX_RATIO)").format(ratio=fmt.count(ratio)),
                _("{size} unpacked from {compressed}: a zip or gzip bomb").format(size=size_text(unpacked), compressed=size_text(packed)),
            )

    def expect(self, name: str, size: int) -> None:
        """Refuse early a member whose declared size alone would not fit in what is left.

        Raises:
            FormatError: when ``size`` exceeds the rest of the budget.
        """
        if self.used + size > self.limits.max_unpacked_bytes:
            raise self._too_much(name)

    def reserve(self, name: str, size: int) -> None:
        """Count ``size`` bytes about to be unpacked in one go (a Parquet file's pages).

        Raises:
            FormatError: when the budget does not hold them.
        """
        if self.used + size > self.limits.max_unpacked_bytes:
            raise self._too_much(name)
        self.used += size
        self._check_ratio(name, self.used, self.given)

    def check_members(self, name: str, count: int) -> None:
        """Count ``count`` more files (an archive's members); refuse past ``AZDASH_MAX_MEMBERS`` in all.

        Nested archives and the other files given count against the same limit, so zips inside zips cannot multiply it.

        Raises:
            FormatError: with the count and the limit.
        """
        self.members += count
        if self.members > self.limits.max_members:
            raise FormatError(
                name,
                _("at most {limit} files in all, archive members included (AZDASH_MAX_MEMBERS)").format(
                    limit=fmt.count(self.limits.max_members)
                ),
                _("{count} files").format(count=fmt.count(self.members)),
            )

    @contextmanager
    def nested(self, name: str) -> Iterator[None]:
        """One container deeper; refused past ``MAX_DEPTH``.

        Raises:
            FormatError: for containers nested too deep (zip quines, layered bombs).
        """
        if self.depth >= self.limits.max_depth:
            raise FormatError(
                name,
                _("containers nested at most {limit} deep").format(limit=self.limits.max_depth),
                _("a zip or gzip inside deeper layers: a zip bomb or a zip that contains itself"),
            )
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def read(self, name: str, stream: IO[bytes], compressed: int) -> bytes:
        """Read a decompressing ``stream`` to its end in chunks, counting every chunk."""
        chunks: list[bytes] = []
        output = 0
        while chunk := stream.read(CHUNK):
            output += len(chunk)
            self.take(name, len(chunk), output, compressed)
            chunks.append(chunk)
        return b"".join(chunks)
