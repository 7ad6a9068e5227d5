"""Data sources, registered in one place. Each implements ``lib.sources.base.Source``.

The registry names each source's module and class and imports it on first use: the live-Azure
source pulls in the Azure SDK, which a dashboard reading files or the demo does not need to load.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from lib.sources.base import Dataset, LoadRequest, Source, SourceError

# Key → (module, class).
_REGISTERED: dict[str, tuple[str, str]] = {
    "demo": ("lib.sources.demo", "DemoSource"),
    "azure": ("lib.sources.azure", "AzureSource"),
    "files": ("lib.sources.files", "FilesSource"),
    "lake": ("lib.sources.lake", "LakeSource"),
}


class _Registry(Mapping[str, type]):
    """Key → source class, imported when first asked for."""

    def __getitem__(self, key: str) -> type:
        module, name = _REGISTERED[key]
        found: type = getattr(importlib.import_module(module), name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(_REGISTERED)

    def __len__(self) -> int:
        return len(_REGISTERED)


SOURCES: Mapping[str, type] = _Registry()

__all__ = ["SOURCES", "Dataset", "LoadRequest", "Source", "SourceError"]
