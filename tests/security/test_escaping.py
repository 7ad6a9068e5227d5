"""Issue 21, holes 3 and 4, at the functions: what a link or the data holds is escaped before Markdown or Plotly.

The rendering itself is checked in a real browser (test_render_browser.py); here every path a
value takes into a note or a figure is checked for markup that would still be live.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest

from lib.core.safe_text import markdown, plotly
from lib.output import charts
from lib.ui.state import language_from, state_from_params

AS_OF = date(2026, 11, 26)
LINK = "**Session expired.** [Sign in again](https://evil.example/login)"
IMAGE = "![x](http://beacon.evil.example/b.png)"
MATH = "$$x^2$$"
# Unescaped Markdown that does something: a bracket (link or image), emphasis, an HTML tag or autolink, math, a bare URL.
_LIVE = re.compile(r"(?<!\\)(\[|\*\*|<|\$)|https?://|www\.")


def _live(text: str) -> list[str]:
    return [m.group(0) for m in _LIVE.finditer(text)]


@pytest.mark.parametrize("name", ["metric", "source", "group", "period"])  # scope and service: test_render_browser
def test_a_rejected_link_value_is_not_live_markdown(name: str) -> None:
    for value in (LINK, IMAGE, MATH):
        _values, notes = state_from_params({name: [value]}, AS_OF)
        assert notes and not any(_live(n) for n in notes), notes


def test_unknown_parameter_names_and_languages_are_escaped_too() -> None:
    _values, notes = state_from_params({LINK: ["1"], MATH: ["2"]}, AS_OF)
    assert notes and not any(_live(n) for n in notes), notes
    _language, bad = language_from({"lang": [IMAGE]}, None)
    assert bad == [IMAGE]  # the raw value: app.py escapes it when it words the note
    assert not _live(markdown(bad[0]))


def test_escaped_text_reads_the_same_once_rendered() -> None:
    """Backslash escapes and the invisible word joiner only: drop them and the original is back (on one line)."""
    for text in (LINK, IMAGE, MATH, "a_b _c_ `d` ~~e~~ <f> g@h.io www.i.example #j | k", "12. item", "- item"):
        shown = re.sub(r"\\(.)", r"\1", markdown(text)).replace("\u2060", "")
        assert shown == text


def test_chart_names_are_text_for_plotly_and_bidi_controls_are_dropped() -> None:
    anchor = '<a href="https://evil.example/">Click</a>'
    reversed_name = "Backup\u202eputkcab"
    table = pl.DataFrame({"group": [anchor, reversed_name], "cost": [10.0, 5.0], "share": [2 / 3, 1 / 3]})
    figure = charts.build_breakdown_chart(table, {}, "EUR", f"Cost by {anchor}")
    shown = [*figure.data[0].y, figure.layout.title.text]
    assert not any("<" in s or "\u202e" in s for s in shown), shown
    assert plotly(anchor) in shown and "Backupputkcab" in shown
    daily = pl.DataFrame({"day": [AS_OF, AS_OF], "group": [anchor, reversed_name], "cost": [10.0, 5.0]})
    names = [t.name for t in charts.build_daily_cost_chart(daily, {}, "EUR", "Daily").data]
    assert names == [plotly(anchor), "Backupputkcab"]
