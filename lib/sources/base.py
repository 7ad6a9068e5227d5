"""The protocol every data source implements."""

from __future__ import annotations

from typing import Protocol

from lib.core.dataset import Dataset, LoadRequest, ProgressCallback


class Source(Protocol):
    """A place usage comes from: demo data, files, or live Azure."""

    key: str
    label: str

    def load(self, request: LoadRequest, *, progress: ProgressCallback | None = None) -> Dataset:
        """Return the data set for ``request``.

        Raises:
            SourceError: with a message for the user when nothing can be delivered.
        """
        ...
