"""Issue 21, holes 1 and 2: the server's own files never reach a visitor.

The files box reads nothing unless ``AZDASH_PATH_ROOTS`` names folders (signed in or not); a file
found in an allowed folder is checked again after its links are resolved; a file that could not
be read is neither offered for download nor quoted in the message; ``make run`` listens on the
loopback interface unless told otherwise.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.core.dataset import SourceError
from lib.core.models import Metric
from lib.output import convert
from lib.sources.files import expand_paths, load_files
from lib.ui import state
from tests.security import hostile
from tests.security.conftest import APP, TIMEOUT
from tests.serving import REPO

AS_OF = date(2026, 11, 26)
SECRET = "PATHSECRETMARKER"


def _secret_file(folder: Path) -> Path:
    secret = folder / "secrets.toml"
    secret.write_text(f'AZURE_CLIENT_SECRET = "{SECRET}"\n')
    return secret


def test_the_path_box_is_off_without_roots_even_without_sign_in(tmp_path: Path) -> None:
    """No sign-in, no roots: a typed path is refused (the secret is never read), and the box is drawn disabled."""
    secret = _secret_file(tmp_path)
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.run()
    app.radio(key=state.SOURCE).set_value("files").run()
    box = app.sidebar.text_input(key="files_path")
    assert box.disabled
    # A disabled box only stops the browser's own page: a forged message can still send a value, so the server refuses too.
    app.session_state["files_path"] = f"some.csv; {secret}"
    app.run()
    assert not app.exception, app.exception
    shown = " ".join(e.value for e in app.sidebar.error) + " ".join(m.value for m in app.markdown)
    assert "AZDASH_PATH_ROOTS" in shown
    assert SECRET not in shown
    assert not app.get("download_button")
    assert not app.metric


def test_a_link_in_an_allowed_folder_cannot_lead_out_of_it(tmp_path: Path) -> None:
    """``passwd.csv -> secrets.toml`` inside the root is refused; the honest file beside it alone reads."""
    root = tmp_path / "exports"
    root.mkdir()
    (root / "usage.csv").write_bytes(hostile.plain_file())
    secret = _secret_file(tmp_path)
    assert [Path(f.path or "").name for f in expand_paths([str(root)], (str(root),))] == ["usage.csv"]
    (root / "passwd.csv").symlink_to(secret)
    with pytest.raises(SourceError, match="AZDASH_PATH_ROOTS"):
        expand_paths([str(root)], (str(root),))
    # A link that stays inside the roots is fine.
    (root / "passwd.csv").unlink()
    (root / "again.csv").symlink_to(root / "usage.csv")
    assert len(expand_paths([str(root)], (str(root),))) == 2


def test_a_link_in_the_roots_folder_typed_in_the_page_reads_nothing_outside(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The page's own route: AZDASH_PATH_ROOTS allows ``exports``, whose ``passwd.csv`` links to a secret outside."""
    root = tmp_path / "exports"
    root.mkdir()
    (root / "usage.csv").write_bytes(hostile.plain_file())
    (root / "passwd.csv").symlink_to(_secret_file(tmp_path))
    monkeypatch.setenv("AZDASH_PATH_ROOTS", str(root))
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.run()
    app.radio(key=state.SOURCE).set_value("files").run()
    app.text_input(key="files_path").set_value(str(root)).run()
    assert not app.exception, app.exception
    shown = " ".join(e.value for e in [*app.sidebar.error, *app.sidebar.warning, *app.sidebar.markdown, *app.sidebar.caption])
    assert "passwd.csv" in shown and "AZDASH_PATH_ROOTS" in shown
    assert SECRET not in shown
    app.switch_page("pages/download.py").run()
    assert not app.get("download_button")  # nothing loaded, nothing to download


def test_a_file_that_failed_to_read_is_neither_served_nor_quoted(tmp_path: Path) -> None:
    """A readable usage file and a secret given by path: the secret is not in the originals and its line is not shown."""
    root = tmp_path / "exports"
    root.mkdir()
    (root / "usage.csv").write_bytes(hostile.plain_file())
    secret = root / "secrets.csv"
    secret.write_text(f'AZURE_CLIENT_SECRET = "{SECRET}"\n')
    dataset = load_files(expand_paths([str(root)]), as_of=AS_OF, metric=Metric.ACTUAL, strict=False)
    assert [Path(f.name).name for f in dataset.raw_files] == ["usage.csv"]
    name, data, _mime = convert.original_files(dataset)
    assert SECRET.encode() not in data and name == "usage.csv"
    # Found in a folder and no usage table: listed as not read (skipped), with the reason, never its content.
    failed = [r for r in dataset.file_reports if r.error or r.skipped]
    assert len(failed) == 1 and "secrets.csv" in failed[0].name + (failed[0].error or "") + (failed[0].skipped or "")
    told = " ".join([*dataset.warnings, *dataset.notes, *(f"{r.error or ''} {r.skipped or ''}" for r in failed)])
    assert SECRET not in told and "AZURE_CLIENT_SECRET" not in told


def test_an_upload_that_failed_to_read_is_not_served_either() -> None:
    """Uploads too: only files that were read are in the originals download."""
    dataset = load_files(
        [("usage.csv", hostile.plain_file()), ("notes.csv", b"item,quantity\napples,6\n")], as_of=AS_OF, metric=Metric.ACTUAL, strict=False
    )
    assert [f.name for f in dataset.raw_files] == ["usage.csv"]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_listens_on_loopback_unless_told_otherwise() -> None:
    """`make run` binds 127.0.0.1; AZDASH_HOST opens it (both read from make's dry run, nothing started)."""
    local = subprocess.run(["make", "-n", "run"], cwd=REPO, capture_output=True, text=True, check=True, timeout=60).stdout
    assert "--server.address 127.0.0.1" in local
    opened = subprocess.run(
        ["make", "-n", "run", "AZDASH_HOST=0.0.0.0"], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "--server.address 0.0.0.0" in opened
