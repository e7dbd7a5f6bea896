"""Better Auth's cookies, byte for byte, and reading the session token from a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from raypx.auth import tokens
from raypx.auth.config import AuthConfig


def _cookie(cfg: AuthConfig, name: str, value: str, max_age: int | None) -> str:
    parts = [f"{cfg.cookie_prefix}{name}={value}"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    parts += ["Path=/", "HttpOnly"]
    if cfg.https:
        parts.append("Secure")
    parts.append("SameSite=Lax")
    return "; ".join(parts)


def session_cookie(cfg: AuthConfig, token: str, max_age: int | None) -> str:
    """`max_age=None` makes a browser-session cookie (sign-in with rememberMe:false)."""
    signed = tokens.encode_cookie_value(tokens.sign(token, cfg.secret))
    return _cookie(cfg, "session_token", signed, max_age)


def dont_remember_cookie(cfg: AuthConfig) -> str:
    signed = tokens.encode_cookie_value(tokens.sign("true", cfg.secret))
    return _cookie(cfg, "dont_remember", signed, None)


def clearing_cookies(cfg: AuthConfig) -> list[str]:
    return [
        _cookie(cfg, name, "", 0) for name in ("session_token", "session_data", "dont_remember")
    ]


def state_cookie(cfg: AuthConfig, state: str, max_age: int) -> str:
    """Binds an OAuth flow to the browser that started it (SameSite=Lax still sends it on the
    provider's top-level redirect back)."""
    return _cookie(
        cfg, "state", tokens.encode_cookie_value(tokens.sign(state, cfg.secret)), max_age
    )


def clearing_state_cookie(cfg: AuthConfig) -> str:
    return _cookie(cfg, "state", "", 0)


def read_state_cookie(headers: Mapping[str, str], cfg: AuthConfig) -> str | None:
    raw = parse_cookie_header(headers.get("cookie", "")).get(cfg.cookie_prefix + "state")
    return tokens.unsign(tokens.decode_cookie_value(raw), cfg.secret) if raw else None


def parse_cookie_header(header: str) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for part in header.split(";"):
        name, eq, value = part.strip().partition("=")
        if eq and name and name not in cookies:
            cookies[name] = value.strip().strip('"')
    return cookies


@dataclass(frozen=True)
class Credentials:
    token: str
    from_cookie: bool
    dont_remember: bool = False


def read_credentials(headers: Mapping[str, str], cfg: AuthConfig) -> Credentials | None:
    """The session token from the signed cookie, else from `Authorization: Bearer`.

    A bearer value may be the raw token (as sign-in returns it) or the signed cookie value.
    An unsigned or badly signed cookie counts as no cookie, as in Better Auth.
    """
    jar = parse_cookie_header(headers.get("cookie", ""))
    raw = jar.get(cfg.session_cookie)
    if raw:
        token = tokens.unsign(tokens.decode_cookie_value(raw), cfg.secret)
        if token:
            flag = jar.get(cfg.cookie_prefix + "dont_remember", "")
            remember = tokens.unsign(tokens.decode_cookie_value(flag), cfg.secret) if flag else None
            return Credentials(token, from_cookie=True, dont_remember=remember == "true")
    scheme, _, value = headers.get("authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return None
    value = tokens.decode_cookie_value(value)
    if "." in value:
        signed = tokens.unsign(value, cfg.secret)
        return Credentials(signed, from_cookie=False) if signed else None
    return Credentials(value, from_cookie=False)


def signed_cookie(cfg: AuthConfig, name: str, value: str, max_age: int) -> str:
    """A signed Better Auth cookie of a plugin (`two_factor`, `trust_device`)."""
    return _cookie(cfg, name, tokens.encode_cookie_value(tokens.sign(value, cfg.secret)), max_age)


def clearing_cookie(cfg: AuthConfig, name: str) -> str:
    return _cookie(cfg, name, "", 0)


def read_signed_cookie(headers: Mapping[str, str], cfg: AuthConfig, name: str) -> str | None:
    raw = parse_cookie_header(headers.get("cookie", "")).get(cfg.cookie_prefix + name)
    return tokens.unsign(tokens.decode_cookie_value(raw), cfg.secret) if raw else None
