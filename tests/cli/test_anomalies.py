"""``python -m lib.cli anomalies``: the issue's JSON shape, the report window, and clear refusals."""

from __future__ import annotations

import json
from datetime import date

import pytest

from lib import cli

AS_OF = date(2026, 11, 26)


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert cli.run(["anomalies", "--demo", "--json", "--as-of", AS_OF.isoformat(), *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_json_holds_the_fields_the_issue_names(capsys: pytest.CaptureFixture[str]) -> None:
    found = run_json(capsys)
    assert found["dimension"] == "service"
    assert found["settled_until"] == "2026-11-24"  # as_of minus the two unsettled days
    anomalies = found["anomalies"]
    assert isinstance(anomalies, list) and anomalies
    for anomaly in anomalies:
        assert {"day", "dimension", "value", "cost", "expected_low", "expected_high", "impact", "contributors"} <= set(anomaly)
        assert anomaly["impact"] == pytest.approx(anomaly["cost"] - anomaly["expected"], abs=0.011)
        excess = sum(c["excess"] for c in anomaly["contributors"])
        assert excess == pytest.approx(anomaly["impact"], abs=0.01 * (len(anomaly["contributors"]) + 1))


def test_from_and_to_bound_the_days_reported(capsys: pytest.CaptureFixture[str]) -> None:
    everything = run_json(capsys)["anomalies"]
    assert isinstance(everything, list)
    day = everything[-1]["day"]
    window = run_json(capsys, "--from", day, "--to", day)["anomalies"]
    assert isinstance(window, list)
    assert window and {a["day"] for a in window} == {day}
    assert window == [a for a in everything if a["day"] == day]


def test_by_resource_group_and_tag(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--by", "resource_group")["dimension"] == "resource_group"
    assert run_json(capsys, "--by", "tag:env")["dimension"] == "tag:env"


def test_an_unknown_dimension_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["anomalies", "--demo", "--by", "colour"]) == 2
    assert "unknown dimension 'colour'" in capsys.readouterr().err


def test_human_output_lists_each_anomaly(capsys: pytest.CaptureFixture[str]) -> None:
    count = len(run_json(capsys)["anomalies"])  # type: ignore[arg-type]
    assert cli.run(["anomalies", "--demo", "--as-of", AS_OF.isoformat()]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "impact" in line]
    assert len(lines) == count
