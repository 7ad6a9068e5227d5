"""Who gets in: the pure decision (``lib.access.auth``) and the gate in the running app (AppTest's ``user``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib.access.auth import AccessSettings, Outcome, access_decision, settings_from
from lib.ui import state
from tests.security.conftest import APP, TIMEOUT

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-that-is-long-enough",
    "client_id": "00000000-0000-0000-0000-00000000c11e",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://127.0.0.1:9/v2.0/.well-known/openid-configuration",
}
ANN = {"is_logged_in": True, "email": "Ann@Contoso.com", "name": "Ann", "oid": "oid-ann", "groups": ["g-finance"]}
BOB = {"is_logged_in": True, "email": "bob@contoso.com", "name": "Bob", "oid": "oid-bob", "groups": ["g-sales"]}
ON = AccessSettings(sign_in=True, users=frozenset({"ann@contoso.com"}), groups=frozenset({"g-ops"}))


# --- the decision ---------------------------------------------------------------------------------


def test_without_an_auth_section_the_dashboard_is_open() -> None:
    assert access_decision({}, settings_from({}, {})).outcome is Outcome.OPEN
    assert access_decision({}, settings_from({}, {})).shows_data


def test_required_sign_in_without_configuration_fails_closed() -> None:
    decision = access_decision({}, settings_from({}, {"AZDASH_REQUIRE_SIGN_IN": "true"}))
    assert decision.outcome is Outcome.MISCONFIGURED
    assert not decision.shows_data


@pytest.mark.parametrize("user", [{}, {"is_logged_in": False}, {"email": "ann@contoso.com"}, {"is_logged_in": "true"}])
def test_anyone_not_signed_in_is_asked_to_sign_in(user: dict[str, Any]) -> None:
    assert access_decision(user, ON).outcome is Outcome.SIGN_IN


def test_users_match_by_email_upn_or_object_id_ignoring_case() -> None:
    assert access_decision(ANN, ON).outcome is Outcome.ALLOWED
    by_upn = {"is_logged_in": True, "preferred_username": "ANN@contoso.com"}
    assert access_decision(by_upn, ON).outcome is Outcome.ALLOWED
    by_oid = AccessSettings(sign_in=True, users=frozenset({"oid-bob"}))
    assert access_decision(BOB, by_oid).outcome is Outcome.ALLOWED


def test_groups_and_app_roles_let_members_in() -> None:
    assert access_decision(BOB | {"groups": ["g-sales", "G-OPS"]}, ON).outcome is Outcome.ALLOWED
    assert access_decision(BOB | {"groups": [], "roles": ["g-ops"]}, ON).outcome is Outcome.ALLOWED


def test_everyone_else_is_denied_with_who_they_are() -> None:
    decision = access_decision(BOB, ON)
    assert decision.outcome is Outcome.DENIED
    assert decision.who == "bob@contoso.com"
    assert not decision.shows_data


def test_an_empty_allow_list_lets_no_one_in_and_a_star_lets_every_signed_in_user_in() -> None:
    assert access_decision(ANN, AccessSettings(sign_in=True)).outcome is Outcome.DENIED
    anyone = AccessSettings(sign_in=True, users=frozenset({"*"}))
    assert access_decision(BOB, anyone).outcome is Outcome.ALLOWED
    assert access_decision({"is_logged_in": False}, anyone).outcome is Outcome.SIGN_IN


def test_groups_overage_is_not_taken_as_membership() -> None:
    overage = {"is_logged_in": True, "email": "carl@contoso.com", "_claim_names": {"groups": "src1"}}
    decision = access_decision(overage, ON)
    assert decision.outcome is Outcome.DENIED
    assert "overage" in decision.reason


def test_settings_from_secrets_win_over_the_environment() -> None:
    environ = {"AZDASH_ALLOWED_USERS": "x@contoso.com; y@contoso.com\nz@contoso.com", "AZDASH_ALLOWED_GROUPS": "g1,g2"}
    from_env = settings_from({"auth": AUTH}, environ)
    assert from_env.sign_in
    assert from_env.users == {"x@contoso.com", "y@contoso.com", "z@contoso.com"}
    assert from_env.groups == {"g1", "g2"}
    own = settings_from({"auth": AUTH, "azdash": {"allowed_users": ["Only@Contoso.com"], "auth_provider": "microsoft"}}, environ)
    assert own.users == {"only@contoso.com"}
    assert own.groups == {"g1", "g2"}
    assert own.provider == "microsoft"
    assert not settings_from({"auth": {}}, {}).sign_in


# --- the gate in the app ---------------------------------------------------------------------------


def _app(user: dict[str, Any], secrets: dict[str, Any] | None = None) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.secrets = secrets if secrets is not None else {"auth": AUTH, "azdash": {"allowed_users": ["ann@contoso.com"]}}
    app.user = user
    app.run()
    assert not app.exception, app.exception
    return app


def _shows_no_data(app: AppTest) -> None:
    assert not app.metric
    assert not app.dataframe
    assert not app.get("plotly_chart")
    assert not app.get("download_button")
    # No source picker, so nothing can be loaded: the language is the only choice offered.
    assert [radio.key for radio in app.get("radio")] == [state.LANGUAGE]
    assert not app.get("file_uploader")
    assert state.CONTEXT not in app.session_state


def test_logged_out_visitor_sees_only_the_sign_in_page() -> None:
    app = _app({"is_logged_in": False})
    _shows_no_data(app)
    assert app.button(key="auth_sign_in").label == "Sign in with Microsoft"


def test_signed_in_visitor_not_on_the_list_sees_no_access_and_no_data() -> None:
    app = _app(BOB)
    _shows_no_data(app)
    assert [t.value for t in app.title] == ["No access"]
    assert any("bob@contoso.com" in m.value for m in app.markdown)
    # The gate registers its closed page as the only page, so no address runs a dashboard page
    # (tests/security/test_browser_auth.py opens /download in a real browser).
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/download.py")


def test_signed_in_visitor_on_the_list_sees_the_dashboard() -> None:
    app = _app(ANN)
    assert app.metric, "the overview's figures"
    assert any("Signed in as Ann@Contoso.com" in c.value for c in app.sidebar.caption)
    assert app.button(key="auth_sign_out")


def test_group_member_sees_the_dashboard_in_dutch_too() -> None:
    secrets = {"auth": AUTH, "azdash": {"allowed_groups": ["g-ops"]}}
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.secrets = secrets
    app.user = BOB | {"groups": ["g-ops"]}
    app.query_params["lang"] = "nl"
    app.run()
    assert not app.exception, app.exception
    assert app.metric
    denied = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    denied.secrets = secrets
    denied.user = BOB
    denied.query_params["lang"] = "nl"
    denied.run()
    _shows_no_data(denied)
    assert [t.value for t in denied.title] == ["Geen toegang"]


def test_without_auth_secrets_the_app_is_open_as_before() -> None:
    app = _app({"is_logged_in": False}, secrets={})
    assert app.metric
    assert all(b.key not in ("auth_sign_in", "auth_sign_out") for b in app.button)


def test_required_sign_in_without_auth_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZDASH_REQUIRE_SIGN_IN", "1")
    app = _app({}, secrets={})
    _shows_no_data(app)
    assert [t.value for t in app.title] == ["Sign-in is not set up"]


# --- files on the server's disk ----------------------------------------------------------------------


def test_paths_are_closed_without_roots_signed_in_or_not(tmp_path: Path) -> None:
    # Issue 21, hole 1: an open dashboard (no sign-in) once read any path typed into its box.
    from lib.access.auth import path_refusal

    for settings in (AccessSettings(), ON):
        refused = path_refusal(str(tmp_path), settings)
        assert refused and "AZDASH_PATH_ROOTS" in refused
    assert path_refusal(str(tmp_path), AccessSettings(path_roots=(str(tmp_path),))) is None


def test_path_roots_allow_their_folders_only_after_links_are_resolved(tmp_path: Path) -> None:
    from lib.access.auth import path_refusal

    allowed = tmp_path / "exports"
    allowed.mkdir()
    (allowed / "usage.csv").write_text("x")
    outside = tmp_path / "secrets.toml"
    outside.write_text("x")
    (allowed / "link.csv").symlink_to(outside)
    settings = settings_from({"auth": AUTH}, {"AZDASH_PATH_ROOTS": f"{allowed};/nonexistent"})
    assert path_refusal(str(allowed / "usage.csv"), settings) is None
    assert path_refusal(str(allowed), settings) is None
    assert path_refusal(str(allowed / "link.csv"), settings)
    assert path_refusal(str(allowed / ".." / "secrets.toml"), settings)
    assert path_refusal(str(tmp_path / "exports-other" / "x.csv"), settings)


def test_a_signed_in_team_member_cannot_read_the_servers_files(tmp_path: Path) -> None:
    secret = tmp_path / "secrets.toml"
    secret.write_text('AZURE_CLIENT_SECRET = "PATHSECRETMARKER"\n')
    app = _app(ANN)
    app.radio(key=state.SOURCE).set_value("files").run()
    assert app.text_input(key="files_path").disabled  # without AZDASH_PATH_ROOTS the box is off...
    app.session_state["files_path"] = str(secret)  # ...and a value sent anyway is refused by the server
    app.run()
    assert not app.exception, app.exception
    errors = " ".join(e.value for e in app.sidebar.error)
    assert "AZDASH_PATH_ROOTS" in errors
    assert "PATHSECRETMARKER" not in errors
    assert not app.metric
