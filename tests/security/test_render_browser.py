"""Issue 21 in a real browser: what a link or the data holds is shown as text, and a download's URL expires.

Holes 3 and 4: Markdown in a link's parameters (a link, an image the browser would fetch, KaTeX)
and HTML in the data's names (a Plotly ``<a href>``, a right-to-left override) must reach the
screen as plain characters. Hole 8: a download's ``/media`` URL, which answers without any cookie,
must stop answering soon after the click. One server for the three, its clean-up period set to
one second (``AZDASH_DOWNLOAD_SECONDS``) so the wait is short.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.security import hostile
from tests.security.servers import Server, browser, keep_local, streamlit_server

__all__ = ["browser"]

TIMEOUT_MS = 60_000
EVIL = "evil.example"
LINK_TEXT = f"**Session expired.** [Sign in again](https://{EVIL}/login)"
IMAGE = f"![x](https://beacon.{EVIL}/pixel.png)"
ANCHOR = f'<a href="https://{EVIL}/plotly">Click me</a>'
REVERSED = "Backup\u202eputkcab"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("render")
    with streamlit_server(folder / "server.log", env={"AZDASH_DOWNLOAD_SECONDS": "1"}) as started:
        yield started


def _wait_for_run(page: Any) -> None:
    from playwright.sync_api import expect

    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=TIMEOUT_MS)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=TIMEOUT_MS)


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[tuple[Any, list[str]]]:
    context = browser.new_context(base_url=server.url, locale="en-GB", accept_downloads=True, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    outside = keep_local(context)
    try:
        yield context.new_page(), outside
    finally:
        context.close()


def _no_live_markup(page: Any) -> None:
    assert page.locator(f'a[href*="{EVIL}"]').count() == 0
    assert page.locator('img[src*="beacon"]').count() == 0
    assert page.locator(".katex").count() == 0


def test_markdown_in_a_link_is_shown_as_text(page: tuple[Any, list[str]]) -> None:
    from playwright.sync_api import expect

    tab, outside = page
    params = {
        "metric": LINK_TEXT,
        "lang": IMAGE,
        "group": f"[g](https://{EVIL}/g)",
        "$$x^2$$": "1",
        "source": "$$\\frac{1}{2}$$",
        "scope": f"[s](https://{EVIL}/s)",  # form-checked only: refused once the data is loaded, by another path
        "service": f"![v](https://beacon.{EVIL}/v.png)",
    }
    tab.goto("/?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items()))
    _wait_for_run(tab)
    alerts = tab.get_by_test_id("stMain").get_by_test_id("stAlert")
    expect(alerts.filter(has_text="[Sign in again](https:")).to_have_count(1)
    expect(alerts.filter(has_text="![x](https:")).to_have_count(1)
    expect(alerts.filter(has_text="$$x^2$$")).to_have_count(1)
    _no_live_markup(tab)
    assert tab.locator("strong", has_text="Session expired").count() == 0
    assert not outside, outside  # the image was never asked for


def test_html_in_the_datas_names_is_text_in_the_charts(page: tuple[Any, list[str]]) -> None:
    """Service names with ``<a href>`` and a right-to-left override; a file name that is a Markdown link."""
    from playwright.sync_api import expect

    tab, outside = page
    rows = [
        hostile.row("11/02/2026", "10", meterCategory=ANCHOR, tags=f'{{"{ANCHOR}": "{ANCHOR}"}}'),
        hostile.row("11/03/2026", "5", meterCategory=REVERSED),
    ]
    data = hostile.to_csv(hostile.HEADER, rows)
    tab.goto("/access")
    _wait_for_run(tab)
    sidebar = tab.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stRadioOption").filter(has_text="Files").click()
    upload = sidebar.get_by_test_id("stFileUploaderDropzoneInput")
    upload.wait_for(state="attached")
    name = f"[usage](https:{EVIL}).csv"
    upload.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    expect(sidebar.get_by_test_id("stMarkdown").filter(has_text=name)).to_have_count(1)
    _wait_for_run(tab)
    tab.get_by_test_id("stSidebarNav").get_by_text("Overview").click()
    _wait_for_run(tab)
    tab.locator(".js-plotly-plot .legendtext").first.wait_for(state="attached")
    legend = [t.strip() for t in tab.locator(".js-plotly-plot .legendtext").all_text_contents()]
    assert ANCHOR in legend, legend
    assert "Backupputkcab" in legend and not any("\u202e" in t for t in legend), legend
    assert tab.locator(".js-plotly-plot a").count() == 0
    _no_live_markup(tab)
    assert not outside, outside


def _status(url: str) -> int:
    # No cookie, no session: how anyone who learnt the URL would ask.
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_download_url_stops_answering_soon_after_the_click(page: tuple[Any, list[str]], server: Server, tmp_path: Path) -> None:
    """While the page that made it is still open, the file's URL goes away (404) within a few clean-up periods."""
    tab, _outside = page
    tab.goto("/download")
    _wait_for_run(tab)
    with tab.expect_download() as info:
        tab.get_by_role("button", name="Download raw usage CSV").click()
    download = info.value
    assert download.failure() is None
    saved = tmp_path / "raw.csv"
    download.save_as(saved)
    assert saved.stat().st_size > 1000
    url = download.url
    assert "/media/" in url
    deadline = time.monotonic() + 60  # a generous wait for a 1-second clean-up, not a speed limit
    while _status(url) != 404:
        assert time.monotonic() < deadline, f"{url} still answers"
        time.sleep(0.5)
