"""Fixtures for the live-Azure tests: a stand-in ARM on 127.0.0.1 and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lib.azure.settings import read_settings
from lib.sources.azure import Connection, connect
from tests.azure.fakes import FakeArm, FakeCredential, start_server


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    """A running stand-in ARM endpoint; proxies bypassed, sign-in chain narrowed to nothing that leaves the machine."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    fake = FakeArm()
    server = start_server(fake)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


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
