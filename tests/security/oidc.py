"""A tiny OpenID Connect provider on 127.0.0.1 standing in for Microsoft Entra ID in the sign-in tests.

It serves discovery, an authorize endpoint that signs in whoever the test chose (no login form),
a token endpoint that returns an RS256-signed ID token with the nonce, e-mail, name and groups,
and the key set. It checks the client id, secret, redirect URI and code, so a wrong setting fails.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.serving import serve_on_loopback

CLIENT_ID = "00000000-0000-0000-0000-00000000c11e"
CLIENT_SECRET = "oidc-test-client-secret"


@dataclass
class Provider:
    """The provider's state: who signs in next, the codes handed out, the requests seen."""

    url: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-key"}))

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/keys",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 600, "tid": "tenant-1", **self.user}
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            provider.seen.append(parts.path)
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif parts.path == "/keys":
                self._json(200, {"keys": [provider.key.as_dict(private=False) | {"kid": "test-key", "use": "sig", "alg": "RS256"}]})
            elif parts.path == "/authorize":
                if query.get("client_id") != CLIENT_ID or not query.get("redirect_uri"):
                    self._json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {"nonce": query.get("nonce"), "redirect_uri": query["redirect_uri"]}
                target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            provider.seen.append(urlsplit(self.path).path)
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            basic = self.headers.get("Authorization", "")
            client_ok = form.get("client_secret") == CLIENT_SECRET or basic.startswith("Basic ")
            grant = provider.codes.pop(form.get("code", ""), None)
            if not client_ok or grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                self._json(400, {"error": "invalid_grant"})
                return
            token = provider.id_token(grant["nonce"])
            self._json(200, {"access_token": "opaque-access", "token_type": "Bearer", "expires_in": 600, "id_token": token})

    return Handler


def start(provider: Provider) -> ThreadingHTTPServer:
    """Serve ``provider`` on an ephemeral loopback port (sets ``provider.url``)."""
    server, provider.url = serve_on_loopback(_handler(provider))
    return server
