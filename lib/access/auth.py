"""Who may open the dashboard: optional sign-in with Microsoft Entra ID and an allow-list.

Sign-in is Streamlit's own OpenID Connect (``st.login``), switched on by an ``[auth]`` section in
``.streamlit/secrets.toml``; without it the dashboard is open, as for local use. With it, only
signed-in people on the allow-list get in: users by e-mail, user principal name or object id,
groups by object id from the ID token's ``groups`` claim (or app-role names from ``roles``).
Everything here is pure so the decision can be tested without Streamlit; ``lib/ui/gate.py``
draws the pages around it.

Settings, from the ``[azdash]`` secrets section or the environment (root keys of
``secrets.toml`` are exported to the environment by Streamlit, so both spellings work):

- ``allowed_users`` / ``AZDASH_ALLOWED_USERS``: e-mail addresses, UPNs or object ids; ``*`` lets
  in anyone the identity provider signs in (for a single-tenant app registration).
- ``allowed_groups`` / ``AZDASH_ALLOWED_GROUPS``: group object ids or app-role names.
- ``require_sign_in`` / ``AZDASH_REQUIRE_SIGN_IN``: refuse to show data when no ``[auth]`` section
  is found (a deployment whose secrets file went missing fails closed instead of open).
- ``auth_provider`` / ``AZDASH_AUTH_PROVIDER``: the ``[auth.NAME]`` provider to sign in with.
- ``path_roots`` / ``AZDASH_PATH_ROOTS``: folders on the server whose files may be read through the
  "local file or folder" box (separated by semicolons). Without roots the box reads nothing, signed in
  or not: it would otherwise read any file the server can (its secrets too). Every file found in a
  folder is checked again after its links are resolved.

Lists in the environment are separated by commas, semicolons or white space.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lib.core.i18n import N_, _

ANYONE = "*"
_SPLIT = re.compile(r"[\s,;]+")
_TRUE = frozenset({"1", "true", "yes", "on"})
# Claims that name the person, in the order the page shows them.
_NAME_CLAIMS = ("email", "preferred_username", "upn", "unique_name")
_ID_CLAIMS = ("oid", "sub")


class Outcome(enum.Enum):
    """What the gate does with a visitor."""

    OPEN = "open"  # no sign-in configured: local use
    SIGN_IN = "sign_in"  # sign-in configured, visitor not signed in
    ALLOWED = "allowed"
    DENIED = "denied"
    MISCONFIGURED = "misconfigured"  # sign-in required but not configured: show nothing


@dataclass(frozen=True)
class AccessSettings:
    """The sign-in configuration and the allow-list (entries lower-cased)."""

    sign_in: bool = False
    require_sign_in: bool = False
    users: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    provider: str | None = None
    path_roots: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The gate's verdict, who the visitor is (as the page may show it) and why."""

    outcome: Outcome
    who: str = ""
    reason: str = ""  # an English message id (``N_``): the page shows it through ``_()``

    @property
    def shows_data(self) -> bool:
        """Whether the dashboard may be drawn for this visitor."""
        return self.outcome in (Outcome.OPEN, Outcome.ALLOWED)


