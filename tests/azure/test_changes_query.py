"""Live Azure for ``explain``: the real SDK asks the loopback stand-in for totals per resource id and meter."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import lib.sources.azure as azure_source
from lib import cli
from lib.analysis.changes import Part, compare
from lib.analysis.filters import Filters
from lib.azure.clients import Clients
from lib.cli import explain as explain_command
from lib.core.models import Metric, Period
from lib.core.schema import Col
from lib.sources.azure import Connection
from lib.sources.azure_changes import query_frame
from lib.ui import state
from tests.azure.fakes import (
    FORECAST_PATH,
    QUERY_PATH,
    SUB_SCOPE,
    FakeArm,
    FakeCredential,
    Recorded,
    Reply,
    query_page,
    sign_in_with_az,
)
from tests.azure.test_ui import APP, _fresh_app  # noqa: F401 - the fixture: a fresh app and navigation mode
from tests.streamlit_caches import clear_all_but_the_demo

SEPTEMBER = Period(date(2026, 9, 1), date(2026, 9, 30))
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
VM = "/subscriptions/s/resourcegroups/rg-app/providers/microsoft.compute/virtualmachines/vm1"
DISK = "/subscriptions/s/resourcegroups/rg-ml/providers/microsoft.compute/disks/disk1"
USAGE_COLUMNS = [
    {"name": "Cost", "type": "Number"},
    {"name": "UsageQuantity", "type": "Number"},
    {"name": "ResourceId", "type": "String"},
    {"name": "Meter", "type": "String"},
    {"name": "Currency", "type": "String"},
]
ONE_OFF_COLUMNS = [
    {"name": "Cost", "type": "Number"},
    {"name": "UsageQuantity", "type": "Number"},
    {"name": "ChargeType", "type": "String"},
    {"name": "Meter", "type": "String"},
    {"name": "Currency", "type": "String"},
]
# What the stand-in holds per month: usage by (resource, meter) and every charge type by (charge type, meter).
USAGE = {
    "2026-09-01": [[100.0, 10.0, VM, "D2s v5", "EUR"]],
    "2026-10-01": [[144.0, 12.0, VM, "D2s v5", "EUR"], [30.0, 1.0, DISK, "P10", "EUR"]],
}
ALL_CHARGES = {
    "2026-09-01": [[100.0, 10.0, "Usage", "D2s v5", "EUR"]],
    "2026-10-01": [[174.0, 13.0, "Usage", "D2s v5", "EUR"], [2250.0, 1.0, "Purchase", "Reserved VM", "EUR"]],
}


def answer(request: Recorded) -> Reply:
    body = request.body
    day = body["timePeriod"]["from"][:10]
    grouping = [g["name"] for g in body["dataset"]["grouping"]]
    if grouping == ["ResourceId", "Meter"]:
        return Reply(200, query_page(USAGE.get(day, []), None, USAGE_COLUMNS))
    return Reply(200, query_page(ALL_CHARGES.get(day, []), None, ONE_OFF_COLUMNS))


def test_totals_by_resource_and_meter_explain_the_change(arm: FakeArm, connection: Connection) -> None:
    """Four queries (two per month), each within the two-dimension limit; the parts come out as worked by hand."""
    arm.add("POST", QUERY_PATH, answer)
    with Clients(connection.credential, connection.settings).cost() as client:
        frame, notes = query_frame(client, SUB_SCOPE, (SEPTEMBER, OCTOBER), Metric.ACTUAL, Filters())
    assert notes == []
    bodies: list[dict[str, Any]] = [r.body for r in arm.calls("POST", "/query")]
    assert len(bodies) == 4
    for body in bodies:
        dataset = body["dataset"]
        assert dataset["granularity"] == "None" and len(dataset["grouping"]) == 2
        assert dataset["aggregation"]["totalQuantity"] == {"name": "UsageQuantity", "function": "Sum"}
    assert bodies[0]["dataset"]["filter"]["dimensions"]["name"] == "ChargeType"
    assert "filter" not in bodies[1]["dataset"]
    result = compare(frame, SEPTEMBER, OCTOBER, "EUR")
    assert {str(p): float(v) for p, v in result.parts.items() if v} == {"new": 30.0, "quantity": 20.0, "price": 24.0, "one_off": 2250.0}
    assert (float(result.base_total), float(result.compare_total)) == (100.0, 2424.0)
    assert result.drill_down(Part.NEW).get_column("resource_group").to_list() == ["rg-ml"]


def test_sidebar_filters_are_sent_as_the_query_filter(arm: FakeArm, connection: Connection) -> None:
    arm.add("POST", QUERY_PATH, answer)
    chosen = Filters().with_values(Col.SERVICE, ["Virtual Machines"]).with_values(Col.RESOURCE_GROUP, ["rg-app"])
    chosen = Filters(chosen.dimensions, "env", ("prod", "(untagged)"))
    with Clients(connection.credential, connection.settings).cost() as client:
        _frame, notes = query_frame(client, SUB_SCOPE, (SEPTEMBER,), Metric.AMORTIZED, chosen)
    usage, one_off = (r.body for r in arm.calls("POST", "/query"))
    assert usage["type"] == "AmortizedCost"
    sent = json.dumps(usage["dataset"]["filter"])
    assert '"MeterCategory"' in sent and '"ResourceGroupName"' in sent and '"tags"' in sent and '"ChargeType"' in sent
    assert len(one_off["dataset"]["filter"]["and"]) == 3
    assert len(notes) == 1  # rows without the tag cannot be asked for


def test_a_refusal_becomes_one_sentence(arm: FakeArm, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``explain --scope`` without the role: one line on stderr, exit status 2."""
    arm.add("POST", QUERY_PATH, Reply(403, {"error": {"code": "AuthorizationFailed", "message": "no access"}}))

    def stand_in_connection(args: object) -> Connection:
        return azure_source.connect({"AZURE_ARM_ENDPOINT": arm.url}, credential=FakeCredential())

    monkeypatch.setattr(explain_command, "_cli_connection", stand_in_connection)
    code = cli.run(["explain", "--scope", SUB_SCOPE, "--as-of", "2026-11-26", "--json"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "\n" not in err.strip()


def test_changes_page_on_live_azure_asks_for_totals_per_resource_and_meter(
    arm: FakeArm, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Changes page of a loaded scope: its own totals queries, the parts as worked by hand, cached on rerun."""
    sign_in_with_az(arm, monkeypatch, tmp_path)

    def route(request: Recorded) -> Reply:
        if request.body["dataset"]["granularity"] == "Daily":  # the sidebar's own load
            return Reply(200, query_page([[1.0, 1.1, 20261002, "Storage", "rg-data", "EUR"]]))
        return answer(request)

    arm.add("POST", QUERY_PATH, route)
    arm.add("POST", FORECAST_PATH, Reply(400, {"error": {"code": "BadRequest", "message": "Forecast is unavailable"}}))
    clear_all_but_the_demo()
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.radio(key=state.SOURCE).set_value("azure").run()
    app.selectbox(key="azure_scope").set_value(SUB_SCOPE).run()
    app.button(key="azure_load").click().run()
    daily = len(arm.calls("POST", "/query"))
    app.switch_page("pages/changes.py").run()
    assert not app.exception, app.exception
    totals = [r.body for r in arm.calls("POST", "/query")[daily:]]
    assert len(totals) == 4 and all(b["dataset"]["granularity"] == "None" for b in totals)
    trace = json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]
    assert trace["y"] == [100.0, 30.0, 0.0, 20.0, 24.0, 0.0, 2250.0, 0.0]
    app.run()
    assert len(arm.calls("POST", "/query")) == daily + 4  # served from the cache
    clear_all_but_the_demo()
