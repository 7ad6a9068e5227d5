"""Azure's budgets through the real Consumption SDK client, against the stand-in ARM on 127.0.0.1."""

from __future__ import annotations

import pytest

from lib.azure.budgets import read_budgets
from lib.azure.clients import Clients
from lib.core.dataset import SourceError
from lib.sources.azure import Connection
from tests.azure.fakes import SUB, FakeArm, Reply

SCOPE = f"/subscriptions/{SUB}/resourceGroups/rg-ml"

BUDGET = {
    "id": f"{SCOPE}/providers/Microsoft.Consumption/budgets/ml-monthly",
    "name": "ml-monthly",
    "type": "Microsoft.Consumption/budgets",
    "properties": {
        "category": "Cost",
        "amount": 5000,
        "timeGrain": "Monthly",
        "timePeriod": {"startDate": "2026-01-01T00:00:00Z", "endDate": "2027-12-31T00:00:00Z"},
        "filter": {"dimensions": {"name": "ResourceGroupName", "operator": "In", "values": ["rg-ml"]}},
        "currentSpend": {"amount": 3210.5, "unit": "EUR"},
        "forecastSpend": {"amount": 5400.25, "unit": "EUR"},
        "notifications": {
            "Actual_GreaterThan_80_Percent": {
                "enabled": True,
                "operator": "GreaterThan",
                "threshold": 80,
                "contactEmails": ["finops@contoso.example"],
            },
            "Actual_GreaterThan_100_Percent": {"enabled": True, "operator": "GreaterThan", "threshold": 100, "contactEmails": []},
            "Forecasted_50": {"enabled": False, "operator": "GreaterThan", "threshold": 50, "contactEmails": []},
        },
    },
}


def test_budgets_of_a_scope_are_read_with_their_thresholds_and_spend(arm: FakeArm, connection: Connection) -> None:
    arm.add("GET", rf"{SCOPE}/providers/Microsoft\.Consumption/budgets", Reply(200, {"value": [BUDGET]}))
    (found,) = read_budgets(Clients(connection.credential, connection.settings), SCOPE)
    assert (found.name, found.amount, found.time_grain) == ("ml-monthly", 5000.0, "Monthly")
    assert found.thresholds == (0.8, 1.0)  # the disabled 50 % notification is not a threshold
    assert (found.current_spend, found.currency, found.forecast_spend) == (3210.5, "EUR", 5400.25)
    assert found.filters == "ResourceGroupName In rg-ml"
    assert (found.dimensions, found.filter_readable) == ((("ResourceGroupName", ("rg-ml",)),), True)
    assert "finops@contoso.example" not in repr(found)  # recipients are never read in
    (request,) = arm.requests
    assert request.query["api-version"] == ["2024-08-01"]
    assert request.headers["authorization"] == f"Bearer {connection.credential.token}"  # type: ignore[attr-defined]


TAGGED = {
    "id": f"{SCOPE}/providers/Microsoft.Consumption/budgets/ml-tagged",
    "name": "ml-tagged",
    "type": "Microsoft.Consumption/budgets",
    "properties": {
        "category": "Cost",
        "amount": 900,
        "timeGrain": "Quarterly",
        "timePeriod": {"startDate": "2026-10-01T00:00:00Z", "endDate": "2027-09-30T00:00:00Z"},
        "filter": {
            "and": [
                {"dimensions": {"name": "MeterCategory", "operator": "In", "values": ["Storage", "Compute"]}},
                {"tags": {"name": "team", "operator": "In", "values": ["ml"]}},
            ]
        },
        "currentSpend": {"amount": 570.0, "unit": "EUR"},
        "forecastSpend": {"amount": 910.0, "unit": "EUR"},
        "notifications": {},
    },
}


def test_a_filter_with_tags_is_read_but_marked_as_not_applicable(arm: FakeArm, connection: Connection) -> None:
    """The dashboard applies dimension filters only: a tag condition under ``and`` makes the filter one it cannot follow."""
    arm.add("GET", rf"{SCOPE}/providers/Microsoft\.Consumption/budgets", Reply(200, {"value": [TAGGED]}))
    (found,) = read_budgets(Clients(connection.credential, connection.settings), SCOPE)
    assert (found.time_grain, found.start) == ("Quarterly", "2026-10-01 00:00:00+00:00")
    assert found.dimensions == (("MeterCategory", ("Storage", "Compute")),)
    assert found.filter_readable is False
    assert found.filters == "MeterCategory In Storage, Compute; team In ml"


def test_no_access_is_explained(arm: FakeArm, connection: Connection) -> None:
    denied = Reply(403, {"error": {"code": "AuthorizationFailed", "message": "The client does not have authorization"}})
    arm.add("GET", rf"{SCOPE}/providers/Microsoft\.Consumption/budgets", denied)
    with pytest.raises(SourceError, match="Cost Management Reader"):
        read_budgets(Clients(connection.credential, connection.settings), SCOPE)
