"""Views by link and the Dutch interface, through AppTest.

Round trips: query parameters in → the view on screen; a control changed → the parameters out.
The Dutch run of every page is compared against the catalogue: no English message may show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from lib.core import fmt, i18n
from lib.core.dataset import Dataset, LoadRequest
from lib.core.schema import Col
from lib.sources.demo import DemoSource
from lib.ui import state
from tests.app.conftest import APP, TIMEOUT, metrics, open_filters, open_tables
from tests.app.pickers import choose_period

AS_OF = date(2026, 11, 26)  # tests/conftest.py pins AZDASH_TODAY to this day
PAGES = (
    "pages/overview.py",
    "pages/explore.py",
    "pages/anomalies.py",
    "pages/budgets.py",
    "pages/changes.py",
    "pages/billing.py",
    "pages/download.py",
    "pages/access.py",
)


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return DemoSource().load(LoadRequest(as_of=AS_OF))


def open_link(params: dict[str, str | list[str]], *, locale: str | None = None, page: str | None = None) -> AppTest:
    """A fresh session opened from a link with ``params`` (and a browser ``locale``)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params)
    if locale:
        at.context["locale"] = locale
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _subscription(demo: Dataset, name: str) -> tuple[str, str]:
    scope = next(s for s in demo.scopes if s.name == name)
    return scope.id, scope.match[0][1]


def test_a_link_restores_the_view(demo: Dataset) -> None:
    """Language, scope, period, metric, group-by and filters come from the link, and the total is theirs."""
    scope_id, subscription_id = _subscription(demo, "Contoso Development")
    at = open_link(
        {
            "lang": "nl",
            "scope": scope_id,
            "period": "202610",
            "group": "resource_group",
            "service": ["Storage", "Virtual Machines"],
            "tag": "env",
            "tag_value": "dev",
        }
    )
    assert at.session_state[state.SCOPE] == scope_id
    assert at.session_state[state.PERIOD] == "202610"
    assert at.radio(key=state.LANGUAGE).value == "nl"
    assert at.multiselect(key=state.filter_key(Col.SERVICE)).value == ["Storage", "Virtual Machines"]
    assert at.selectbox(key=state.TAG_KEY).value == "env"
    assert at.multiselect(key=state.TAG_VALUES).value == ["dev"]
    rows = demo.normalized.filter(
        (pl.col(Col.SUBSCRIPTION_ID) == subscription_id)
        & pl.col(Col.CHARGE_DATE).is_between(date(2026, 10, 1), date(2026, 10, 31))
        & pl.col(Col.SERVICE).is_in(["Storage", "Virtual Machines"])
        & pl.col(Col.TAGS).list.contains({"key": "env", "value": "dev"})
    )
    assert rows.height > 0
    shown = metrics(at)
    assert shown["Totaal in gekozen periode"] == fmt.money(rows.get_column(Col.COST).sum(), "EUR", "nl_NL")
    daily = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert daily["layout"]["title"]["text"] == "Dagelijkse kosten per resourcegroep"
    assert {t["name"] for t in daily["data"]} == set(rows.get_column(Col.RESOURCE_GROUP).unique().to_list())
    assert at.query_params["period"] == "202610"  # the link stays as it was opened


def test_changing_controls_updates_the_link(app: AppTest) -> None:
    """Every control writes its value into the query parameters."""
    assert app.query_params["lang"] == "en"
    assert app.query_params["period"] == "mtd"
    open_filters(app).multiselect(key=state.filter_key(Col.SERVICE)).set_value(["Storage", "Key Vault"]).run()
    assert app.query_params["service"] == ["Storage", "Key Vault"]
    app.radio(key=state.METRIC).set_value("amortized").run()
    choose_period(app, "last30").run()
    app.selectbox(key=state.TAG_KEY).set_value("owner").run()
    owner = app.multiselect(key=state.TAG_VALUES).options[0]
    app.multiselect(key=state.TAG_VALUES).select(owner).run()
    assert not app.exception
    params = app.query_params
    assert (params["metric"], params["period"], params["tag"], params["tag_value"]) == ("amortized", "last30", "owner", owner)
    app.multiselect(key=state.filter_key(Col.SERVICE)).set_value([]).run()
    assert "service" not in app.query_params
    app.switch_page("pages/explore.py").run()
    app.selectbox(key=state.GROUP_BY).set_value(str(Col.LOCATION)).run()
    assert app.query_params["group"] == "location"
    choose_period(app, state.CUSTOM).run()
    app.date_input(key=state.CUSTOM_RANGE).set_value((date(2026, 9, 7), date(2026, 9, 20))).run()
    assert app.query_params["period"] == "2026-09-07..2026-09-20"
    app.radio(key=state.LANGUAGE).set_value("nl").run()
    assert app.query_params["lang"] == "nl"
    assert app.title[0].value == "Verkennen"


def test_a_copied_link_opens_the_same_view(app: AppTest) -> None:
    """The parameters one session writes open the same figures in a new session."""
    open_filters(app).multiselect(key=state.filter_key(Col.LOCATION)).set_value(["westeurope", "eastus"])
    choose_period(app, "202609").run()
    app.radio(key=state.LANGUAGE).set_value("nl").run()
    assert not app.exception
    copied = open_link(dict(app.query_params))
    assert metrics(copied) == metrics(app)
    assert copied.query_params == app.query_params


