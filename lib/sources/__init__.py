"""Data sources, registered in one place. Each implements ``lib.sources.base.Source``."""

from __future__ import annotations

from lib.sources.base import Dataset, LoadRequest, Source, SourceError
from lib.sources.demo import DemoSource

# Key → factory. The files and live-Azure sources register here as they land.
SOURCES: dict[str, type] = {"demo": DemoSource}

from lib.sources.azure import AzureSource  # noqa: E402 - registered after the shared names exist

SOURCES["azure"] = AzureSource
from lib.sources.files import FilesSource  # noqa: E402 - registered after the shared names exist

SOURCES["files"] = FilesSource

__all__ = ["SOURCES", "Dataset", "LoadRequest", "Source", "SourceError"]
