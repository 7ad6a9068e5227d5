"""The Lake source without a server: a stopped or wrong address gives a clear message, at once, on every path."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from lib import cli
from lib.core.dataset import SourceError
from lib.core.models import Metric
from lib.sources.lake import CUBE_ROWS, cube_rows_from_env, load_lake
from lib.sources.spark import plan
from lib.sources.spark.connect import EngineError, session, shown


def _closed_port() -> int:
    # A port that was free a moment ago: nothing listens there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_stopped_server_gives_a_clear_message(tmp_path: object) -> None:
    remote = f"sc://127.0.0.1:{_closed_port()}"
    with pytest.raises(EngineError, match=r"no Spark Connect server answers at sc://127\.0\.0\.1:\d+: start one with `make spark-server`"):
        load_lake(str(tmp_path), remote=remote, as_of=date(2026, 12, 1), metric=Metric.ACTUAL)


def test_the_command_line_says_so_and_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    remote = f"sc://127.0.0.1:{_closed_port()}"
    assert cli.run(["summarize", str(tmp_path), "--engine", "spark", "--remote", remote, "--json"]) == 2
    assert "no Spark Connect server answers at" in capsys.readouterr().err


def test_an_address_that_is_not_spark_connect_is_refused_before_any_connection() -> None:
    with pytest.raises(EngineError, match="must look like sc://host:15002"):
        session("http://127.0.0.1:15002")


def test_a_databricks_token_never_reaches_a_message() -> None:
    remote = f"sc://127.0.0.1:{_closed_port()}/;token=dapiSECRET123;x-databricks-cluster-id=0101-abc"
    assert shown(remote) == remote.split("/;")[0]
    with pytest.raises(EngineError) as raised:
        session(remote)
    assert "dapiSECRET123" not in str(raised.value)


def test_replaced_runs_follow_the_local_month_to_date_rule() -> None:
    # Run b (later) holds 8 keys, run a (earlier) 5 of them: a is replaced. Run c shares 1 of its 4 keys: kept.
    month = date(2025, 3, 1)
    runs = [
        plan.RunMonth("a", (0,), "20250306", date(2025, 3, 5), 5, {0: 5}),
        plan.RunMonth("b", (1, 2), "20250309", date(2025, 3, 8), 8, {1: 4, 2: 4}),
        plan.RunMonth("c", (3,), "20250301", date(2025, 3, 4), 4, {3: 4}),
    ]
    key_sets = {frozenset({"a", "b"}): 5, frozenset({"b"}): 2, frozenset({"b", "c"}): 1, frozenset({"c"}): 3}
    found = plan.replaced_runs(month, runs, key_sets)
    assert [(r.run, r.winner, r.rows) for r in found] == [("a", "b", 5)]


@pytest.mark.parametrize(("value", "rows"), [(None, CUBE_ROWS), ("", CUBE_ROWS), ("1_000_000", 1_000_000), (" 5000 ", 5000)])
def test_the_cube_row_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str | None, rows: int) -> None:
    if value is None:
        monkeypatch.delenv("AZDASH_LAKE_CUBE_ROWS", raising=False)
    else:
        monkeypatch.setenv("AZDASH_LAKE_CUBE_ROWS", value)
    assert cube_rows_from_env() == rows


@pytest.mark.parametrize("value", ["many", "0", "-5", "2.5e5"])
def test_a_cube_row_limit_that_is_no_count_is_one_clear_message_before_any_connection(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object, value: str
) -> None:
    monkeypatch.setenv("AZDASH_LAKE_CUBE_ROWS", value)
    remote = f"sc://127.0.0.1:{_closed_port()}"  # never asked: the limit is read first
    with pytest.raises(SourceError, match=r"AZDASH_LAKE_CUBE_ROWS must be a positive whole number of rows"):
        load_lake(str(tmp_path), remote=remote, as_of=date(2026, 12, 1), metric=Metric.ACTUAL)
    assert cli.run(["summarize", str(tmp_path), "--engine", "spark", "--remote", remote, "--json"]) == 2
    assert "AZDASH_LAKE_CUBE_ROWS must be a positive whole number of rows" in capsys.readouterr().err
