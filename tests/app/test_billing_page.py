"""The Billing history page in the running app (AppTest): one row per period with its figures and its downloads."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from lib.analysis import billing
from lib.core import i18n
from lib.core.dataset import LoadRequest
from lib.core.fmt import money
from lib.core.periods import period_label
from lib.sources.demo import DemoSource
from tests.app.conftest import APP, TIMEOUT

AS_OF = date(2026, 11, 26)  # AZDASH_TODAY in tests/conftest.py
PAGE = "pages/billing.py"


def _open(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params or {})
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def test_demo_history_shows_seven_periods_newest_first_with_their_figures_and_downloads() -> None:
    at = _open()
    assert at.title[0].value == "Billing history"
    expected = billing.history(DemoSource().load(LoadRequest(as_of=AS_OF)), AS_OF)
    shown = [h.value for h in at.header]
    assert shown == [f"{period_label(r.period)} · {billing.status_label(r.status)}" for r in reversed(expected.rows)]
    assert shown[0] == "Nov 2026 · open (estimate)"
    values = [(m.label, m.value) for m in at.metric]
    for row in reversed(expected.rows):
        invoiced = money(row.invoiced, "EUR") if row.invoiced is not None else "–"
        difference = money(row.difference, "EUR") if row.difference is not None else "–"
        assert [("Invoiced", invoiced), ("Usage total", money(row.usage_total, "EUR")), ("Difference", difference)] == values[:3]
        values = values[3:]
    assert values == []
    texts = [t.value for t in at.text]
    assert texts == [f"Invoice: {r.invoice_ids[0]}" for r in reversed(expected.rows[:-1])]
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Usage (CSV, version 2)", "FOCUS 1.2"] * 7  # no invoice PDF: the demo's invoices are made up
    assert [e.label for e in at.expander].count("What explains the difference") == 6
    table = at.dataframe[0].value  # the overview table comes first
    assert list(table["Invoice"]) == [", ".join(r.invoice_ids) for r in expected.rows]
    assert list(table["Status"]) == ["invoiced"] * 6 + ["open (estimate)"]


def test_billing_history_speaks_dutch() -> None:
    at = _open({"lang": "nl"})
    assert at.title[0].value == "Factureringsgeschiedenis"
    with i18n.language("nl"):
        assert at.header[0].value == f"{period_label(billing.open_period(AS_OF))} · open (schatting)"
    assert at.header[1].value.endswith("· gefactureerd")
    assert [b.label for b in at.get("download_button")][:2] == ["Gebruik (CSV, versie 2)", "FOCUS 1.2"]
    assert "Wat het verschil verklaart" in [e.label for e in at.expander]
