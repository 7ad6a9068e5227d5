"""Shared test set-up: no test may reach beyond loopback, and the clock is pinned."""

from __future__ import annotations

import os
from functools import cache

from streamlit.components.v2 import manifest_scanner

# Narrow azure-identity's chain so nothing probes a managed-identity endpoint during tests.
os.environ.setdefault("AZURE_TOKEN_CREDENTIALS", "dev")
os.environ.setdefault("AZDASH_TODAY", "2026-11-26")
# Live answers of closed periods are kept on disk per identity (lib.azure.period_store): one run's stand-in answers
# must never serve another run, so every test session gets its own cache folder.
if "AZDASH_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["AZDASH_CACHE_DIR"] = tempfile.mkdtemp(prefix="azdash-tests-")

# Every AppTest looks for Streamlit component manifests by reading the metadata of every installed distribution, which
# costs more than most of the app's own runs. The installed set cannot change during a test session: read it once.
manifest_scanner.scan_component_manifests = cache(manifest_scanner.scan_component_manifests)
