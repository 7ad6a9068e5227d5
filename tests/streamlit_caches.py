"""Streamlit's caches between AppTests, which carry over from one run to the next in a process (streamlit/streamlit#9139).

Before each AppTest every cache is cleared except the demo data set's. That one is what a server shares between its
sessions too: a pure function of (as_of, metric), immutable, and the results memoised on it (``lib.analysis.frames``)
are pure functions of (data set, view). Keeping it spares each test the demo's build and its first computations.
"""

from __future__ import annotations

import ast
from pathlib import Path

import streamlit as st

from lib.ui import cache_azure

LIB_UI = Path(__file__).resolve().parents[1] / "lib" / "ui"
KEPT = frozenset({"load_demo"})
# Every other st.cache_resource function in lib/ui (test_streamlit_caches checks this list is complete).
CLEARED = (cache_azure._store, cache_azure._identity_store)


def clear_all_but_the_demo() -> None:
    """Clear every Streamlit cache the app uses except the demo data set."""
    st.cache_data.clear()
    for function in CLEARED:
        function.clear()


def resource_cached_functions() -> set[str]:
    """Names of the functions decorated with ``st.cache_resource`` in lib/ui, read from the source."""
    names: set[str] = set()
    for path in LIB_UI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any("cache_resource" in ast.unparse(d) for d in node.decorator_list):
                names.add(node.name)
    return names
