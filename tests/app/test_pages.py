"""One AppTest per page, plus interactions: filters change figures, downloads hold the right rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import polars as pl
from streamlit.testing.v1 import AppTest

from lib import cli
from lib.core.dataset import LoadRequest
from lib.core.fmt import money, percent
from lib.core.schema import Col
from lib.sources.demo import DemoSource
from lib.ui import state
from tests.app.conftest import download, metrics, open_filters, served_id
from tests.app.pickers import choose_period
from tests.expected import cents, demo_headline

AS_OF = date(2026, 11, 26)  # tests/conftest.py pins AZDASH_TODAY to this day


def cli_summary(capsys: object, *args: str) -> dict[str, object]:
    assert cli.run(["summarize", "--demo", "--json", "--as-of", AS_OF.isoformat(), *args]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    return json.loads(out)  # type: ignore[no-any-return]


def test_overview_shows_headline_and_three_charts(app: AppTest) -> None:
    """It renders the headline figures and the daily, billed-vs-estimate and accumulated charts."""
    labels = list(metrics(app))  # without the periods the labels name (tests/app/test_views.py checks those)
    assert labels == [
        "Cost so far this period",
        "Estimate to period end",
        "Last invoiced",
        "Change vs previous period",
        "Total in selected period",
    ]
    charts = app.get("plotly_chart")
    assert len(charts) == 3
    figures = [json.loads(c.proto.spec) for c in charts]
    daily, billing, _ = figures
    assert len([t for t in daily["data"] if t["type"] == "bar"]) == 10  # top 9 services + Other (and the anomaly markers)
    assert [t["name"] for t in billing["data"]] == ["Billed (invoiced)", "Month to date", "Estimated rest of period"]
    assert "can differ from the invoice" in json.dumps(billing["layout"]["annotations"])
    captions = " ".join(c.value for c in app.caption)
    assert "updated daily, may not include all usage yet, and can differ from the invoice" in captions


def test_overview_figures_are_the_demo_rows_summed_by_hand(app: AppTest) -> None:
    """It shows the headline figures worked out from the demo's raw rows with csv and Decimal (``tests.expected``)."""
    want = demo_headline(AS_OF)
    shown = metrics(app)
    assert shown["Cost so far this period"] == money(cents(want["cost_so_far"]), "EUR")
    # The demo's back-test picks the damped trend (its caption says so); the figure is that rule worked out by hand.
    assert "damped trend" in " ".join(c.value for c in app.caption)
    assert shown["Estimate to period end"] == money(cents(want["estimate_total_trend"]), "EUR")
    assert shown["Last invoiced"] == money(cents(want["last_closed_amount"]), "EUR")
    assert shown["Change vs previous period"] == percent(float(want["change_vs_last_trend"]))
    # It opens on month to date, the period the headline describes; the billing history is one click away.
    assert shown["Total in selected period"] == money(cents(want["cost_so_far"]), "EUR")
    choose_period(app, "history").run()
    assert metrics(app)["Total in selected period"] == money(cents(want["selected_total"]), "EUR")


def test_service_filter_changes_the_figures_to_that_service(app: AppTest, capsys: object) -> None:
    """It narrows every figure to the chosen service."""
    before = metrics(app)
    open_filters(app).multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Storage"]).run()
    assert not app.exception
    after = metrics(app)
    assert after["Total in selected period"] != before["Total in selected period"]
    storage = cli_summary(capsys, "--period", "mtd")["cost_by_service"]["Storage"]["EUR"]  # type: ignore[index]
    assert after["Total in selected period"] == money(storage, "EUR")
    daily = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in daily["data"]] == ["Storage"]


def test_scope_and_period_change_the_total(app: AppTest) -> None:
    """It totals only the picked subscription and billing period."""
    dataset = DemoSource().load(LoadRequest(as_of=AS_OF))
    subscription = next(s for s in dataset.scopes if s.name == "Contoso Development")
    app.radio(key=state.SCOPE).set_value(subscription.id)
    choose_period(app, "202610").run()
    assert not app.exception
    rows = dataset.normalized.filter(
        (pl.col(Col.SUBSCRIPTION_ID) == subscription.match[0][1])
        & pl.col(Col.CHARGE_DATE).is_between(date(2026, 10, 1), date(2026, 10, 31))
    )
    assert metrics(app)["Total in selected period"] == money(rows.get_column(Col.COST).sum(), "EUR")


