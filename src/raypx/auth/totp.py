"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps and
Better Auth's two-factor plugin compute them: HMAC-SHA1, 6 digits, 30-second steps."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

DIGITS = 6
PERIOD = 30
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation
DRIFT_STEPS = 1  # accept the previous and next step too: clocks and typing take time


def new_secret() -> str:
    """A fresh secret, base32 without padding (what the otpauth URI carries)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def hotp(secret: str, counter: int, digits: int = DIGITS) -> str:
    mac = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_at(secret: str, unix_time: float) -> str:
    return hotp(secret, int(unix_time // PERIOD))


def verify(secret: str, code: str, unix_time: float) -> bool:
    """Constant-time comparison against each accepted step (all are checked)."""
    step = int(unix_time // PERIOD)
    matched = False
    for drift in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        matched |= hmac.compare_digest(hotp(secret, step + drift), code.strip())
    return matched


def uri(secret: str, issuer: str, account: str) -> str:
    """`otpauth://totp/<issuer>:<account>?secret=…&issuer=…&digits=6&period=30`."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": PERIOD})
    return f"otpauth://totp/{label}?{query}"
