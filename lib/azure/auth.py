"""Signing in: the credential chain, a fail-fast check and an identity key for caches."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError

from lib.azure.settings import AzureSettings
from lib.core.i18n import N_, _

HOW_TO_SIGN_IN = N_(
    "Sign in with `az login` (Azure CLI) on this machine, or run with a managed identity, or set "
    "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal "
    "(environment variables, or root keys of .streamlit/secrets.toml). "
    "AZURE_TOKEN_CREDENTIALS=dev or =prod narrows which ways are tried."
)


class SignInError(Exception):
    """No credential could give a token; the message says how to sign in."""


def make_credential(settings: AzureSettings) -> TokenCredential:
    """``DefaultAzureCredential`` for the settings' cloud (``AZURE_TOKEN_CREDENTIALS`` narrows it).

    Raises:
        SignInError: when ``AZURE_TOKEN_CREDENTIALS`` has a value azure-identity rejects.
    """
    from azure.identity import DefaultAzureCredential

    try:
        credential: TokenCredential = DefaultAzureCredential(authority=settings.authority_host)
    except ValueError as error:
        raise SignInError(_("Azure sign-in is misconfigured: {error}").format(error=error)) from None
    return credential


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else text


def token_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT access token (not verified: used only to tell identities apart)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, json.JSONDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def identity_key(credential: TokenCredential, settings: AzureSettings) -> tuple[str, str]:
    """Get a token now (fail fast) and return (cache key of the signed-in identity, display name).

    The key hashes the token's tenant and object id (or, for opaque tokens, the token itself),
    so cached results are never served to another identity.

    Raises:
        SignInError: with a message saying how to sign in.
    """
    try:
        token = credential.get_token(settings.token_scope).token
    except ClientAuthenticationError as error:
        detail = _first_line(getattr(error, "message", None) or str(error))
        raise SignInError(_("Azure sign-in is not available ({detail}).").format(detail=detail) + " " + _(HOW_TO_SIGN_IN)) from None
    claims = token_claims(token)
    who = "|".join(str(claims.get(k, "")) for k in ("tid", "oid", "appid")) if claims.get("oid") else token
    key = hashlib.sha256(f"{settings.key}|{who}".encode()).hexdigest()[:32]
    return key, identity_name(claims, credential)


def identity_name(claims: dict[str, Any], credential: TokenCredential) -> str:
    """Who is signed in, in words: the account, else the tenant, else the kind of credential (never the token)."""
    for claim in ("upn", "unique_name", "preferred_username", "email", "app_displayname", "appid"):
        if claims.get(claim):
            return str(claims[claim])
    # The chain names the credential in it that gave the token (Azure CLI, managed identity...), when it can.
    kind = type(getattr(credential, "_successful_credential", None) or credential).__name__
    if claims.get("tid"):
        return _("{kind} in tenant {tenant}").format(kind=kind, tenant=claims["tid"])
    return kind
