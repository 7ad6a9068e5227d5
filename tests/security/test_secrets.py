"""Secrets never reach logs, the page, error messages or exports.

Planted markers: a client secret in the environment, a bearer token (the credential's and the
Azure CLI's), a SAS signature in blob links and in an Azure error message, and the sign-in
settings' client and cookie secrets. Every log record (caplog at DEBUG, every logger), the
process's stderr and every element the app draws are scanned for them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib.access import redact
from lib.azure.cost_details import CostDetailsRequest
from lib.core.dataset import SourceError
from lib.core.models import Agreement, Metric
from lib.sources.azure import AzureSource, Connection, connect
from lib.ui import state
from tests.azure.fakes import QUERY_PATH, SUB_SCOPE, FakeArm, FakeCredential, Reply, fake_jwt, serve_arm, sign_in_with_az
from tests.security.conftest import APP, TIMEOUT

CLIENT_SECRET = "CLIENTSECRETMARKER7q9"
BEARER = "BEARERMARKER3x5"
SAS = "SASSIGMARKER2k8"
AUTH_SECRET = "AUTHCLIENTSECRETMARKER4"
COOKIE_SECRET = "COOKIESECRETMARKER6-long-enough-for-the-signer"
MARKERS = (CLIENT_SECRET, BEARER, SAS, AUTH_SECRET, COOKIE_SECRET)
PROFILE = "/providers/Microsoft.Billing/billingAccounts/5e3a:4b2f_2019-05-31/billingProfiles/KX7Q-2MZR"
PART = "\ufeffdate,meterCategory,costInBillingCurrency\n10/01/2026,Storage,1.50\n".encode()


def _token() -> str:
    # A JWT with the claims the dashboard reads, whose signature part is the marker.
    return fake_jwt().rsplit(".", 1)[0] + "." + BEARER


def _leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


def _walk(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def _page_text(app: AppTest) -> str:
    """Everything the app sent to the browser: every element's protobuf, as text."""
    return "\n".join(str(getattr(n, "proto", "")) for n in _walk(app._tree))


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", CLIENT_SECRET)
    with serve_arm(monkeypatch) as fake:
        yield fake


@pytest.fixture(autouse=True)
def _everything_logged(caplog: pytest.LogCaptureFixture) -> None:
    # As app.py does at start (the CLI and library tests run without it).
    redact.install_log_redaction()
    caplog.set_level(logging.DEBUG)
    for name in ("azure", "azure.core.pipeline.policies.http_logging_policy", "urllib3", "streamlit", "lib"):
        logging.getLogger(name).setLevel(logging.DEBUG)


def _cost_details_routes(arm: FakeArm, blob_status: int) -> None:
    location = f"{arm.url}{PROFILE}/providers/Microsoft.CostManagement/costDetailsOperationResults/op-1?api-version=2025-03-01"
    arm.add("POST", rf"{PROFILE}/providers/Microsoft\.CostManagement/generateCostDetailsReport", Reply(202, None, {"Location": location}))
    blob = f"{arm.url}/armreports/op-1/part_0.csv?sv=2020-08-04&se=2026-11-27&sp=r&sig={SAS}"
    final = {
        "id": "op-1",
        "name": "op-1",
        "status": "Completed",
        "manifest": {"blobCount": 1, "blobs": [{"blobLink": blob, "byteCount": len(PART)}]},
    }
    arm.add("GET", rf"{PROFILE}/providers/Microsoft\.CostManagement/costDetailsOperationResults/op-1", Reply(200, final))
    arm.add("GET", r"/armreports/op-1/part_0\.csv", Reply(blob_status, raw=PART if blob_status == 200 else b"AuthenticationFailed"))


@pytest.mark.parametrize("blob_status", [200, 403])
def test_cost_details_and_its_errors_leak_nothing(
    arm: FakeArm, blob_status: int, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    _cost_details_routes(arm, blob_status)
    environ = {"AZURE_ARM_ENDPOINT": arm.url, "AZDASH_REPORT_POLL_INTERVAL": "0.01", "AZURE_CLIENT_SECRET": CLIENT_SECRET}
    connection: Connection = connect(environ, credential=FakeCredential(_token()))
    said: list[str] = []
    source = AzureSource(connection, agreement=Agreement.MCA)
    try:
        result = source.cost_details(CostDetailsRequest(PROFILE, Metric.ACTUAL, invoice_id="G1"), progress=lambda _f, t: said.append(t))
        said.append(result.data.decode("utf-8-sig"))
    except SourceError as error:
        said.append(str(error))
    # The markers did travel where they belong (so the scan below is not vacuous).
    assert any(SAS in r.raw_query for r in arm.requests)
    assert any(BEARER in r.headers.get("authorization", "") for r in arm.requests)
    out, err = capfd.readouterr()
    assert _leaks("\n".join(said)) == []
    assert _leaks(caplog.text) == []
    assert _leaks(out + err) == []


def test_an_azure_error_quoting_a_signed_link_is_shown_without_it(
    arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    sign_in_with_az(arm, monkeypatch, tmp_path, _token())
    message = f"Export failed writing https://contoso.blob.core.windows.net/exports/x.csv?sv=2020-08-04&sig={SAS} for the scope"
    arm.add("POST", QUERY_PATH, Reply(400, {"error": {"code": "BadRequest", "message": message}}))
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.run()
    app.radio(key=state.SOURCE).set_value("azure").run()
    app.selectbox(key="azure_scope").set_value(SUB_SCOPE).run()
    app.button(key="azure_load").click().run()
    assert not app.exception, app.exception
    page = _page_text(app)
    assert "contoso.blob.core.windows.net/exports/x.csv" in page  # the error is shown…
    assert arm.calls("POST", "/query")
    out, err = capfd.readouterr()
    assert _leaks(page) == []  # …without its signature
    assert _leaks(caplog.text) == []
    assert _leaks(out + err) == []


@pytest.mark.parametrize("user", [{"is_logged_in": False}, {"is_logged_in": True, "email": "eve@contoso.com"}], ids=["out", "denied"])
def test_sign_in_settings_never_reach_the_page(user: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.secrets = {
        "auth": {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": COOKIE_SECRET,
            "client_id": "00000000-0000-0000-0000-00000000c11e",
            "client_secret": AUTH_SECRET,
            "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
        },
        "azdash": {"allowed_users": ["ann@contoso.com"]},
    }
    app.user = user
    app.run()
    assert not app.exception, app.exception
    assert _leaks(_page_text(app)) == []
    assert _leaks(caplog.text) == []


def test_redact_masks_signatures_tokens_and_secret_values() -> None:
    text = (
        f"GET /c/x.csv?sv=1&sig={SAS}&se=2 Authorization: Bearer {BEARER} token {_token()} "
        f"secret {CLIENT_SECRET} https://login.example/cb?code={AUTH_SECRET}&state=s"
    )
    cleaned = redact.redact(text, secrets=[CLIENT_SECRET])
    assert _leaks(cleaned) == []
    assert "sv=1" in cleaned and "se=2" in cleaned and "state=s" in cleaned  # only the secret parts go
    assert redact.redact("cost 12.50 EUR for rg-web") == "cost 12.50 EUR for rg-web"
