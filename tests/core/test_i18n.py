"""The catalogues are complete, the language is per session, and the link's parameters convert both ways."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from babel.messages.pofile import read_po

from lib import cli
from lib.analysis.estimate import estimate_period_end
from lib.core import i18n, labels
from lib.core.i18n import _, ngettext
from lib.core.models import Period
from lib.core.schema import Col, empty_frame
from lib.ui import state

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
AS_OF = date(2026, 11, 26)


def _source_messages() -> dict[str, object]:
    """Every message marked in app.py, lib/ and pages/, by msgid (plurals by their singular)."""
    return {m.id if isinstance(m.id, str) else m.id[0]: m.id for m in i18n.extract(ROOT) if m.id}


def _read(path: Path) -> object:
    with path.open("rb") as handle:
        return read_po(handle, locale="nl_NL")


def test_the_source_marks_messages_in_every_part() -> None:
    """The extractor finds the frame's, the pages', the charts' and the CLI's messages (the check below is not empty)."""
    found = {location for m in i18n.extract(ROOT) for location, _line in m.locations}
    for expected in (
        "app.py",
        "lib/ui/sidebar.py",
        "lib/output/charts.py",
        "lib/cli/main.py",
        "lib/access/roles.py",
        "lib/core/labels.py",
        "pages/overview.py",
        "pages/access.py",
    ):
        assert expected in found


def test_every_message_has_a_dutch_translation() -> None:
    """Each message in the source is in the Dutch catalogue, translated, not fuzzy, with the same placeholders."""
    catalogue = _read(i18n.catalogue_path("nl"))
    problems = []
    for key, msgid in _source_messages().items():
        message = catalogue.get(key)  # type: ignore[attr-defined]
        if message is None:
            problems.append(f"missing: {key!r}")
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {key!r}")
            continue
        ids = [msgid] if isinstance(msgid, str) else list(msgid)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {key!r} → {text!r}")
    assert not problems, "Run `python -m lib.core.i18n` and translate:\n" + "\n".join(problems)


def test_catalogues_hold_no_stale_messages() -> None:
    """The template and the Dutch catalogue hold exactly the source's messages (no leftovers)."""
    source = set(_source_messages())
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(ROOT / "locale" / "messages.pot") if m.id}  # type: ignore[attr-defined]
    dutch = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(i18n.catalogue_path("nl")) if m.id}  # type: ignore[attr-defined]
    assert template == source
    assert dutch == source


def test_translation_follows_the_language_of_the_run() -> None:
    """English by default, Dutch inside a Dutch run, plural forms by count."""
    assert _("Cost so far this period") == "Cost so far this period"
    with i18n.language("nl"):
        assert _("Cost so far this period") == "Kosten tot nu toe in deze periode"
        assert _("Usage download") == "Gebruiksgegevens downloaden"
        one = "{count} file exactly as uploaded, byte for byte."
        many = "{count} files exactly as uploaded, byte for byte."
        assert ngettext(one, many, 1) == "{count} bestand precies zoals geüpload, byte voor byte."
        assert ngettext(one, many, 3) == "{count} bestanden precies zoals geüpload, byte voor byte."
        assert _("A message nobody marked") == "A message nobody marked"
    assert _("Usage download") == "Usage download"


def test_each_thread_keeps_its_own_language() -> None:
    """A Dutch session does not turn another session Dutch (Streamlit runs sessions in threads)."""
    seen: dict[str, str] = {}
    dutch_set = threading.Event()
    english_read = threading.Event()

    def dutch() -> None:
        i18n.set_language("nl")
        dutch_set.set()
        english_read.wait(5)
        seen["nl"] = _("Overview")

    def english() -> None:
        dutch_set.wait(5)
        seen["en"] = _("Overview")
        english_read.set()

    threads = [threading.Thread(target=dutch), threading.Thread(target=english)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"nl": "Overzicht", "en": "Overview"}


@pytest.mark.parametrize(
    ("tag", "expected"), [("nl", "nl"), ("nl-NL", "nl"), ("nl_BE", "nl"), ("en-US", "en"), ("EN", "en"), ("de-DE", None), ("", None)]
)
def test_language_tags(tag: str, expected: str | None) -> None:
    """It understands browser tags and falls back to nothing for languages it does not offer."""
    assert i18n.normalize_language(tag) == expected


@pytest.mark.parametrize(
    ("params", "browser", "expected", "notes"),
    [
        ({"lang": ["nl"]}, "en-US", "nl", 0),
        ({"lang": ["en"]}, "nl-NL", "en", 0),
        ({}, "nl-NL", "nl", 0),
        ({}, "fr-FR", "en", 0),
        ({}, None, "en", 0),
        ({"lang": ["xx"]}, "nl-BE", "nl", 1),
    ],
)
def test_first_language(params: dict[str, list[str]], browser: str | None, expected: str, notes: int) -> None:
    """The link's language wins, then the browser's, then English; an unknown one is reported."""
    language, bad = state.language_from(params, browser)
    assert language == expected
    assert len(bad) == notes


