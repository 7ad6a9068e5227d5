"""Sign-in (fail fast, identity keys) and settings (clouds, endpoints)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.azure.auth import identity_key
from lib.azure.settings import SettingsError, read_settings
from lib.core.dataset import SourceError
from lib.sources.azure import connect
from tests.azure.fakes import FakeArm, FakeCredential, fake_jwt


def test_no_credential_available_fails_fast_saying_how_to_sign_in(arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The real DefaultAzureCredential, narrowed to the CLI, with no `az` on PATH: nothing leaves the machine.
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    with pytest.raises(SourceError) as caught:
        connect({"AZURE_ARM_ENDPOINT": arm.url})
    message = str(caught.value)
    assert "sign-in is not available" in message
    assert "az login" in message
    assert "AZURE_CLIENT_SECRET" in message
    assert "\n" not in message
    assert arm.requests == []


def test_stand_in_az_cli_signs_in_for_the_cloud_audience(arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    args_file = tmp_path / "args.txt"
    az = tmp_path / "az"
    az.write_text(f'#!/bin/sh\necho "$@" > {args_file}\necho \'{{"accessToken": "{fake_jwt()}", "expires_on": 4102444800}}\'\n')
    az.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    connection = connect(
        {"AZURE_CLOUD": "usgovernment", "AZURE_ARM_ENDPOINT": arm.url, "AZURE_ARM_AUDIENCE": "https://management.core.usgovcloudapi.net"}
    )
    assert connection.who == "ana@contoso.example"
    assert "--resource https://management.core.usgovcloudapi.net" in args_file.read_text()


def test_identity_key_separates_identities_and_clouds() -> None:
    settings = read_settings({})
    ana = identity_key(FakeCredential(fake_jwt(oid="ana")), settings)[0]
    ana_again = identity_key(FakeCredential(fake_jwt(oid="ana")), settings)[0]
    bob = identity_key(FakeCredential(fake_jwt(oid="bob")), settings)[0]
    ana_china = identity_key(FakeCredential(fake_jwt(oid="ana")), read_settings({"AZURE_CLOUD": "china"}))[0]
    assert ana == ana_again
    assert len({ana, bob, ana_china}) == 3


def test_clouds_and_explicit_endpoint() -> None:
    public = read_settings({})
    assert (public.arm_endpoint, public.token_scope) == ("https://management.azure.com", "https://management.azure.com/.default")
    gov = read_settings({"AZURE_CLOUD": "AzureUSGovernment"})
    assert gov.arm_endpoint == "https://management.usgovcloudapi.net"
    assert gov.token_scope == "https://management.core.usgovcloudapi.net/.default"
    assert gov.authority_host == "login.microsoftonline.us"
    china = read_settings({}, cloud="china")
    assert china.arm_endpoint == "https://management.chinacloudapi.cn"
    stack = read_settings({"AZURE_ARM_ENDPOINT": "https://management.local.azurestack.external/"})
    assert stack.arm_endpoint == "https://management.local.azurestack.external"
    assert stack.audience == "https://management.local.azurestack.external"
    assert read_settings({"AZURE_ARM_ENDPOINT": "https://x.example"}, arm_endpoint="https://y.example").arm_endpoint == "https://y.example"
    with pytest.raises(SettingsError, match="https"):
        read_settings({"AZURE_ARM_ENDPOINT": "http://management.example.com"})
    with pytest.raises(SettingsError, match="AZURE_CLOUD"):
        read_settings({"AZURE_CLOUD": "mars"})
    with pytest.raises(SettingsError, match="AZDASH_THROTTLE_MAX_WAIT"):
        read_settings({"AZDASH_THROTTLE_MAX_WAIT": "soon"})