def test_explore_groups_by_any_dimension_and_tag(app: AppTest) -> None:
    """It groups by resource group or by a tag key, in a chart and a table."""
    app.switch_page("pages/explore.py").run()
    assert not app.exception
    app.selectbox(key=state.GROUP_BY).set_value(str(Col.RESOURCE_GROUP)).run()
    table = app.dataframe[0].value
    assert "Resource group" in table.columns and len(table) >= 40
    app.selectbox(key=state.GROUP_BY).set_value("tag:env").run()
    table = app.dataframe[0].value
    assert set(table["Tag 'env'"]) == {"prod", "dev", "(untagged)"}


def test_explore_obeys_sidebar_filters(app: AppTest) -> None:
    """It totals to the filtered rows only."""
    app.switch_page("pages/explore.py").run()
    full = app.dataframe[0].value["Cost (EUR)"].sum()
    open_filters(app).multiselect(key=state.filter_key(Col.LOCATION)).set_value(["eastus"]).run()
    narrowed = app.dataframe[0].value["Cost (EUR)"].sum()
    assert 0 < narrowed < full


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_download_serves_raw_v2_and_the_filtered_rows(app: AppTest, served_files: dict[str, bytes]) -> None:
    """It serves the period's raw rows in the v2 layout, and only the filtered rows in the other file."""
    choose_period(app, "history")  # the demo's whole span: the raw file is every row of the data set
    open_filters(app).multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Storage", "Key Vault"])
    app.switch_page("pages/download.py").run()
    assert not app.exception
    raw = read_csv(download(app, served_files, "download_raw"))
    filtered = read_csv(download(app, served_files, "download_filtered"))
    dataset = DemoSource().load(LoadRequest(as_of=AS_OF))
    assert len(raw) == dataset.raw.height
    assert list(raw[0]) == list(dataset.raw.columns)
    assert {r["meterCategory"] for r in filtered} == {"Storage", "Key Vault"}
    expected = [r for r in raw if r["meterCategory"] in ("Storage", "Key Vault")]
    assert filtered == expected
    total = sum(Decimal(r["costInBillingCurrency"]) for r in filtered)
    shown = dataset.normalized.filter(pl.col(Col.SERVICE).is_in(["Storage", "Key Vault"])).get_column(Col.COST).sum()
    assert abs(total - Decimal(str(shown))) < Decimal("0.01")


def test_download_file_names_say_scope_and_period(app: AppTest, served_files: dict[str, bytes], served_names: dict[str, str]) -> None:
    """The browser saves both files under names saying the scope (the demo's billing account) and the period."""
    choose_period(app, "mtd")
    app.switch_page("pages/download.py").run()
    names = {key: served_names[served_id(app, key)] for key in ("download_raw", "download_filtered")}
    assert names == {
        "download_raw": "azure-usage_contoso-europe-b-v_2026-11-01_2026-11-26_raw-v2.csv",
        "download_filtered": "azure-usage_contoso-europe-b-v_2026-11-01_2026-11-26_filtered-v2.csv",
    }


def test_access_page_names_the_agreement_and_roles(app: AppTest) -> None:
    """It says the demo is an MCA and lists who can see charges under each agreement."""
    app.switch_page("pages/access.py").run()
    assert not app.exception
    assert "Microsoft Customer Agreement" in app.success[0].value
    text = " ".join(m.value for m in app.markdown)
    for role in ("Billing profile owner", "Invoice manager", "Enterprise administrator", "Account administrator"):
        assert role in text


def test_other_sources_explain_what_they_need(app: AppTest) -> None:
    """It explains, without an error, what the Files and Azure sources still need."""
    for source in ("files", "azure"):
        app.radio(key=state.SOURCE).set_value(source).run()
        assert not app.exception
        assert not app.error
