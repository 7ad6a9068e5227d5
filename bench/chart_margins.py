"""The left margin an amount axis needs, measured in Chromium: the table behind ``lib.output.charts.make_room_for_amounts``.

Usage: .venv/bin/python -m bench.chart_margins > tests/fixtures/chart_margins.tsv
Serves a page of charts built by ``lib.output.charts`` (English and Dutch; EUR, USD, CHF, JPY; amounts from 9 to
90 million, with and without a negative bar), each starting from a small left margin, and prints the margin Plotly
widened each to (``automargin``) with the widest tick label drawn. Needs Chromium (CHROMIUM_PATH or /usr/bin/chromium).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.browser_first_chart import served
from tests.serving import chromium_path

LANGUAGES = ("en", "nl")
CURRENCIES = ("EUR", "USD", "CHF", "JPY")
TOPS = (9, 90, 900, 9_000, 90_000, 900_000, 9_000_000, 90_000_000)
PAGE = f"""
import streamlit as st

from lib.core import i18n
from lib.output import charts

for lang in {LANGUAGES!r}:
    for currency in {CURRENCIES!r}:
        for top in {TOPS!r}:
            for negative in (False, True):
                with i18n.language(lang):
                    fig = charts.styled_figure({{"yaxis": charts.money_axis(currency), "margin": {{"l": 8}}}})
                fig.add_bar(x=[1, 2, 3], y=[top, top / 2, -top / 3 if negative else 0])
                fig.layout.meta = f"{{lang}}\\t{{currency}}\\t{{top}}\\t{{negative}}"
                st.plotly_chart(fig, theme=None, key=fig.layout.meta)
"""
COUNT = len(LANGUAGES) * len(CURRENCIES) * len(TOPS) * 2


def main() -> None:
    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("no Chromium: set CHROMIUM_PATH or apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "margins.py"
        script.write_text(PAGE)
        with served(script, Path(folder) / "server.log") as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--disable-gpu"])
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url)
            page.wait_for_function(
                f"() => [...document.querySelectorAll('.js-plotly-plot')].filter(d => d._fullLayout).length >= {COUNT}",
                timeout=180_000,
            )
            page.wait_for_timeout(2_000)  # a margin widened is a second drawing
            rows = page.evaluate(
                """() => [...document.querySelectorAll('.js-plotly-plot')].map(d => [d.layout.meta, d._fullLayout._size.l,
                   [...d.querySelectorAll('.ytick text')].map(t => t.textContent).sort((a, b) => b.length - a.length)[0]])"""
            )
            browser.close()
    print("# language\tcurrency\ttop\tnegative\tmargin_px\twidest_label  (python -m bench.chart_margins, Chromium)")
    for meta, margin, widest in rows:
        print(f"{meta}\t{margin}\t{widest}")


if __name__ == "__main__":
    sys.exit(main())
