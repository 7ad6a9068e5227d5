"""Data sources, registered in one place. Each implements ``lib.sources.base.Source``.

The registry names each source's key, module, class and label, and imports the module on first use:
the live-Azure source pulls in the Azure SDK, which a dashboard reading files or the demo does not
need to load. Every list of sources (the sidebar, the link's ``source=``) comes from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Final, NamedTuple

from lib.core.i18n import N_


class Registered(NamedTuple):
    module: str
    name: str
    label: str  # marked for translation; shown through ``_()``


_REGISTERED: Final[dict[str, Registered]] = {
    "demo": Registered("lib.sources.demo", "DemoSource", N_("Demo")),
    "files": Registered("lib.sources.files", "FilesSource", N_("Files")),
    "azure": Registered("lib.sources.azure", "AzureSource", N_("Azure")),
    "lake": Registered("lib.sources.lake", "LakeSource", N_("Lake")),
}


class _Registry(Mapping[str, type]):
    """Key → source class, imported when first asked for; keys in the order the sidebar shows them."""

    def __getitem__(self, key: str) -> type:
        module, name, _label = _REGISTERED[key]
        found: type = getattr(importlib.import_module(module), name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(_REGISTERED)

    def __len__(self) -> int:
        return len(_REGISTERED)

    def label(self, key: str) -> str:
        """The source's name, marked for translation (show it through ``_()``)."""
        return _REGISTERED[key].label


SOURCES: Final = _Registry()

__all__ = ["SOURCES"]
