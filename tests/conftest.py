"""Shared test set-up: no test may reach beyond loopback, and the clock is pinned."""

from __future__ import annotations

import os

# Narrow azure-identity's chain so nothing probes a managed-identity endpoint during tests.
os.environ.setdefault("AZURE_TOKEN_CREDENTIALS", "dev")
os.environ.setdefault("AZDASH_TODAY", "2026-11-26")
