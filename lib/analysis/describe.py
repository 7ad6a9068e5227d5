"""The view in words, for the line under a page's title: which filters narrow the figures.

Data names (services, tag values) are escaped for Markdown: they reach ``st.caption``.
"""

from __future__ import annotations

import re

from lib.analysis.filters import Filters
from lib.core import labels
from lib.core.i18n import _
from lib.core.schema import TAG_PREFIX
from lib.output.charts import group_name

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def markdown_literal(text: str) -> str:
    """``text`` shown as it is by Markdown (every special character escaped)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def filters_text(filters: Filters) -> str:
    """``Filtered: Service = Storage, Key Vault; Tag 'env' = prod`` in the reader's language, or "" without filters."""
    if not filters.active:
        return ""
    parts = [
        _("{what} = {values}").format(what=labels.dimension_label(col), values=", ".join(group_name(v) for v in values))
        for col, values in filters.dimensions
    ]
    if filters.tag_key and filters.tag_values:
        parts.append(
            _("{what} = {values}").format(
                what=labels.dimension_label(TAG_PREFIX + filters.tag_key), values=", ".join(group_name(v) for v in filters.tag_values)
            )
        )
    return _("Filtered: {filters}").format(filters="; ".join(parts))
