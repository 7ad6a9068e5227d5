"""The very first visitor after a server start: their sidebar choices must stick like anyone's."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser


def test_first_session_after_start_keeps_a_sidebar_choice(server: Server) -> None:
    """On a server nobody had opened, choosing Amortized in the sidebar stayed chosen (checked by the
    session-wide server fixture, which is that first visitor)."""
    assert server.first_visit_kept_choice is True
