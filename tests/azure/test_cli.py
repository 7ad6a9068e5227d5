"""The command line end to end: a real process, a stand-in `az` on PATH, the loopback stand-in ARM."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.azure.fakes import QUERY_PATH, SUB_SCOPE, FakeArm, Reply, query_page, stand_in_az
from tests.azure.test_cost_details import PART_1, PART_2, PROFILE, _completed, _operation
from tests.serving import loopback_only

REPO = Path(__file__).resolve().parents[2]
ROWS = [
    [120.5, 130.1, 20261001, "Virtual Machines", "rg-web", "EUR"],
    [30.25, 32.0, 20261001, "Storage", "rg-data", "EUR"],
    [118.0, 127.4, 20261002, "Virtual Machines", "rg-web", "EUR"],
    [0.333333, 0.36, 20261015, "Bandwidth", "rg-web", "EUR"],
]


def _run(arm: FakeArm, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stand_in_az(bin_dir)
    env = loopback_only(os.environ) | {
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
        "AZDASH_REPORT_POLL_INTERVAL": "0.01",
    }
    command = [sys.executable, "-m", "lib.cli", *args, "--arm-endpoint", arm.url]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_summarize_json_totals_match_the_served_rows(arm: FakeArm, tmp_path: Path) -> None:
    link = f"{arm.url}{SUB_SCOPE}/providers/Microsoft.CostManagement/query?api-version=2025-03-01&$skiptoken=p2"
    arm.add("POST", QUERY_PATH, Reply(200, query_page(ROWS[:2], link)), Reply(200, query_page(ROWS[2:])))
    done = _run(
        arm, tmp_path, "summarize", "--scope", SUB_SCOPE, "--from", "2026-10-01", "--to", "2026-10-31", "--json", "--as-of", "2026-11-26"
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    by_service: dict[str, float] = defaultdict(float)
    by_day: dict[str, float] = defaultdict(float)
    for cost, _usd, day, service, _group, _currency in ROWS:
        by_service[service] += cost
        by_day[f"{str(day)[:4]}-{str(day)[4:6]}-{str(day)[6:]}"] += cost
    assert summary["source"] == "azure"
    assert summary["rows"] == len(ROWS)
    assert summary["cost_by_currency"]["EUR"] == pytest.approx(sum(r[0] for r in ROWS), abs=1e-6)
    assert {s: v["EUR"] for s, v in summary["cost_by_service"].items()} == pytest.approx(dict(by_service), abs=1e-6)
    assert {d: v["EUR"] for d, v in summary["cost_by_day"].items()} == pytest.approx(dict(by_day), abs=1e-6)
    assert (summary["date_min"], summary["date_max"]) == ("2026-10-01", "2026-10-15")
    assert len(arm.calls("POST", "/query")) == 2


def test_summarize_failure_is_one_line_and_non_zero(arm: FakeArm, tmp_path: Path) -> None:
    arm.add("POST", QUERY_PATH, Reply(401, {"error": {"code": "RBACAccessDenied", "message": "The client does not have authorization."}}))
    done = _run(arm, tmp_path, "summarize", "--scope", SUB_SCOPE, "--from", "2026-10-01", "--to", "2026-10-31", "--json")
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: Access denied")
    assert "Cost Management Reader" in lines[0]


def test_download_writes_the_merged_cost_details_csv(arm: FakeArm, tmp_path: Path) -> None:
    _operation(arm, PROFILE, _completed(arm, PROFILE))
    arm.add("GET", r"/armreports/op-1/part_0\.csv", Reply(200, raw=PART_1))
    arm.add("GET", r"/armreports/op-1/part_1\.csv", Reply(200, raw=PART_2))
    out = tmp_path / "usage.csv"
    done = _run(arm, tmp_path, "download", "--scope", PROFILE, "--invoice-id", "G123", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == PART_1 + PART_2.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[1]
    assert "2 part(s)" in done.stdout
    assert "TOPSECRET" not in done.stdout + done.stderr
