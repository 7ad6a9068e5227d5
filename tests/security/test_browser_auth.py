"""Sign-in end to end: the real server, Streamlit's own OIDC login, and a stand-in Entra ID on 127.0.0.1.

Ann (on the allow-list) signs in and sees the dashboard; Bob signs in and sees "No access",
also at the address of another page; signing out brings back the sign-in page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.security import oidc
from tests.security.servers import browser, keep_local, streamlit_server
from tests.serving import free_port

__all__ = ["browser"]

TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def provider() -> Iterator[oidc.Provider]:
    stand_in = oidc.Provider()
    server = oidc.start(stand_in)
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def signed_server(provider: oidc.Provider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("auth")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-tests-only-0123456789abcdef"\n'
        f'client_id = "{oidc.CLIENT_ID}"\n'
        f'client_secret = "{oidc.CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n'
        "[azdash]\n"
        'allowed_users = ["ann@contoso.example"]\n'
    )
    # Authlib accepts plain http only for the loopback test provider.
    env = {"AUTHLIB_INSECURE_TRANSPORT": "1"}
    with streamlit_server(folder / "server.log", "--secrets.files", str(secrets), env=env, port=port) as server:
        yield server


def _sign_in(browser: Any, server: Any, provider: oidc.Provider, user: dict[str, Any]) -> tuple[Any, Any, list[str]]:
    from playwright.sync_api import expect

    provider.user = user
    context = browser.new_context()
    outside = keep_local(context)
    page = context.new_page()
    page.goto(server.url)
    button = page.get_by_role("button", name="Sign in with Microsoft")
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    assert page.get_by_test_id("stMetric").count() == 0
    button.click()
    return context, page, outside


def test_an_allowed_user_signs_in_and_sees_the_dashboard(browser: Any, signed_server: Any, provider: oidc.Provider) -> None:
    from playwright.sync_api import expect

    context, page, outside = _sign_in(browser, signed_server, provider, {"sub": "s-ann", "email": "ann@contoso.example", "name": "Ann"})
    expect(page.get_by_text("Signed in as ann@contoso.example")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=TIMEOUT_MS)
    assert {"/authorize", "/token"} <= set(provider.seen)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible(timeout=TIMEOUT_MS)
    assert page.get_by_test_id("stMetric").count() == 0
    context.close()
    assert not outside


def test_a_user_not_on_the_list_sees_no_access_on_every_address(browser: Any, signed_server: Any, provider: oidc.Provider) -> None:
    from playwright.sync_api import expect

    context, page, outside = _sign_in(browser, signed_server, provider, {"sub": "s-bob", "email": "bob@contoso.example", "name": "Bob"})
    expect(page.get_by_role("heading", name="No access")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("bob@contoso.example")).to_be_visible()
    for path in ("/download", "/explore", "/?source=demo"):
        page.goto(signed_server.url + path)
        expect(page.get_by_role("heading", name="No access")).to_be_visible(timeout=TIMEOUT_MS)
        assert page.get_by_test_id("stMetric").count() == 0
        assert page.get_by_test_id("stDownloadButton").count() == 0
        assert page.get_by_test_id("stFileUploader").count() == 0
    context.close()
    assert not outside
