"""Customer-shaped files in the running app: a browser's duplicate download, an old month, mixed layouts, and a
file whose date order only the reader can tell. Expected figures come from the rows as built (``Decimal``)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.core.fmt import money, percent
from lib.ui import sidebar, state
from tests.app.conftest import download

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
HEADER = "Date,CostInBillingCurrency,BillingCurrencyCode,MeterCategory,SubscriptionId,ResourceId"


def _file(first: date, days: int, *, day_first: bool = False, separator: str = ",") -> tuple[bytes, Decimal]:
    lines = [HEADER.replace(",", separator)]
    total = Decimal(0)
    for n in range(days):
        day = first + timedelta(days=n)
        cost = Decimal(f"{n * 13 % 97}.{n * 7 % 100:02d}")
        total += cost
        written = f"{day:%d/%m/%Y}" if day_first else f"{day:%m/%d/%Y}"
        amount = f"{cost}".replace(".", ",") if separator == ";" else f"{cost}"
        lines.append(separator.join([written, amount, "EUR", "Storage", "sub-1", f"res-{n % 3}"]))
    return ("\n".join(lines) + "\n").encode(), total


def _upload(app: AppTest, files: list[tuple[str, bytes]]) -> None:
    app.radio(key=state.SOURCE).set_value("files").run()
    app.file_uploader(key="files_upload").set_value([(name, data, "text/csv") for name, data in files]).run()
    assert not app.exception, app.exception


def _sidebar_text(app: AppTest) -> str:
    return "\n".join([m.value for m in app.sidebar.markdown] + [i.value for i in app.sidebar.info])


def test_duplicate_download_is_read_once_and_said_so(app: AppTest) -> None:
    data, total = _file(date(2026, 11, 1), 20)
    _upload(app, [("usage.csv", data), ("usage (1).csv", data)])
    text = _sidebar_text(app)
    assert "**usage (1).csv**: not read: the same content as usage.csv" in text
    assert "20 of 20 rows kept" in text
    combined = next(m.value for m in app.sidebar.markdown if m.value.startswith("**Combined"))
    assert f"{total:,.2f}" in combined


def test_an_old_month_opens_on_that_month_with_data_up_to_its_last_day(app: AppTest) -> None:
    """The seed's flow: download a closed billing period's usage file and open it, long after."""
    data, total = _file(date(2025, 3, 1), 31)
    _upload(app, [("usage-2025-03.csv", data)])
    captions = " ".join(c.value for c in app.caption)
    assert "31/03/2025" in captions or "3/31/2025" in captions or "31 Mar 2025" in captions or "Mar 31, 2025" in captions, captions
    metrics = " ".join(str(m.value) for m in app.metric)
    assert f"{total:,.2f}" in metrics, metrics


def test_undecidable_dates_ask_and_the_answer_reads_the_file(app: AppTest) -> None:
    data, total = _file(date(2026, 11, 1), 1, day_first=True, separator=";")
    data = data.replace(b"01/11/2026", b"03/04/2026")
    _upload(app, [("kosten.csv", data)])
    assert any("--date-order" in w.value for w in app.sidebar.warning)
    app.radio(key="files_date_order").set_value("dmy").run()
    assert not app.exception, app.exception
    text = _sidebar_text(app)
    assert "1 of 1 row kept" in text
    assert "day first" in text
    assert f"{total:,.2f}" in text


def test_mixed_layouts_convert_to_version_2_with_every_row_and_the_same_total(app: AppTest, served_files: dict[str, bytes]) -> None:
    """Pay-as-you-go (German headers) beside EA cost details: every version 2 row has its date, service, cost, currency."""
    names = ("opencost/headersets/German.csv", "finops-toolkit/EA_ActualCost_Small.csv")
    _upload(app, [(Path(n).name, (REAL / n).read_bytes()) for n in names])
    app.switch_page("pages/download.py").run()
    assert not app.exception, app.exception
    v2 = download(app, served_files, "download_v2").decode("utf-8-sig")
    rows = [{k.lower(): v for k, v in r.items()} for r in csv.DictReader(io.StringIO(v2, newline=""))]
    assert len(rows) == 11 + _source_rows(REAL / names[0])
    for row in rows:
        assert row["date"] and row["metercategory"] and row["costinbillingcurrency"] and row["billingcurrency"], row
    want = _source_total(REAL / names[0], "PreTaxCost (PreTaxCost)") + _source_total(REAL / names[1], "Cost")
    got = sum((Decimal(r["costinbillingcurrency"]) for r in rows), Decimal(0))
    assert got.quantize(Decimal("0.01")) == want.quantize(Decimal("0.01"))


def _source_rows(path: Path) -> int:
    return sum(1 for _row in csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def _source_total(path: Path, column: str) -> Decimal:
    rows = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""))
    total = Decimal(0)
    for row in rows:
        cell = (row.get(column) or "").strip()
        if cell:
            total += Decimal(cell.replace(",", ".")) if cell.count(",") == 1 and "." not in cell else Decimal(cell)
    return total


def _two_past_months() -> tuple[bytes, dict[str, Decimal]]:
    """February and March 2025 (its last day without usage), and each month's cost worked out with csv and Decimal."""
    lines = [HEADER]
    day, n = date(2025, 2, 1), 0
    while day <= date(2025, 3, 30):
        lines.append(f"{day:%m/%d/%Y},{(n * 41) % 300}.{(n * 7919) % 100:02d},EUR,Storage,sub-1,res-{n % 3}")
        day, n = day + timedelta(days=1), n + 1
    data = ("\n".join(lines) + "\n").encode()
    months: dict[str, Decimal] = {}
    for row in csv.DictReader(io.StringIO(data.decode())):
        month, _day, year = row["Date"].split("/")
        months[f"{year}-{month}"] = months.get(f"{year}-{month}", Decimal(0)) + Decimal(row["CostInBillingCurrency"])
    return data, months