def _entries(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    items: Iterable[object] = _SPLIT.split(value) if isinstance(value, str) else value if isinstance(value, Iterable) else [value]
    return frozenset(str(item).strip().lower() for item in items if str(item).strip())


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in _TRUE


def settings_from(secrets: Mapping[str, object], environ: Mapping[str, str]) -> AccessSettings:
    """Read the settings: an ``[auth]`` section turns sign-in on; ``[azdash]`` keys win over the environment."""
    own = secrets.get("azdash")
    section: Mapping[str, object] = own if isinstance(own, Mapping) else {}

    def pick(key: str) -> object:
        return section[key] if key in section else environ.get(f"AZDASH_{key.upper()}")

    provider = pick("auth_provider")
    roots = pick("path_roots")
    root_list = roots.replace("\n", ";").split(";") if isinstance(roots, str) else roots if isinstance(roots, list) else []
    return AccessSettings(
        sign_in=isinstance(secrets.get("auth"), Mapping) and bool(secrets.get("auth")),
        require_sign_in=_flag(pick("require_sign_in")),
        users=_entries(pick("allowed_users")),
        groups=_entries(pick("allowed_groups")),
        provider=str(provider).strip() or None if provider else None,
        path_roots=tuple(str(r).strip() for r in root_list if str(r).strip()),
    )


def path_refusal(path: str, settings: AccessSettings) -> str | None:
    """Why a path typed in the page may not be read (``None`` when it may).

    Symbolic links and ``..`` are resolved first, so a link inside an allowed folder cannot
    point outside it.
    """
    if settings.path_roots:
        if within_roots(path, settings.path_roots):
            return None
        return _("{path}: only files under the folders in AZDASH_PATH_ROOTS can be read here; upload the file instead.").format(path=path)
    # Without roots the box reads nothing, signed in or not: an open dashboard on a network would otherwise serve
    # every file the server can read (its secrets, /proc/self/environ) to anyone who can reach it.
    return _(
        "{path}: reading files from the server's disk is off (the person who runs the dashboard can allow folders with "
        "AZDASH_PATH_ROOTS); upload the file instead."
    ).format(path=path)


def within_roots(path: str, roots: tuple[str, ...]) -> bool:
    """Whether ``path``, with every link and ``..`` resolved, lies inside one of ``roots`` (resolved the same way)."""
    real = os.path.realpath(os.path.expanduser(path))
    for root in roots:
        base = os.path.realpath(os.path.expanduser(root))
        if os.path.commonpath([real, base]) == base:
            return True
    return False


def _claim_values(user: Mapping[str, object], names: Iterable[str]) -> list[str]:
    found = []
    for name in names:
        value = user.get(name)
        if isinstance(value, str) and value.strip():
            found.append(value.strip().lower())
    return found


def _list_claim(user: Mapping[str, object], name: str) -> frozenset[str]:
    value = user.get(name)
    if isinstance(value, str):
        return frozenset({value.strip().lower()})
    if isinstance(value, Iterable):
        return frozenset(str(v).strip().lower() for v in value)
    return frozenset()


def display_name(user: Mapping[str, object]) -> str:
    """How the page names a signed-in visitor: their e-mail or user name, else their name."""
    for claim in (*_NAME_CLAIMS, "name"):
        value = user.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def access_decision(user: Mapping[str, object], settings: AccessSettings) -> Decision:
    """Decide whether the visitor described by ``user`` (``st.user``'s claims) may see the dashboard.

    Fails closed: sign-in on with an empty allow-list lets no one in, and an ID token whose group
    list was too long to include (Entra's "groups overage") is not treated as membership.
    """
    if not settings.sign_in:
        if settings.require_sign_in:
            return Decision(Outcome.MISCONFIGURED, reason=N_("sign-in is required but no [auth] section is configured"))
        return Decision(Outcome.OPEN)
    if user.get("is_logged_in") is not True:
        return Decision(Outcome.SIGN_IN)
    who = display_name(user)
    if not settings.users and not settings.groups:
        return Decision(Outcome.DENIED, who, N_("the allow-list is empty"))
    if ANYONE in settings.users:
        return Decision(Outcome.ALLOWED, who, N_("any signed-in user"))
    names = _claim_values(user, (*_NAME_CLAIMS, *_ID_CLAIMS))
    matched = next((n for n in names if n in settings.users), None)
    if matched:
        return Decision(Outcome.ALLOWED, who, N_("user on the allow-list"))
    memberships = _list_claim(user, "groups") | _list_claim(user, "roles")
    if memberships & settings.groups:
        return Decision(Outcome.ALLOWED, who, N_("member of an allowed group"))
    claim_names = user.get("_claim_names")
    if settings.groups and isinstance(claim_names, Mapping) and "groups" in claim_names:
        return Decision(Outcome.DENIED, who, N_("the sign-in token lists too many groups to check (groups overage)"))
    return Decision(Outcome.DENIED, who, N_("not on the allow-list"))
