"""The Files and Azure sources in Dutch, through AppTest: their sidebars, reports and messages.

Every string sent to the browser is checked against the catalogue (no English message may show),
and a few Dutch texts are checked by their expected wording, with amounts and dates written out
here by hand rather than by the code under test.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.ui import state
from tests.app.test_i18n_links import _english_messages, open_link, rendered_texts
from tests.azure.fakes import QUERY_PATH, SUB_SCOPE, FakeArm, Recorded, Reply, query_page, serve_arm, sign_in_with_az

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
# Four layouts and outcomes: a cost details file, the amortized twin (set aside while the cost
# view is actual), a camel-cased pay-as-you-go variant and a header no documented layout has.
FILES = (
    "finops-toolkit/EA_ActualCost_Small.csv",
    "finops-toolkit/EA_AmortizedCost_Small.csv",
    "koku/azure_camelCased.csv",
    "opencost/values/Template.csv",
)


def _english_shown(at: AppTest) -> list[str]:
    """English messages (or their long fixed parts) among the strings the page sends."""
    whole, fragments = _english_messages()
    texts = rendered_texts(at)
    assert len(texts) > 10  # the check below looked at a drawn page
    return sorted({t for t in texts if t in whole} | {f"{f!r} in {t!r}" for t in texts for f in fragments if f in t})


def _dutch_amount(value: Decimal) -> str:
    """``1.234,57``: the Dutch separators, written without Babel."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _total(name: str, cost: str) -> Decimal:
    rows = csv.DictReader(io.StringIO((REAL / name).read_bytes().decode("utf-8-sig"), newline=""))
    return sum((Decimal(r[cost]) for r in rows), Decimal(0))


def _files_in_dutch(uploads: list[tuple[str, bytes, str]]) -> AppTest:
    at = open_link({"lang": "nl"})
    at.radio(key=state.SOURCE).set_value("files").run()
    at.file_uploader(key="files_upload").set_value(uploads).run()
    assert not at.exception, at.exception
    return at


def test_the_files_source_speaks_dutch() -> None:
    """Upload four files in Dutch: the per-file report, the table and every note and warning are Dutch."""
    at = _files_in_dutch([(Path(n).name, (REAL / n).read_bytes(), "text/csv") for n in FILES])
    assert _english_shown(at) == []
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert "11 van 11 rijen behouden" in sidebar
    # A file set aside whole says why, not "0 of 28 rows kept" (issue 19, point 8).
    assert "28 rijen weggelaten: " in sidebar and "0 van 28 rijen behouden" not in sidebar
    assert "**Samen (4 bestanden):**" in sidebar
    assert _dutch_amount(_total(FILES[0], "Cost")) in sidebar  # 8,55 in "$ 8,55"
    table = at.sidebar.dataframe[0].value
    assert list(table.columns) == [
        "Bestand",
        "Indeling",
        "Schemaversie",
        "Kostenweergave",
        "Rijen gelezen",
        "Rijen behouden",
        "Rijen weggelaten",
        "Van",
        "Tot en met",
        "Valuta",
        "Totalen",
        "Gelezen als",
    ]
    assert table["Kostenweergave"].tolist()[:2] == ["werkelijk", "afgeschreven"]
    assert "niet herkend" in table["Schemaversie"].tolist()
    # Dates in the Dutch medium form: day, abbreviated month in lower case, year.
    months = {"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}
    shown = [d for d in table["Van"] if d]
    assert shown and all(d.split()[1] in months for d in shown), shown
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "rijen vermelden geen valuta" in warnings
    assert "komt met geen enkele gedocumenteerde Azure-indeling exact overeen" in warnings
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "28 rijen weggelaten: bevat afgeschreven kosten terwijl de kostenweergave werkelijk is" in captions


def test_a_bad_file_is_explained_in_dutch() -> None:
    """A binary file with a .csv name: the reader is told in Dutch what was expected and found."""
    at = _files_in_dutch([("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv")])
    errors = [e.value for e in at.sidebar.error]
    assert any("photo.csv: verwacht een gebruiksbestand als tekst (CSV); gevonden binaire gegevens." in e for e in errors), errors
    assert _english_shown(at) == []


def test_the_files_source_asks_for_files_in_dutch() -> None:
    """Before anything is uploaded: the upload controls and the prompt."""
    at = open_link({"lang": "nl"})
    at.radio(key=state.SOURCE).set_value("files").run()
    assert not at.exception
    assert at.sidebar.text_input(key="files_path").label == "…of een lokaal bestand of een lokale map"
    assert _english_shown(at) == []


def test_azure_without_sign_in_speaks_dutch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credential at all (no az on PATH): the sidebar and the explanation are Dutch."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    at = open_link({"lang": "nl"})
    at.radio(key=state.SOURCE).set_value("azure").run()
    assert not at.exception
    assert [w.value for w in at.sidebar.warning] == ["Niet aangemeld bij Azure."]
    assert at.sidebar.button(key="azure_retry_sign_in").label == "Opnieuw proberen"
    info = " ".join(i.value for i in at.info)
    assert "Aanmelden bij Azure is niet mogelijk" in info
    assert "Meld u op deze computer aan met `az login`" in info
    assert _english_shown(at) == []


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeArm]:
    """A stand-in ARM on 127.0.0.1 and an ``az`` that signs in to it (as tests/azure/test_ui.py does)."""
    with serve_arm(monkeypatch) as fake:
        sign_in_with_az(fake, monkeypatch, tmp_path)
        yield fake


def test_azure_signed_in_speaks_dutch(arm: FakeArm) -> None:
    """Signed in: scope picker, why-missing hints, the Load prompt with Dutch dates, and a load."""

    def month(request: Recorded) -> Reply:
        start = date.fromisoformat(request.body["timePeriod"]["from"][:10])
        return Reply(200, query_page([[100.0, 110.0, int(f"{start:%Y%m}02"), "Storage", "rg-data", "EUR"]]))

    arm.add("POST", QUERY_PATH, month)
    at = open_link({"lang": "nl"})
    at.radio(key=state.SOURCE).set_value("azure").run()
    assert not at.exception
    assert any("Aangemeld als ana@contoso.example" in c.value for c in at.sidebar.caption)
    picker = at.sidebar.selectbox(key="azure_scope")
    assert picker.label == "Bereik"
    assert picker.format_func(SUB_SCOPE) == "Abonnement: Contoso Production"
    skipped = " ".join(c.value for c in at.sidebar.caption)
    assert "Overgeslagen: beheergroepen: niet beschikbaar voor deze identiteit (HTTP 403)" in skipped
    assert _english_shown(at) == []

    picker.set_value(SUB_SCOPE).run()
    prompt = " ".join(i.value for i in at.info)
    # The history window: six closed billing periods and the open one, up to the pinned day.
    assert f"Klik op Laden om Azure te bevragen voor {SUB_SCOPE} (1 mei 2026 – 26 nov 2026)." in prompt

    at.button(key="azure_load").click().run()
    assert not at.exception, at.exception
    assert not at.error
    caption = " ".join(c.value for c in at.sidebar.caption)
    assert "Gegevens opgehaald: zojuist · 7 rijen" in caption
    assert _english_shown(at) == []