def test_a_past_month_is_shown_as_the_closed_billing_period_it_is(app: AppTest) -> None:
    """Issue 14: the picker offers the file's own periods and opens on its latest, closed; nothing is estimated."""
    data, months = _two_past_months()
    _upload(app, [("usage-2025-02-03.csv", data)])
    assert app.session_state[state.PERIOD] == "202503"
    preset = app.sidebar.radio(key=state.PERIOD_PRESET)
    assert preset.value == sidebar.BILLING_PERIOD
    assert [preset.format_func(o) for o in preset.options] == [
        "All billing periods in the data",
        "Last 30 days of the data",
        "Billing period…",
        "Custom range…",
    ]
    month = app.sidebar.selectbox(key=state.PERIOD_BILLING)
    assert month.value == "202503"
    assert [month.format_func(o) for o in month.options] == ["Billing period Mar 2025", "Billing period Feb 2025"]
    shown = {m.label: m.value for m in app.main.metric}
    march, february = months["2025-03"], months["2025-02"]
    assert shown == {
        "Closed period total (Mar 2025)": money(float(march.quantize(Decimal("0.01"))), "EUR"),
        "Change vs previous period (Mar 2025 vs Feb 2025)": percent(float((march - february) / february)),
        "Total in selected period (Mar 2025)": money(float(march.quantize(Decimal("0.01"))), "EUR"),
    }
    captions = " ".join(c.value for c in app.main.caption)
    assert "data up to 30 Mar 2025" in captions, captions
    texts = captions + " ".join(m.label for m in app.main.metric) + " ".join(m.value for m in app.main.markdown)
    assert "estimate" not in texts.lower() and "month to date" not in texts.lower(), texts
    billing = json.loads(app.get("plotly_chart")[1].proto.spec)
    assert [t["name"] for t in billing["data"]] == ["Billed (invoiced)", "Closed, final actual cost (no invoice in the data)"]
    closed = next(t for t in billing["data"] if t["name"].startswith("Closed"))
    assert closed["y"][-2:] == [pytest.approx(float(february)), pytest.approx(float(march))]
    accumulated = json.loads(app.get("plotly_chart")[2].proto.spec)
    assert [t["name"] for t in accumulated["data"]] == ["Accumulated cost"]
    assert accumulated["data"][0]["x"][-1].startswith("2025-03-31")
    assert accumulated["data"][0]["y"][-1] == pytest.approx(float(march))


def test_every_page_takes_a_past_month(app: AppTest) -> None:
    """Explore, Billing history, Changes, Anomalies, Budgets and the usage download draw a closed month's file; Changes
    compares that month with the one before by default, Billing history opens no period."""
    data, months = _two_past_months()
    _upload(app, [("usage-2025-02-03.csv", data)])
    march, february = (money(float(months[m].quantize(Decimal("0.01"))), "EUR") for m in ("2025-03", "2025-02"))
    for page in ("explore", "billing", "changes", "anomalies", "budgets", "download"):
        app.switch_page(f"pages/{page}.py").run()
        assert not app.exception, (page, app.exception)
        captions = " ".join(c.value for c in app.main.caption)
        if page == "billing":
            assert "The seven billing periods up to Mar 2025, the last one in the data; it has ended, so none is open." in captions
        if page == "changes":
            assert f"= {march} − {february}." in captions, captions


def test_a_short_scope_list_shows_as_radio_buttons_and_a_long_one_drops_down(app: AppTest) -> None:
    """The demo's five scopes are radio buttons; a file with eight subscriptions (nine scopes) gets a select box."""
    assert len(app.sidebar.radio(key=state.SCOPE).options) == 5
    assert not [box for box in app.sidebar.selectbox if box.key == state.SCOPE]
    lines = [HEADER] + [f"11/{day:02d}/2026,1.00,EUR,Storage,sub-{n},res-{n}" for n in range(8) for day in (2, 3)]
    _upload(app, [("eight-subscriptions.csv", ("\n".join(lines) + "\n").encode())])
    box = app.sidebar.selectbox(key=state.SCOPE)
    assert len(box.options) == 9  # all loaded files, then each subscription
    assert not [radio for radio in app.sidebar.radio if radio.key == state.SCOPE]
    assert box.value == "files"  # the widest scope (every loaded file), as the radio opens on
