"""Random ids and tokens, their digests, and Better Auth's HMAC cookie signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from urllib.parse import quote, unquote

ALPHANUMERIC = string.ascii_letters + string.digits
SESSION_TOKEN_LENGTH = 32
MAIL_TOKEN_LENGTH = 24


def generate_id(length: int = 32) -> str:
    """Better Auth's `generateId()`: `length` characters from [A-Za-z0-9]."""
    return "".join(secrets.choice(ALPHANUMERIC) for _ in range(length))


def generate_token(length: int = SESSION_TOKEN_LENGTH) -> str:
    return generate_id(length)


def digest(token: str) -> str:
    """What the database keeps instead of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def signature(value: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), value.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def sign(value: str, secret: str) -> str:
    """`value.<std base64 HMAC-SHA256>`, as Better Auth signs its cookies."""
    return f"{value}.{signature(value, secret)}"


def unsign(signed: str, secret: str) -> str | None:
    """The value when the signature verifies, else None."""
    value, dot, sig = signed.rpartition(".")
    if not dot or not value:
        return None
    if not hmac.compare_digest(signature(value, secret), sig):
        return None
    return value


def encode_cookie_value(value: str) -> str:
    # encodeURIComponent's unreserved set: the signature's "/", "+" and "=" are escaped.
    return quote(value, safe="-_.!~*'()")


def decode_cookie_value(value: str) -> str:
    return unquote(value)
