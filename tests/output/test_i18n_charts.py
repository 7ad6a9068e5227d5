"""Charts and exports in Dutch: Babel's formats on axes and hovers, same colours everywhere, files stay machine-readable."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from lib.analysis import views
from lib.analysis.filters import Filters
from lib.core import i18n
from lib.core.dataset import Dataset, LoadRequest
from lib.core.periods import parse_period_key
from lib.core.schema import Col
from lib.output import charts, downloads, export
from lib.sources.demo import DemoSource

AS_OF = date(2026, 11, 26)
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return DemoSource().load(LoadRequest(as_of=AS_OF))


def _view(key: str = "history", **changes: object) -> views.View:
    base = views.View(period_key=key, period=parse_period_key(key, AS_OF))
    return views.View(**{**base.__dict__, **changes})


def test_dutch_daily_chart_uses_babel_on_axes_and_hovers(demo: Dataset) -> None:
    """Dutch ticks fall on Mondays with Dutch month names; hovers carry Babel's amounts; the axis has the euro sign before."""
    model = views.overview(demo, _view("last30"))
    with i18n.language("nl"):
        fig = charts.build_daily_cost_chart(model.daily, model.colours, "EUR", "Dagelijkse kosten").to_plotly_json()
    layout = fig["layout"]
    assert layout["separators"] == ",."
    assert layout["yaxis"]["tickprefix"] == f"€{NBSP}"
    assert layout["yaxis"]["title"]["text"] == "Kosten (EUR)"
    # 28 Oct – 26 Nov 2026: the Mondays are 2, 9, 16 and 23 Nov.
    assert list(layout["xaxis"]["ticktext"]) == ["2 nov", "9 nov", "16 nov", "23 nov"]
    assert list(layout["xaxis"]["tickvals"]) == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    first = fig["data"][0]
    assert first["x"][0] == date(2026, 10, 28)
    for cost, (_day, text, _total) in zip(first["y"], first["customdata"], strict=True):
        whole, cents = f"{abs(cost):.2f}".split(".")
        grouped = f"{int(whole):,}".replace(",", ".")
        assert text == f"€{NBSP}{'-' if cost < 0 else ''}{grouped},{cents}"
    assert first["customdata"][0][0] == "28 okt 2026"
    assert first["hovertemplate"] == "%{customdata[0]}<br>%{fullData.name}: %{customdata[1]}<br>Dagtotaal: %{customdata[2]}<extra></extra>"


def test_english_chart_keeps_english_forms(demo: Dataset) -> None:
    """In English the same chart has English separators, the symbol glued to the number, and month ticks for long periods."""
    model = views.overview(demo, _view("history"))
    fig = charts.build_daily_cost_chart(model.daily, model.colours, "EUR", "Daily cost").to_plotly_json()
    layout = fig["layout"]
    assert layout["separators"] == ".,"
    assert layout["yaxis"]["tickprefix"] == "€"
    # Issue 19, point 6: at most five labels (a phone's width), here every other month.
    assert list(layout["xaxis"]["ticktext"]) == ["May 2026", "Jul 2026", "Sep 2026", "Nov 2026"]
    assert layout["xaxis"]["tickvals"][0] == "2026-05-01"
    # Issue 19, point 7: hovered days as the page writes them ("1 Jun 2026"), never 01/06/2026 (tests/output/test_hovers.py).
    assert fig["data"][0]["customdata"][0][0] == "1 May 2026"


def test_billing_chart_in_dutch(demo: Dataset) -> None:
    """Billing periods are Dutch month labels; legend names and the estimate note are Dutch."""
    model = views.overview(demo, _view())
    with i18n.language("nl"):
        fig = charts.build_billing_chart(model.bills, "EUR").to_plotly_json()
    assert list(fig["data"][0]["x"]) == ["mei 2026", "jun 2026", "jul 2026", "aug 2026", "sep 2026", "okt 2026", "nov 2026"]
    assert [t["name"] for t in fig["data"]] == ["Gefactureerd", "Maand tot heden", "Geschatte rest van de periode"]
    assert "een schatting die kan afwijken van de factuur" in fig["layout"]["annotations"][0]["text"]  # the full caveat is the caption
    assert fig["data"][0]["hovertemplate"].startswith("%{x}<br>Gefactureerd: %{customdata}")


