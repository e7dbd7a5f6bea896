"""A real OAuth 2 / OpenID Connect provider for tests, built on authlib's AuthorizationServer.

Authorization-code grant with PKCE required (S256 checked by authlib, not by us), a discovery
document, and an OIDC userinfo endpoint. Consent is automatic: `/authorize` signs in whoever
`provider.user` is and redirects straight back with a code, as a provider would after the
user clicked "Allow". Serve it with `serving(provider.asgi())`.
"""

from __future__ import annotations

import os
import secrets
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, jsonify, request

# The provider is served over plain HTTP on loopback; authlib refuses that unless told.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    issue_refresh_tokens: bool = False

    def check_grant_type(self, grant_type: str) -> bool:
        # authlib issues a refresh token with the code exchange when this says yes to it.
        return grant_type == "authorization_code" or (
            grant_type == "refresh_token" and self.issue_refresh_tokens
        )


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict[str, Any]
    code_challenge: str | None
    code_challenge_method: str | None
    issued: float = field(default_factory=time.monotonic)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return time.monotonic() - self.issued > 300


@dataclass
class Provider:
    client_id: str = "raypx-test-client"
    client_secret: str = "raypx-test-secret"
    redirect_uris: list[str] = field(default_factory=list)
    user: dict[str, Any] = field(default_factory=dict)
    base_url: str = ""  # set once served: the issuer
    codes: dict[str, Code] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # access token -> user
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issue_refresh_tokens: bool = False
    refresh_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # token -> user

    def sign_in_as(self, sub: str, email: str, *, verified: bool = True, name: str = "") -> None:
        self.user = {
            "sub": sub,
            "email": email,
            "email_verified": verified,
            "name": name or email.split("@")[0].title(),
            "picture": f"https://images.example/{sub}.png",
        }

    def asgi(self) -> Any:
        from uvicorn.middleware.wsgi import WSGIMiddleware

        with warnings.catch_warnings():  # uvicorn deprecates its WSGI adapter; fine for a fake
            warnings.simplefilter("ignore")
            wsgi = WSGIMiddleware(self.flask())

        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "lifespan":  # the WSGI adapter knows only HTTP
                while (await receive())["type"] != "lifespan.shutdown":
                    await send({"type": "lifespan.startup.complete"})
                await send({"type": "lifespan.shutdown.complete"})
                return
            await wsgi(scope, receive, send)

        return app

    def flask(self) -> Flask:
        provider = self

        class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
            def save_authorization_code(self, code: str, req: Any) -> None:
                provider.codes[code] = Code(
                    code=code,
                    client_id=req.client.client_id,
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.scope,
                    user=dict(req.user),
                    code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                found = provider.codes.get(code)
                if found and found.client_id == client.client_id and not found.is_expired():
                    return found
                return None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
                return authorization_code.user

        def query_client(client_id: str) -> Client | None:
            if client_id != provider.client_id:
                return None
            return Client(
                provider.client_id,
                provider.client_secret,
                provider.redirect_uris,
                provider.issue_refresh_tokens,
            )

        def save_token(token: dict[str, Any], req: Any) -> None:
            provider.tokens[token["access_token"]] = dict(req.user)
            if "refresh_token" in token:
                provider.refresh_tokens[token["refresh_token"]] = dict(req.user)

        app = Flask("fake-oauth-provider")
        app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True  # issued when the client may refresh
        server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
        server.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(
                issuer=provider.base_url,
                authorization_endpoint=f"{provider.base_url}/authorize",
                token_endpoint=f"{provider.base_url}/token",
                userinfo_endpoint=f"{provider.base_url}/userinfo",
                code_challenge_methods_supported=["S256"],
            )

        @app.get("/authorize")
        def authorize() -> Any:
            try:
                grant = server.get_consent_grant(end_user=provider.user)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            return server.create_authorization_response(grant_user=provider.user, grant=grant)

        @app.post("/token")
        def token() -> Any:
            provider.token_requests.append(dict(request.form))
            if request.form.get("grant_type") == "refresh_token":
                return refresh()
            return server.create_token_response()

        def refresh() -> Any:
            user = provider.refresh_tokens.get(request.form.get("refresh_token", ""))
            if user is None or request.form.get("client_secret") != provider.client_secret:
                return jsonify(error="invalid_grant"), 400
            access = secrets.token_urlsafe(24)
            provider.tokens[access] = user
            return jsonify(access_token=access, token_type="Bearer", expires_in=3600)

        @app.get("/userinfo")
        def userinfo() -> Any:
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            user = provider.tokens.get(value) if scheme.lower() == "bearer" else None
            if user is None:
                return jsonify(error="invalid_token"), 401
            return jsonify(user)

        return app
