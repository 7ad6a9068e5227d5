"""Hostile and broken files: each is read or refused with a one-line message, in bounded memory.

The corpus is built in ``tests/security/hostile.py`` (bombs, nesting, huge and deep tags, ragged
rows, NUL bytes, invalid UTF-8) plus the small files in ``tests/fixtures/hostile/``.
"""

from __future__ import annotations

import contextlib
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.core.dataset import Dataset, SourceError
from lib.core.models import Metric
from lib.core.schema import Col
from lib.ingest.containers import unpack
from lib.ingest.limits import CHUNK, MIB, read_limits
from lib.ingest.normalize import MAX_TAGS_CELL, parse_tags
from lib.sources.files import load_files
from lib.ui import state
from tests.security import hostile
from tests.security.conftest import APP, TIMEOUT

AS_OF = date(2026, 11, 26)
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"


def _load(name: str, data: bytes) -> Dataset | SourceError:
    """The data set, or the loader's own error: anything else propagates and fails the test."""
    try:
        return load_files([(name, data)], as_of=AS_OF, metric=Metric.ACTUAL, strict=True)
    except SourceError as error:
        message = str(error)
        assert message and "\n" not in message and "Traceback" not in message
        assert name in message
        return error


def _peak_mb(action: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        with contextlib.suppress(SourceError):
            action()
        return tracemalloc.get_traced_memory()[1] / MIB
    finally:
        tracemalloc.stop()


def _streamed_gzip_of_zeros(unpacked_mb: int) -> bytes:
    # Built in pieces so the test itself never holds the unpacked size.
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"0" * (16 * MIB)
    out = [packer.compress(block) for _ in range(unpacked_mb // 16)]
    out.append(packer.flush())
    return b"".join(out)


def test_gzip_bomb_is_refused_in_bounded_memory() -> None:
    bomb = _streamed_gzip_of_zeros(1024)  # 1 GiB of zeros in about a megabyte
    assert len(bomb) < 2 * MIB
    result = _load("usage.csv.gz", bomb)
    assert isinstance(result, SourceError)
    assert "bomb" in str(result)
    # The read stops once the output passes AZDASH_MAX_RATIO times the input: a few chunks past it,
    # far below the 1 GiB the bomb holds.
    bound = read_limits().max_ratio * len(bomb) / MIB + 3 * CHUNK / MIB
    peak = _peak_mb(lambda: unpack("usage.csv.gz", bomb))
    assert peak < bound < 512


def test_zip_bomb_is_refused_by_the_unpacked_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZDASH_MAX_UNPACKED_MB", "16")
    bomb = hostile.zip_bomb(64)
    result = _load("export.zip", bomb)
    assert isinstance(result, SourceError)
    assert "AZDASH_MAX_UNPACKED_MB" in str(result)
    assert _peak_mb(lambda: unpack("export.zip", bomb)) < 16 + 3 * 4 + 8


def test_zip_whose_header_lies_about_its_size_is_not_believed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZDASH_MAX_UNPACKED_MB", "16")
    result = _load("liar.zip", hostile.lying_zip(64))
    assert isinstance(result, SourceError)


def test_zips_nested_too_deep_are_refused_and_shallow_nesting_reads() -> None:
    deep = _load("deep.zip", hostile.nested_zip(5))
    assert isinstance(deep, SourceError)
    assert "nested" in str(deep)
    shallow = _load("two.zip", hostile.nested_zip(2))
    assert isinstance(shallow, Dataset)
    assert shallow.normalized.height == 3


def test_zip_with_too_many_members_is_refused() -> None:
    limit = read_limits().max_members
    result = _load("parts.zip", hostile.many_members(limit + 1))
    assert isinstance(result, SourceError)
    assert "AZDASH_MAX_MEMBERS" in str(result)


def test_file_over_the_size_limit_is_refused_with_the_limit_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZDASH_MAX_FILE_MB", "1")
    data = hostile.plain_file(days=1) + b"\n" * (MIB + 1)
    result = _load("big.csv", data)
    assert isinstance(result, SourceError)
    assert "AZDASH_MAX_FILE_MB" in str(result)
    assert "1 MB" in str(result)


def test_deeply_nested_tags_do_not_recurse_and_the_row_is_kept() -> None:
    result = _load("deep-tags.csv", hostile.deep_tags(200_000))
    assert isinstance(result, Dataset)
    assert result.normalized.height == 2
    tags = result.normalized.sort(Col.CHARGE_DATE).get_column(Col.TAGS).to_list()
    assert tags[0][0]["key"] == "_unparsed"
    assert len(tags[0][0]["value"]) <= 300
    assert tags[1] == []
    # The raw rows keep the whole cell.
    assert result.raw.get_column("tags").str.len_chars().max() == len('{"a": }') + 2 * 200_000


def test_enormous_tag_cell_is_kept_short_in_the_canonical_rows() -> None:
    size = 4 * MAX_TAGS_CELL
    result = _load("huge-tags.csv", hostile.huge_tags(size))
    assert isinstance(result, Dataset)
    value = result.normalized.sort(Col.CHARGE_DATE).get_column(Col.TAGS).to_list()[0][0]["value"]
    assert len(value) < 400
    cell = len('{"k": ""}') + size
    assert f"{cell:,} characters" in value


def test_parse_tags_bounds_and_still_reads_real_tags() -> None:
    assert parse_tags('"env": "prod", "team": "web"') == [{"key": "env", "value": "prod"}, {"key": "team", "value": "web"}]
    assert parse_tags('{"a": {"b": [1, 2]}}') == [{"key": "a", "value": "{'b': [1, 2]}"}]
    assert parse_tags('{"a": "' + "[" * 1000 + '"}') == [{"key": "a", "value": "[" * 1000}]  # brackets inside a string
    assert parse_tags("[" * 10_000)[0]["key"] == "_unparsed"


def test_ragged_rows_are_read_or_reported() -> None:
    result = _load("ragged.csv", hostile.ragged_file())
    assert isinstance(result, Dataset)
    kept = result.normalized.height
    dropped = sum(d.rows for d in result.dropped)
    assert kept + dropped == 4
    assert kept >= 2


@pytest.mark.parametrize("build", [hostile.nul_file, hostile.invalid_utf8_file], ids=["nul", "invalid-utf8"])
def test_nul_bytes_and_invalid_utf8_are_read_or_refused_clearly(build: Callable[[], bytes]) -> None:
    result = _load("odd.csv", build())
    if isinstance(result, Dataset):
        assert result.normalized.height + sum(d.rows for d in result.dropped) >= 2
        assert result.normalized.get_column(Col.COST).sum() == pytest.approx(2.5)


def test_committed_corpus_never_crashes_the_loader() -> None:
    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".md")
    assert len(files) >= 5
    for path in files:
        _load(path.name, path.read_bytes())


def test_a_local_path_over_the_size_limit_gets_a_message_in_the_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AZDASH_MAX_FILE_MB", "1")
    monkeypatch.setenv("AZDASH_PATH_ROOTS", str(tmp_path))  # the files box reads nothing outside the roots
    big = tmp_path / "big.csv"
    big.write_bytes(hostile.plain_file(days=1) + b"\n" * (2 * MIB))
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.run()
    app.radio(key=state.SOURCE).set_value("files").run()
    app.text_input(key="files_path").set_value(str(big)).run()
    assert not app.exception, app.exception
    errors = " ".join(e.value for e in app.sidebar.error)
    assert "AZDASH_MAX_FILE_MB" in errors
    assert not app.metric


def test_limits_fall_back_to_defaults_on_nonsense() -> None:
    limits = read_limits({"AZDASH_MAX_FILE_MB": "lots", "AZDASH_MAX_UNPACKED_MB": "-5", "AZDASH_MAX_RATIO": "", "AZDASH_MAX_MEMBERS": "3"})
    defaults = read_limits({})
    assert (limits.max_file_bytes, limits.max_unpacked_bytes, limits.max_ratio) == (
        defaults.max_file_bytes,
        defaults.max_unpacked_bytes,
        defaults.max_ratio,
    )
    assert limits.max_members == 3
