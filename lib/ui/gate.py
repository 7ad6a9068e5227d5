"""The sign-in gate at the top of every run: the sign-in and no-access pages, and who is signed in.

The decision is ``lib.access.auth.access_decision``; this module only reads Streamlit's secrets and
``st.user`` and draws. A visitor who may not see data gets a one-page app (``st.navigation``
with a single page), so no address of the dashboard's pages runs anything else.
"""

from __future__ import annotations

import os

import streamlit as st

from lib.access import auth
from lib.core.i18n import _
from lib.ui import widgets

NO_ACCESS_PATH = "no-access"


def _secrets() -> dict[str, object]:
    # No secrets file at all is the normal local case: sign-in off.
    if not st.secrets.load_if_toml_exists():
        return {}
    return dict(st.secrets.to_dict())


def _user() -> dict[str, object]:
    return dict(st.user.to_dict())


def decide() -> tuple[auth.Decision, auth.AccessSettings]:
    """The gate's decision for this run's visitor, and the settings it used."""
    settings = auth.settings_from(_secrets(), os.environ)
    return auth.access_decision(_user(), settings), settings


def path_roots() -> tuple[str, ...]:
    """The folders the files box may read from (``AZDASH_PATH_ROOTS``); empty: the box is off."""
    return auth.settings_from(_secrets(), os.environ).path_roots


def typed_path_problem(typed: str) -> str | None:
    """Why one of the paths typed in the files box may not be read (``lib.access.auth.path_refusal``), if so."""
    settings = auth.settings_from(_secrets(), os.environ)
    paths = [p.strip() for p in typed.replace("\n", ";").split(";") if p.strip()]
    return next((problem for p in paths if (problem := auth.path_refusal(p, settings))), None)


def gate() -> auth.Decision:
    """Let the run go on only for a visitor who may see data; otherwise draw the closed page and stop."""
    decision, settings = decide()
    if decision.shows_data:
        if decision.outcome is auth.Outcome.ALLOWED:
            _signed_in_bar(decision)
        return decision

    def closed() -> None:
        _closed_page(decision, settings)

    page = st.Page(closed, title=_("Azure usage and charges"), icon=":material/lock:", url_path=NO_ACCESS_PATH, default=True)
    st.navigation([page], position="hidden").run()
    st.stop()
    raise AssertionError("st.stop() returned")  # pragma: no cover - st.stop raises


def _signed_in_bar(decision: auth.Decision) -> None:
    bar = st.sidebar
    if decision.who:
        bar.caption(_("Signed in as {who}").format(who=decision.who))
    if bar.button(_("Sign out"), key="auth_sign_out", icon=":material/logout:"):
        st.logout()


def _closed_page(decision: auth.Decision, settings: auth.AccessSettings) -> None:
    widgets.render_language_picker()
    if decision.outcome is auth.Outcome.SIGN_IN:
        st.title(_("Azure usage and charges"))
        st.info(_("This dashboard shows confidential cost data. Sign in with your work account to continue."), icon=":material/lock:")
        if st.button(_("Sign in with Microsoft"), key="auth_sign_in", type="primary", icon=":material/login:"):
            st.login(settings.provider)
        return
    if decision.outcome is auth.Outcome.MISCONFIGURED:
        st.title(_("Sign-in is not set up"))
        st.error(
            _(
                "This dashboard requires sign-in, but no sign-in is configured, so it shows nothing. "
                "Ask the person who runs it to check the [auth] section of its secrets."
            )
        )
        return
    st.title(_("No access"))
    if decision.who:
        st.write(_("You are signed in as **{who}**, but this dashboard has not been shared with you.").format(who=decision.who))
    else:
        st.write(_("You are signed in, but this dashboard has not been shared with you."))
    st.write(_("Ask the person who runs it to add you, or a group you are in, to its allow-list."))
    if decision.reason:
        st.caption(_("Reason: {reason}").format(reason=_(decision.reason)))
    if st.button(_("Sign out"), key="auth_sign_out", icon=":material/logout:"):
        st.logout()
