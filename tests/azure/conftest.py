"""Fixtures for the live-Azure tests: a stand-in ARM on 127.0.0.1 and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lib.azure.settings import read_settings
from lib.sources.azure import Connection, connect
from tests.azure.fakes import FakeArm, FakeCredential, serve_arm


@pytest.fixture(autouse=True)
def _own_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Answers of closed periods are kept on disk (lib.azure.period_store): one test's stand-in must not serve another's.
    monkeypatch.setenv("AZDASH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    """A running stand-in ARM endpoint; proxies bypassed, sign-in chain narrowed to nothing that leaves the machine."""
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    with serve_arm(monkeypatch) as fake:
        yield fake


@pytest.fixture
def connection(arm: FakeArm) -> Connection:
    """A connection to the stand-in with an injected credential and fast polling/throttle settings."""
    environ = {
        "AZURE_ARM_ENDPOINT": arm.url,
        "AZDASH_THROTTLE_MAX_WAIT": "0.01",
        "AZDASH_REPORT_POLL_INTERVAL": "0.01",
    }
    assert read_settings(environ).is_loopback
    return connect(environ, credential=FakeCredential())