def test_link_round_trip() -> None:
    """A view written to parameters reads back to the same session values."""
    values: dict[str, object] = {
        state.LANGUAGE: "nl",
        state.SOURCE: "demo",
        state.SCOPE: "/subscriptions/abc",
        state.PERIOD: "202610",
        state.METRIC: "amortized",
        state.CURRENCY: "EUR",
        state.GROUP_BY: "tag:env",
        state.filter_key(Col.SERVICE): ["Storage", "Key Vault"],
        state.filter_key(Col.LOCATION): ["westeurope"],
        state.TAG_KEY: "env",
        state.TAG_VALUES: ["prod", "(untagged)"],
    }
    params = state.params_from_state(values)
    assert params == {
        "lang": ["nl"],
        "source": ["demo"],
        "scope": ["/subscriptions/abc"],
        "period": ["202610"],
        "metric": ["amortized"],
        "currency": ["EUR"],
        "group": ["tag:env"],
        "service": ["Storage", "Key Vault"],
        "location": ["westeurope"],
        "tag": ["env"],
        "tag_value": ["prod", "(untagged)"],
    }
    read, notes = state.state_from_params(params, AS_OF)
    assert notes == []
    assert read == {k: v for k, v in values.items() if k != state.LANGUAGE}


def test_custom_and_old_periods_become_a_custom_range() -> None:
    """A date range, or a month older than the picker offers, is kept as a custom range."""
    read, notes = state.state_from_params({"period": ["2026-10-03..2026-10-09"]}, AS_OF)
    assert read == {state.PERIOD: state.CUSTOM, state.CUSTOM_RANGE: (date(2026, 10, 3), date(2026, 10, 9))}
    assert notes == []
    assert state.params_from_state(read)["period"] == ["2026-10-03..2026-10-09"]
    read, notes = state.state_from_params({"period": ["202501"]}, AS_OF)
    assert read == {state.PERIOD: state.CUSTOM, state.CUSTOM_RANGE: (date(2025, 1, 1), date(2025, 1, 31))}
    read, notes = state.state_from_params({"period": ["2026-11-20..2026-12-31"]}, AS_OF)
    assert read[state.CUSTOM_RANGE] == (date(2026, 11, 20), AS_OF)
    assert len(notes) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"period": ["2026-13-45"]},
        {"period": ["2026-10-09..2026-10-01"]},
        {"period": ["202713"]},
        {"period": ["209901"]},
        {"period": ["soon"]},
        {"source": ["ftp"]},
        {"metric": ["guessed"]},
        {"currency": ["euro"]},
        {"group": ["colour"]},
        {"utm_source": ["mail"]},
    ],
)
def test_bad_parameters_are_left_out_with_a_note(params: dict[str, list[str]]) -> None:
    """A malformed or unknown parameter changes nothing and is reported."""
    read, notes = state.state_from_params(params, AS_OF)
    assert read == {}
    assert len(notes) == 1


def test_notes_are_in_the_reader_language() -> None:
    """The note about a bad period is Dutch for a Dutch reader."""
    with i18n.language("nl"):
        _read_values, notes = state.state_from_params({"period": ["2026-13-45"]}, AS_OF)
    assert notes == ["De periode '2026-13-45' in de koppeling is geen geldige periode; deze is genegeerd."]


def _usage(days: int) -> pl.DataFrame:
    first = AS_OF - timedelta(days=days - 1)
    rows = {
        Col.CHARGE_DATE: [first + timedelta(days=n) for n in range(days)],
        Col.COST: [10.0] * days,
        Col.CHARGE_TYPE: ["Usage"] * days,
    }
    return pl.concat([empty_frame(), pl.DataFrame(rows)], how="diagonal_relaxed")


@pytest.mark.parametrize("days", [3, 20])
def test_the_estimate_method_is_translated(days: int) -> None:
    """Both wordings ``lib.analysis.estimate`` uses arrive in Dutch (a new wording would stay English and fail here)."""
    method = estimate_period_end(_usage(days), Period(date(2026, 11, 1), date(2026, 11, 30)), AS_OF).method
    with i18n.language("nl"):
        shown = labels.estimate_method(method)
    assert shown != method
    assert "dag" in shown
    assert str(min(days, 28)) in shown


def test_cli_summary_in_dutch(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``AZDASH_LANG=nl`` gives the human summary in Dutch, with Dutch amounts; the JSON does not change."""
    monkeypatch.setenv("AZDASH_LANG", "nl")
    assert cli.run(["summarize", "--demo", "--as-of", AS_OF.isoformat()]) == 0
    text = capsys.readouterr().out
    assert "kosten tot nu toe in deze periode: €\u00a0" in text
    assert "laatste afgesloten periode okt 2026" in text
    assert "rijen, 1 mei 2026 tot en met 26 nov 2026" in text
    assert "cost so far" not in text
    assert cli.run(["summarize", "--demo", "--json", "--as-of", AS_OF.isoformat()]) == 0
    assert '"last_closed_period": "Oct 2026"' in capsys.readouterr().out
