"""The Query API path through the real CostManagementClient against the loopback stand-in."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import pytest

from lib.azure.query import NOT_QUERIED
from lib.core.dataset import LoadRequest, SourceError
from lib.core.models import Metric, Period
from lib.core.schema import Col
from lib.sources import SOURCES
from lib.sources.azure import AzureSource, Connection
from tests.azure.fakes import COLUMNS, FORECAST_PATH, QUERY_PATH, SUB_SCOPE, FakeArm, Recorded, Reply, query_page

AS_OF = date(2026, 11, 26)
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))

PAGES = [
    [[12.5, 13.75, 20261001, "Virtual Machines", "rg-web", "EUR"], [3.25, 3.5, 20261001, "Storage", "rg-data", "EUR"]],
    [[7.125, 7.8, 20261002, "Virtual Machines", "rg-web", "EUR"], [0.0, 0.0, 20261002, "Bandwidth", "", "EUR"]],
    [[1.1, 1.2, 20261031, "Storage", "rg-data", "EUR"]],
]
TOKEN_2 = "AQAAAA%2Bb%2Fc%3D%3D"  # base64 with + / = : must stay percent-encoded on the wire
TOKEN_3 = "AQAAAB%3D%3D"


def _paged(arm: FakeArm) -> Any:
    def reply(request: Recorded) -> Reply:
        token = request.query.get("$skiptoken", [None])[0]
        link = f"{arm.url}{SUB_SCOPE}/providers/Microsoft.CostManagement/query?api-version=2025-03-01&$skiptoken="
        if token is None:
            return Reply(200, query_page(PAGES[0], link + TOKEN_2))
        if token == "AQAAAA+b/c==":
            return Reply(200, query_page(PAGES[1], link + TOKEN_3))
        if token == "AQAAAB==":
            return Reply(200, query_page(PAGES[2], None))
        return Reply(400, {"error": {"code": "BadRequest", "message": f"bad token {token}"}})

    return reply


def _expected_body(start: str, end: str, metric: str = "ActualCost") -> dict[str, Any]:
    return {
        "type": metric,
        "timeframe": "Custom",
        "timePeriod": {"from": f"{start}T00:00:00Z", "to": f"{end}T23:59:59Z"},
        "dataset": {
            "granularity": "Daily",
            "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}, "totalCostUSD": {"name": "CostUSD", "function": "Sum"}},
            "grouping": [{"type": "Dimension", "name": "MeterCategory"}, {"type": "Dimension", "name": "ResourceGroupName"}],
        },
    }


def _load(
    connection: Connection, period: Period, *, metric: Metric = Metric.ACTUAL, progress: list[str] | None = None, **kwargs: Any
) -> Any:
    messages = progress if progress is not None else []
    source = AzureSource(connection, **kwargs)
    request = LoadRequest(as_of=AS_OF, metric=metric, period=period, scope_id=SUB_SCOPE + "/")
    return source.load(request, progress=lambda _f, text: messages.append(text))


def test_three_page_result_is_followed_with_the_same_body_and_kept_whole(arm: FakeArm, connection: Connection) -> None:
    arm.add("POST", QUERY_PATH, _paged(arm))
    progress: list[str] = []
    dataset = _load(connection, OCTOBER, progress=progress)

    posts = arm.calls("POST", "/query")
    assert len(posts) == 3
    assert posts[0].body == _expected_body("2026-10-01", "2026-10-31")
    assert posts[1].body == posts[0].body
    assert posts[2].body == posts[0].body
    assert "$skiptoken=AQAAAA%2Bb%2Fc%3D%3D" in posts[1].raw_query
    assert all(p.query["api-version"] == ["2025-03-01"] for p in posts)
    assert all(p.headers["authorization"] == f"Bearer {connection.credential.token}" for p in posts)  # type: ignore[attr-defined]
    assert all(p.headers["clienttype"] == "azure-usage-dashboard" for p in posts)
    assert "//providers" not in posts[0].path

    served = [row for page in PAGES for row in page]
    assert dataset.normalized.height == len(served)
    assert dataset.raw.height == len(served)
    assert dataset.raw.columns == [c["name"] for c in COLUMNS]
    assert dataset.raw.row(0) == ("12.5", "13.75", "20261001", "Virtual Machines", "rg-web", "EUR")
    by_service: dict[str, float] = defaultdict(float)
    for row in served:
        by_service[row[3]] += row[0]
    frame = dataset.normalized
    got = {s: c for s, c in frame.group_by(Col.SERVICE).agg(Col.COST).iter_rows()}
    assert got.keys() == by_service.keys()
    for service, cost in by_service.items():
        assert sum(got[service]) == pytest.approx(cost, abs=1e-9)
    assert frame.get_column(Col.COST_USD).sum() == pytest.approx(sum(r[1] for r in served))
    assert frame.filter(frame[Col.SERVICE] == "Bandwidth")[Col.RESOURCE_GROUP].to_list() == ["Unassigned"]
    assert set(frame[Col.LOCATION].to_list()) == {NOT_QUERIED}
    assert frame[Col.CHARGE_DATE].min() == date(2026, 10, 1)
    # SourceRow points back at the raw row each canonical row came from
    for source_row, cost in frame.select(Col.SOURCE_ROW, Col.COST).iter_rows():
        assert float(dataset.raw[source_row, "Cost"]) == cost

    assert dataset.live.pages == 3
    assert dataset.live.rows == len(served)
    assert any("5 rows from 3 page(s)" in text for text in progress)
    assert any("page" in n and "5 rows" in n for n in dataset.notes)
    invoices = dataset.live.invoices
    assert dataset.live.invoices_source.startswith("final actual cost")
    assert list(invoices) == [
        {
            "kind": "final_actual_cost",
            "invoice_id": None,
            "period_start": "2026-10-01",
            "period_end": "2026-10-31",
            "amount": pytest.approx(sum(r[0] for r in served)),
            "currency": "EUR",
            "status": None,
            "invoice_date": None,
        }
    ]


def test_long_period_is_queried_month_by_month_and_forecast_covers_the_open_period(arm: FakeArm, connection: Connection) -> None:
    months = {"2026-09-15": 20260915, "2026-10-01": 20261003, "2026-11-01": 20261120}

    def per_month(request: Recorded) -> Reply:
        day = months[request.body["timePeriod"]["from"][:10]]
        return Reply(200, query_page([[10.0, 11.0, day, "Storage", "rg-data", "EUR"]]))

    forecast_rows = [
        [400.0, 20261101, "Actual", "EUR"],
        [20.5, 20261127, "Forecast", "EUR"],
        [21.5, 20261128, "Forecast", "EUR"],
    ]
    forecast_columns = [
        {"name": "Cost", "type": "Number"},
        {"name": "UsageDate", "type": "Number"},
        {"name": "CostStatus", "type": "String"},
        {"name": "Currency", "type": "String"},
    ]
    arm.add("POST", QUERY_PATH, per_month)
    arm.add("POST", FORECAST_PATH, Reply(200, query_page(forecast_rows, columns=forecast_columns)))
    dataset = _load(connection, Period(date(2026, 9, 15), AS_OF), metric=Metric.AMORTIZED)

    bodies = [r.body for r in arm.calls("POST", "/query")]
    assert [(b["timePeriod"]["from"], b["timePeriod"]["to"]) for b in bodies] == [
        ("2026-09-15T00:00:00Z", "2026-09-30T23:59:59Z"),
        ("2026-10-01T00:00:00Z", "2026-10-31T23:59:59Z"),
        ("2026-11-01T00:00:00Z", "2026-11-26T23:59:59Z"),
    ]
    assert {b["type"] for b in bodies} == {"AmortizedCost"}
    assert dataset.normalized.height == 3
    forecast_call = arm.calls("POST", "/forecast")
    assert len(forecast_call) == 1
    assert forecast_call[0].body == {
        "type": "AmortizedCost",
        "timeframe": "Custom",
        "timePeriod": {"from": "2026-11-01T00:00:00Z", "to": "2026-11-30T23:59:59Z"},
        "dataset": {"granularity": "Daily", "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}}},
        "includeActualCost": True,
        "includeFreshPartialCost": False,
    }
    forecast = dataset.live.forecast
    assert forecast["source"] == "Cost Management forecast API"
    assert forecast["available"] is True
    assert forecast["actual_to_date"] == pytest.approx(400.0)
    assert forecast["forecast_rest"] == pytest.approx(20.5 + 21.5)
    assert forecast["total"] == pytest.approx(442.0)
    assert forecast["currency"] == "EUR"
    assert [d["status"] for d in forecast["daily"]] == ["Actual", "Forecast", "Forecast"]
    assert [i["period_start"] for i in dataset.live.invoices] == ["2026-09-01", "2026-10-01"]


def test_forecast_refusal_falls_back_to_the_dashboard_estimate(arm: FakeArm, connection: Connection) -> None:
    arm.add("POST", QUERY_PATH, Reply(200, query_page([[5.0, 5.5, 20261102, "Storage", "rg", "EUR"]])))
    arm.add("POST", FORECAST_PATH, Reply(400, {"error": {"code": "BadRequest", "message": "Forecast is unavailable for this scope"}}))
    dataset = _load(connection, Period(date(2026, 11, 1), AS_OF))
    forecast = dataset.live.forecast
    assert forecast["source"] == "dashboard estimate"
    assert forecast["available"] is False
    assert "Forecast is unavailable" in forecast["reason"]
    assert any("dashboard's own estimate" in w for w in dataset.warnings)


def test_429_with_only_cost_management_headers_is_waited_out(arm: FakeArm, connection: Connection) -> None:
    throttled = Reply(
        429,
        {"error": {"code": "429", "message": "Too many requests. Please retry."}},
        {
            "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "7",
            "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after": "3",
        },
    )
    arm.add("POST", QUERY_PATH, throttled, Reply(200, query_page(PAGES[0])))
    progress: list[str] = []
    dataset = _load(connection, OCTOBER, progress=progress)
    posts = arm.calls("POST", "/query")
    assert len(posts) == 2
    assert posts[1].body == posts[0].body
    assert dataset.normalized.height == len(PAGES[0])
    # the longest requested wait (7 s) was read; the test settings cap the real wait at 0.01 s
    assert any(t.startswith("throttled, retrying in 0.01 s (Azure asked for 7 s, capped)") for t in progress)


def test_throttling_that_never_ends_gives_up_with_a_message(arm: FakeArm, connection: Connection) -> None:
    arm.add("POST", QUERY_PATH, Reply(429, {"error": {"code": "429"}}, {"x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after": "2"}))
    with pytest.raises(SourceError, match="kept throttling") as caught:
        _load(connection, OCTOBER)
    assert "Azure asked to wait 2 s" in str(caught.value)
    assert len(arm.calls("POST", "/query")) == connection.settings.throttle_retries + 1


def test_401_rbac_access_denied_names_the_role(arm: FakeArm, connection: Connection) -> None:
    body = {"error": {"code": "RBACAccessDenied", "message": "The client does not have authorization to perform action."}}
    arm.add("POST", QUERY_PATH, Reply(401, body))
    with pytest.raises(SourceError) as caught:
        _load(connection, OCTOBER)
    message = str(caught.value)
    assert "RBACAccessDenied" in message
    assert "Cost Management Reader" in message
    assert "subscription" in message
    assert "\n" not in message
    assert len(arm.calls("POST", "/query")) == 1


def test_403_on_a_billing_profile_names_the_billing_roles(arm: FakeArm, connection: Connection) -> None:
    scope = "/providers/Microsoft.Billing/billingAccounts/acc:1_2019-05-31/billingProfiles/KX7Q"
    arm.add("POST", r".*/query", Reply(403, {"error": {"code": "AuthorizationFailed", "message": "no access"}}))
    source = AzureSource(connection)
    with pytest.raises(SourceError) as caught:
        source.load(LoadRequest(as_of=AS_OF, period=OCTOBER, scope_id=scope))
    assert "Billing profile reader" in str(caught.value)
    assert "AuthorizationFailed" in str(caught.value)


def test_400_unsupported_offer_says_so(arm: FakeArm, connection: Connection) -> None:
    message = "Cost management data is unavailable for subscription x. The offer MS-AZR-0243P is not supported. (Request ID: 1)"
    arm.add("POST", QUERY_PATH, Reply(400, {"error": {"code": "BadRequest", "message": message}}))
    with pytest.raises(SourceError, match="does not support this subscription's offer") as caught:
        _load(connection, OCTOBER)
    assert "MS-AZR-0243P" in str(caught.value)


def test_unreachable_endpoint_says_what_failed(connection: Connection) -> None:
    from dataclasses import replace

    from lib.sources.azure import Connection as Conn

    closed = replace(connection.settings, arm_endpoint="http://127.0.0.1:9")  # discard port: nothing listens
    source = AzureSource(Conn(closed, connection.credential, connection.identity, connection.who))
    with pytest.raises(SourceError, match=r"Could not reach http://127\.0\.0\.1:9"):
        source.load(LoadRequest(as_of=AS_OF, period=OCTOBER, scope_id=SUB_SCOPE))


def test_server_side_filter_and_tag_grouping_reach_the_wire(arm: FakeArm, connection: Connection) -> None:
    columns = [*COLUMNS[:4], {"name": "TagKey", "type": "String"}, {"name": "TagValue", "type": "String"}, COLUMNS[5]]
    rows = [[4.0, 4.4, 20261005, "Storage", "env", "prod", "EUR"], [1.0, 1.1, 20261005, "Storage", "env", "", "EUR"]]
    arm.add("POST", QUERY_PATH, Reply(200, query_page(rows, columns=columns)))
    filters = (("ResourceLocation", ("westeurope", "northeurope")), ("ChargeType", ("Usage",)))
    dataset = _load(connection, OCTOBER, group_by="tag:env", filters=filters)
    body = arm.calls("POST", "/query")[0].body
    assert body["dataset"]["grouping"][1] == {"type": "TagKey", "name": "env"}
    assert body["dataset"]["filter"] == {
        "and": [
            {"dimensions": {"name": "ResourceLocation", "operator": "In", "values": ["westeurope", "northeurope"]}},
            {"dimensions": {"name": "ChargeType", "operator": "In", "values": ["Usage"]}},
        ]
    }
    tags = dataset.normalized[Col.TAGS].to_list()
    assert tags == [[{"key": "env", "value": "prod"}], []]


def test_azure_source_is_registered() -> None:
    assert SOURCES["azure"] is AzureSource