def test_the_group_by_of_a_link_holds_on_every_page() -> None:
    """``group`` chooses the Overview's daily chart grouping too, and survives a visit to Explore."""
    at = open_link({"group": "tag:env"})
    daily = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {t["name"] for t in daily["data"] if t["type"] == "bar"} == {"prod", "dev", "(untagged)"}
    at.switch_page("pages/explore.py").run()
    assert at.selectbox(key=state.GROUP_BY).value == "tag:env"
    at.switch_page("pages/overview.py").run()
    assert at.query_params["group"] == "tag:env"


def test_stale_and_malformed_parameters_are_ignored_with_a_note() -> None:
    """A missing service, a bad date, an unknown grouping or language: notes, never an error."""
    at = open_link(
        {
            "service": ["Storage", "Quantum Computing"],
            "period": "2026-02-30..2026-03-04",
            "group": "colour",
            "lang": "tlh",
            "scope": "/subscriptions/gone",
            "currency": "USD",
            "utm_source": "mail",
        }
    )
    assert not at.error
    notes = " ".join(w.value for w in at.warning)
    for part in ("Quantum Computing", "2026-02-30..2026-03-04", "colour", "tlh", "/subscriptions/gone", "USD", "utm_source"):
        assert part in notes
    assert at.multiselect(key=state.filter_key(Col.SERVICE)).value == ["Storage"]
    params = at.query_params
    assert params["service"] == "Storage"
    assert params["period"] == "mtd"  # the default, in place of the impossible range
    assert params["group"] == "service"
    assert params["lang"] == "en"
    assert "currency" not in params and "utm_source" not in params
    assert params["scope"] != "/subscriptions/gone"
    at.run()
    assert not at.warning  # said once


def test_a_files_link_asks_for_the_files_again() -> None:
    """Files are not in a link: opening one says to load them again, in the reader's language."""
    at = open_link({"source": "files", "service": "Storage", "lang": "nl"})
    assert not at.exception and not at.error
    assert any("laad dezelfde bestanden opnieuw" in i.value for i in at.info)
    assert at.query_params["source"] == "files"
    assert at.query_params["service"] == "Storage"  # kept for when the files are loaded


@pytest.mark.parametrize(("locale", "params", "title"), [("nl-NL", {}, "Azure-gebruik en -kosten"), ("nl-BE", {"lang": "en"}, None)])
def test_the_browser_language_is_the_default(locale: str, params: dict[str, str], title: str | None) -> None:
    """A Dutch browser gets Dutch, unless the link says otherwise."""
    at = open_link(params, locale=locale)
    assert at.title[0].value == (title or "Azure usage and charges")
    assert at.query_params["lang"] == ("nl" if title else "en")


# --- no English in the Dutch interface ----------------------------------------------------------


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _proto_strings(message: object) -> Iterator[str]:
    for descriptor, value in message.ListFields():  # type: ignore[attr-defined]
        repeated = getattr(descriptor, "is_repeated", None)
        if repeated is None:  # older protobuf
            repeated = descriptor.label == descriptor.LABEL_REPEATED
        values = value if repeated else [value]
        for item in values:
            if isinstance(item, str):
                if descriptor.name == "spec":
                    yield from _strings(json.loads(item))
                else:
                    yield item
            elif hasattr(item, "ListFields"):
                yield from _proto_strings(item)


def rendered_texts(at: AppTest) -> list[str]:
    """Every string the page sends: labels, help, options, markdown, chart texts, table headers."""
    texts: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            texts += _proto_strings(proto)
    for table in at.dataframe:
        texts += [str(c) for c in table.value.columns]
    return texts


def _english_messages() -> tuple[set[str], list[str]]:
    """English msgids whose Dutch differs: whole texts, and their long fixed fragments."""
    catalogue = i18n.catalogue("nl")
    assert catalogue is not None
    whole: set[str] = set()
    fragments: list[str] = []
    for message in catalogue:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for english in ids:
            if english in strings:
                continue  # the same in Dutch ("Demo", "Status")
            whole.add(english)
            fragments += [f.strip() for f in re.split(r"\{[^{}]*\}|\*\*", english) if len(f.strip()) >= 16]
    return whole, fragments


@pytest.mark.parametrize("page", PAGES)
def test_a_dutch_reader_meets_no_english(page: str) -> None:
    """Every page in Dutch, filters open: no English message anywhere in what is sent to the browser."""
    at = open_link({"lang": "nl", "service": "Storage", "tag": "env"}, page=page)
    if page == "pages/overview.py":
        open_tables(at)  # its tables are built only while open
    whole, fragments = _english_messages()
    texts = rendered_texts(at)
    assert len(texts) > 20
    english = sorted({t for t in texts if t in whole} | {f"{f!r} in {t!r}" for t in texts for f in fragments if f in t})
    assert not english, english


@pytest.mark.parametrize(("page", "charts", "other_tables"), [("pages/overview.py", 3, 1), ("pages/explore.py", 2, 0)])
def test_every_chart_has_a_table(app: AppTest, page: str, charts: int, other_tables: int) -> None:
    """Each chart comes with its data as a table (the text alternative), with headers in words.

    The overview also has the estimate's back-tested accuracy as a table (no chart of its own)."""
    app.switch_page(page).run()
    if page == "pages/overview.py":
        open_tables(app)  # its tables are built only while open
    assert len(app.get("plotly_chart")) == charts
    tables = app.dataframe
    assert len(tables) == charts + other_tables
    for table in tables:
        assert len(table.value) > 0
        assert not {"day", "group", "cost", "cumulative", "so_far"} & set(table.value.columns)