def test_other_is_translated_but_keeps_its_grey(demo: Dataset) -> None:
    """The app's own "Other" group is "Overig" in Dutch, still grey."""
    model = views.overview(demo, _view())
    with i18n.language("nl"):
        fig = charts.build_daily_cost_chart(model.daily, model.colours, "EUR", "x").to_plotly_json()
    other = next(t for t in fig["data"] if t["name"] == "Overig")
    assert other["marker"]["color"] == charts.OTHER_COLOUR


def _colours(fig: dict[str, object]) -> dict[str, str]:
    return {t["name"]: t["marker"]["color"] for t in fig["data"]}  # type: ignore[attr-defined, index]


def test_a_service_has_one_colour_on_every_chart_and_page(demo: Dataset) -> None:
    """Overview, Explore (both charts) and a filtered view give each service the same colour."""
    overview = views.overview(demo, _view())
    overview_colours = _colours(charts.build_daily_cost_chart(overview.daily, overview.colours, "EUR", "").to_plotly_json())
    subset = ["Storage", "Key Vault", "Bandwidth"]
    filtered = views.explore(demo, _view("last30", filters=Filters().with_values(Col.SERVICE, subset)))
    explore_daily = _colours(charts.build_daily_cost_chart(filtered.daily, filtered.colours, "EUR", "").to_plotly_json())
    bars = charts.build_breakdown_chart(filtered.table, filtered.colours, "EUR", "").to_plotly_json()["data"][0]
    breakdown = dict(zip(bars["y"], bars["marker"]["color"], strict=True))
    assert set(explore_daily) == set(subset) == set(breakdown)
    for service in subset:
        assert explore_daily[service] == breakdown[service]
        if service in overview_colours:
            assert overview_colours[service] == explore_daily[service]
    named = [n for n in overview_colours if n != "Other"]
    assert len(named) == 9
    assert [overview_colours[n] for n in named] == list(charts.PALETTE)  # the nine costliest take the palette in order
    # Issue 19, point 4: a service outside the top nine gets a colour of its own (never the grey of "Other"), the
    # same one when filtered to on its own.
    tenth = views.ranked(demo, Col.SERVICE)[9]
    alone = views.explore(demo, _view(filters=Filters().with_values(Col.SERVICE, [tenth])))
    own = charts.SECOND_PALETTE[0]
    assert _colours(charts.build_daily_cost_chart(alone.daily, alone.colours, "EUR", "").to_plotly_json()) == {tenth: own}


def test_every_named_series_has_its_own_colour_and_only_other_is_grey() -> None:
    """Issue 19, point 4: forty-three groups (as Explore can show): no name is grey, the first sixteen all differ."""
    names = [f"group {n}" for n in range(43)]
    colours = charts.colour_map(names)
    assert colours["Other"] == charts.OTHER_COLOUR
    assert charts.OTHER_COLOUR not in [colours[n] for n in names]
    first = [colours[n] for n in names[: len(charts.PALETTE) + len(charts.SECOND_PALETTE)]]
    assert len(set(first)) == len(first) == 16
    assert charts.OTHER_COLOUR not in charts.SECOND_PALETTE


def test_the_palette_is_pauls_tol_muted() -> None:
    """The nine colours of Paul Tol's colour-blind-safe "muted" scheme; grey is kept for "Other"."""
    assert charts.PALETTE == ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")
    assert charts.OTHER_COLOUR not in charts.PALETTE


def test_exports_are_identical_in_dutch_and_machine_readable(demo: Dataset) -> None:
    """The same view downloads the same bytes in both languages: dot decimals, no grouping, ISO or source dates."""
    view = _view("mtd")
    english = downloads.prepare(demo, view)
    with i18n.language("nl"):
        dutch = downloads.prepare(demo, view)
        canonical = export.to_csv_bytes(export.canonical_for_export(views.select(demo, view).rows))
    assert dutch.raw.data == english.raw.data
    assert dutch.filtered.data == english.filtered.data
    assert dutch.raw.name == english.raw.name == "azure-usage_all-scopes_2026-11-01_2026-11-26_raw-v2.csv"
    rows = list(csv.DictReader(io.StringIO(dutch.raw.data.decode("utf-8-sig"))))
    for row in rows[:200]:
        float(row["costInBillingCurrency"])  # parses as a plain dot-decimal number
        assert "," not in row["costInBillingCurrency"]
    canonical_rows = list(csv.DictReader(io.StringIO(canonical.decode("utf-8-sig"))))
    for row in canonical_rows[:200]:
        assert date.fromisoformat(row[Col.CHARGE_DATE]) <= AS_OF
        float(row[Col.COST])
        assert "," not in row[Col.COST]
