"""Issue 21, holes 6 and 7: one link or one upload cannot make the server work without end.

A period from a link or the date picker is cut to the data's days (and any view to
``MAX_VIEW_DAYS``); what an upload unpacks is budgeted across every file, member and nesting
level, by size, by ratio and by count.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from lib.analysis import views
from lib.core.dataset import LoadRequest, SourceError
from lib.core.models import Metric, Period
from lib.core.period_bounds import MAX_VIEW_DAYS, clamp_to_data
from lib.ingest.containers import unpack
from lib.ingest.errors import FormatError
from lib.ingest.limits import MIB, RATIO_FLOOR, read_limits
from lib.sources.demo import DemoSource
from lib.sources.files import load_files
from lib.ui.state import CUSTOM, state_from_params
from tests.security import hostile

AS_OF = date(2026, 11, 26)


def test_a_link_for_all_of_time_selects_the_data_days_only() -> None:
    """``?period=0001-01-01..9999-12-31``: the view's period is the data's first to last day, not 3.6 million days."""
    values, _notes = state_from_params({"period": ["0001-01-01..9999-12-31"]}, AS_OF)
    assert values["period"] == CUSTOM
    start, end = values["custom_range"]  # type: ignore[misc]
    dataset = DemoSource().load(LoadRequest(as_of=AS_OF, metric=Metric.ACTUAL))
    view = views.View(period_key=CUSTOM, period=Period(start, end))
    chosen = views.select(dataset, view)
    span = views.data_period(dataset)
    assert (chosen.period.start, chosen.period.end) == (span.start, span.end)
    assert chosen.period.days <= MAX_VIEW_DAYS


def test_clamping_by_hand() -> None:
    data = Period(date(2026, 5, 1), date(2026, 11, 25))
    assert clamp_to_data(Period(date(1, 1, 1), date(9999, 12, 31)), data) == data
    assert clamp_to_data(Period(date(2026, 10, 3), date(2026, 10, 9)), data) == Period(date(2026, 10, 3), date(2026, 10, 9))
    assert clamp_to_data(Period(date(2026, 4, 20), date(2026, 5, 3)), data) == Period(date(2026, 5, 1), date(2026, 5, 3))
    # No day of the data: kept as asked, only bounded in length.
    assert clamp_to_data(Period(date(2020, 1, 1), date(2020, 1, 31)), data) == Period(date(2020, 1, 1), date(2020, 1, 31))
    far = clamp_to_data(Period(date(1, 1, 1), date(100, 1, 1)), data)
    assert far.end == date(100, 1, 1) and far.days == MAX_VIEW_DAYS


def test_a_file_whose_own_dates_span_millennia_still_makes_a_bounded_view() -> None:
    rows = [hostile.row("01/01/0001", "1"), hostile.row("11/02/2026", "2")]
    dataset = load_files([("usage.csv", hostile.to_csv(hostile.HEADER, rows))], as_of=AS_OF, metric=Metric.ACTUAL)
    assert views.select(dataset, views.View(source="files", period_key=CUSTOM, period=None)).period.days <= MAX_VIEW_DAYS


def _zeros_zip(members: int, size: int) -> bytes:
    return hostile.zip_of({f"part_{i}.csv": b"0" * size for i in range(members)})


def test_members_below_the_ratio_floor_one_by_one_are_caught_together() -> None:
    """Members each under ``RATIO_FLOOR`` but, together, unpacking far more than ``AZDASH_MAX_RATIO`` times the upload."""
    member = RATIO_FLOOR // 2 + MIB  # under the floor alone; three pass it together
    bomb = _zeros_zip(3, member)
    assert len(bomb) * read_limits().max_ratio < 2 * member
    with pytest.raises(FormatError, match="AZDASH_MAX_RATIO"):
        unpack("bomb.zip", bomb)


def test_the_unpack_budget_spans_every_file_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two zips that each fit ``AZDASH_MAX_UNPACKED_MB`` but not together: the second is refused."""
    monkeypatch.setenv("AZDASH_MAX_UNPACKED_MB", "1")
    half = hostile.plain_file(days=1) + b"\r\n".join([hostile.plain_file(days=1).split(b"\r\n")[1]] * 4000)
    assert 0.5 * MIB < len(half) < MIB
    # Two different exports (identical files would be read once and never reach the budget).
    files = [(f"export-{n}.zip", hostile.zip_of({f"part-{n}.csv": half + f"\r\n# export {n}".encode()})) for n in (1, 2)]
    with pytest.raises(SourceError, match="AZDASH_MAX_UNPACKED_MB"):
        load_files(files, as_of=AS_OF, metric=Metric.ACTUAL, strict=True)


def test_nested_zips_named_csv_share_one_member_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three inner zips named ``.csv`` of eight parts each: 27 files, over a limit of 20 that each zip alone meets."""
    monkeypatch.setenv("AZDASH_MAX_MEMBERS", "20")
    inner = hostile.zip_of({f"p{i}.csv": hostile.plain_file(days=1) for i in range(8)})
    outer = hostile.zip_of({f"nested-{n}.csv": inner for n in range(3)})
    with zipfile.ZipFile(io.BytesIO(outer)) as archive:
        assert len(archive.infolist()) == 3
    with pytest.raises(FormatError, match="AZDASH_MAX_MEMBERS"):
        unpack("outer.zip", outer)


def test_the_defaults_fit_a_small_server() -> None:
    limits = read_limits({})
    assert limits.max_unpacked_bytes <= 1024 * MIB
    assert limits.max_members <= 2_000
