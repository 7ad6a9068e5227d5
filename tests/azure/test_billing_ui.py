"""The Billing history page on live Azure in the real app (AppTest) against the loopback stand-in ARM."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.core.fmt import money
from lib.core.periods import period_label
from lib.ui import state
from tests.azure.fakes import PROFILE_SCOPE, FakeArm, sign_in_with_az
from tests.azure.test_billing_live import PERIODS, _invoices, _serve_invoices, _serve_months
from tests.azure.test_ui import APP, _fresh_app  # noqa: F401 - the autouse fixture that gives each test a fresh app


def test_live_billing_history_lists_the_invoices_with_pdf_downloads_and_the_quota_used(
    arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sign_in_with_az(arm, monkeypatch, tmp_path)
    _serve_months(arm)
    _serve_invoices(arm)
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.radio(key=state.SOURCE).set_value("azure").run()
    app.text_input(key="azure_scope_paste").set_value(PROFILE_SCOPE).run()
    app.button(key="azure_load").click().run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    app.switch_page("pages/billing.py").run()
    assert not app.exception, app.exception

    headings = [h.value for h in app.header]
    assert headings == [f"{period_label(PERIODS[-1])} · open (estimate)"] + [
        f"{period_label(p)} · invoiced" for p in reversed(PERIODS[:-1])
    ]
    invoiced = [m.value for m in app.metric if m.label == "Invoiced"]
    totals = {i["name"]: i["properties"]["totalAmount"]["value"] for i in _invoices()}
    assert invoiced == ["–"] + [money(totals[f"G{p.start:%Y%m}01"], "EUR") for p in reversed(PERIODS[:-1])]
    labels = [b.label for b in app.get("download_button")]
    pdfs = [label for label in labels if label.endswith("(PDF)")]
    assert pdfs == [f"Invoice G{p.start:%Y%m}01 (PDF)" for p in reversed(PERIODS[:-1])]
    assert labels.count("Usage (CSV, version 2)") == labels.count("FOCUS 1.2") == 7
    quota = " ".join(c.value for c in app.caption)
    assert "This load sent 8 request(s) to Cost Management, using 7 query units" in quota  # 7 monthly queries + the forecast
    assert "Azure reports 597 queries left this hour." in quota
    assert len(arm.calls("GET", "/invoices")) == 1
