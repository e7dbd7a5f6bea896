"""Provider tokens encrypted at rest: AES-256-GCM under a key derived from the app secret.

The key is HKDF-SHA256(secret, info="raypx account tokens v1"), so rotating `RAYPX_SECRET`
makes stored provider tokens unreadable (users simply sign in with the provider again). A
stored value is `v1.` + base64url(12-byte nonce ‖ ciphertext ‖ tag); the account's
`provider_id:account_id` is the associated data, so a token copied into another row fails to
decrypt.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1."
NONCE_BYTES = 12


def derive_key(secret: str, purpose: bytes = b"raypx account tokens v1") -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


class TokenCipher:
    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(derive_key(secret))

    def encrypt(self, plaintext: str | None, context: str) -> str | None:
        if plaintext is None:
            return None
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, stored: str | None, context: str) -> str | None:
        """None when absent, not ours, or sealed under another secret or row."""
        if not stored or not stored.startswith(PREFIX):
            return None
        try:
            raw = base64.urlsafe_b64decode(stored[len(PREFIX) :])
            opened = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
        except (ValueError, InvalidTag):
            return None
        return opened.decode()
