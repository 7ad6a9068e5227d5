"""Nothing leaks between users: concurrent browser sessions on one real server, each with its own file and filter.

Every session uploads a different usage file and opens a link with a different resource-group
filter; each must show its own filtered row count and file name and none of the others'. The server
must stay responsive while they are all open. Four sessions prove the isolation as well as twenty did
(every pair of sessions differs in file, filter and row count, and all are open at once); more only
made the test wait for a 2-core machine to draw them.
"""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.security import hostile
from tests.security.servers import browser, keep_local, streamlit_server

__all__ = ["browser"]  # the fixture, imported for this module

SESSIONS = 4
TIMEOUT_MS = 90_000


def _file(index: int) -> tuple[str, bytes, str, int]:
    """Session ``index``'s file name, bytes, filtered resource group and the rows that pass its filter.

    Row counts differ between every two sessions, so a page showing another session's rows
    (or its unfiltered rows) cannot pass.
    """
    alpha, beta = index + 2, 22 + index  # at least two: the caption is worded for plural counts
    rows = [
        hostile.row(f"11/{1 + n % 25:02d}/2026", f"{10 + index}.25", resourceGroupName=group, subscriptionName=f"Team{index:02d}Sub")
        for group, count in (("rg-alpha", alpha), ("rg-beta", beta))
        for n in range(count)
    ]
    group, passing = ("rg-alpha", alpha) if index % 2 == 0 else ("rg-beta", beta)
    return f"team-{index:02d}-usage.csv", hostile.to_csv(hostile.HEADER, rows), group, passing


def test_concurrent_sessions_each_see_only_their_own_data(browser: Any, tmp_path: Path, record_property: Any) -> None:
    from playwright.sync_api import expect

    files = [_file(i) for i in range(SESSIONS)]
    with streamlit_server(tmp_path / "server.log") as server:
        # A fresh server runs its very first request in Streamlit's legacy pages mode; one visit
        # first, so every session below starts like any later visitor's.
        # (The Access page: it draws no charts.)
        warm = browser.new_context()
        warm.new_page().goto(f"{server.url}/access")
        expect(warm.pages[0].get_by_role("heading", level=1)).to_be_visible(timeout=TIMEOUT_MS)
        warm.close()
        rss_start = server.rss_mb()
        started = time.monotonic()
        contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(SESSIONS)]
        outside = [keep_local(c) for c in contexts]
        pages = [c.new_page() for c in contexts]
        for page, (_name, _data, group, _total) in zip(pages, files, strict=True):
            # The usage-download page: its figures are the filtered row count, and it draws no charts,
            # so many browsers fit on a small machine.
            page.goto(f"{server.url}/download?source=files&resource_group={group}", wait_until="commit")
        for page, (name, data, _group, _total) in zip(pages, files, strict=True):
            uploader = page.get_by_test_id("stFileUploaderDropzoneInput")
            uploader.wait_for(state="attached", timeout=TIMEOUT_MS)
            uploader.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
        for page, (_name, _data, _group, passing) in zip(pages, files, strict=True):
            caption = page.get_by_text("the raw rows that pass every filter in the sidebar")
            expect(caption).to_contain_text(f"{passing} rows:", timeout=TIMEOUT_MS)
        loaded = time.monotonic() - started
        for index, page in enumerate(pages):
            text = page.locator("body").inner_text()
            name = files[index][0]
            assert name in text
            others = [f[0] for j, f in enumerate(files) if j != index] + [f"Team{j:02d}Sub" for j in range(SESSIONS) if j != index]
            assert [o for o in others if o in text] == []
        # Responsive while all sessions are open: the health check and a new visitor's demo overview.
        probe = time.monotonic()
        with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=10) as answer:
            assert answer.status == 200
        health_s = time.monotonic() - probe
        fresh = browser.new_context()
        fresh_page = fresh.new_page()
        fresh_page.goto(server.url)
        expect(fresh_page.get_by_test_id("stMetric").first).to_be_visible(timeout=TIMEOUT_MS)
        fresh_text = fresh_page.locator("body").inner_text()
        assert not [f[0] for f in files if f[0] in fresh_text]
        fresh.close()
        rss_loaded = server.rss_mb()
        for context in contexts:
            context.close()
        assert all(not o for o in outside)
    figures = {
        "sessions": SESSIONS,
        "seconds_to_all_figures": round(loaded, 1),
        "health_check_s": round(health_s, 3),
        "rss_mb_start": round(rss_start),
        "rss_mb_all_loaded": round(rss_loaded),
    }
    for key, value in figures.items():
        record_property(key, value)
    print(f"\nCONCURRENCY {figures}")


@pytest.mark.parametrize("limit_mb", [1])
def test_an_upload_over_the_configured_size_gets_a_clear_message(browser: Any, tmp_path: Path, limit_mb: int) -> None:
    from playwright.sync_api import expect

    with streamlit_server(tmp_path / "server.log", "--server.maxUploadSize", str(limit_mb)) as server:
        context = browser.new_context()
        outside = keep_local(context)
        page = context.new_page()
        page.goto(f"{server.url}/?source=files")
        uploader = page.get_by_test_id("stFileUploaderDropzoneInput")
        uploader.wait_for(state="attached", timeout=TIMEOUT_MS)
        big = hostile.plain_file() + b"\n" * (limit_mb * 1024 * 1024 + 1)
        uploader.set_input_files(files=[{"name": "too-big.csv", "mimeType": "text/csv", "buffer": big}])
        expect(page.get_by_text(f"File must be {limit_mb}")).to_be_visible(timeout=TIMEOUT_MS)
        context.close()
        assert not outside
