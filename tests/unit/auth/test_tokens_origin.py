import base64
import hashlib
import hmac
import re

import pytest

from raypx.auth import origin, tokens
from raypx.errors import Forbidden

TRUSTED = origin.trusted_origins("http://127.0.0.1:3100", ["https://app.example.com/"])


def test_ids_and_tokens_are_32_alphanumerics() -> None:
    assert re.fullmatch(r"[A-Za-z0-9]{32}", tokens.generate_id())
    assert tokens.generate_id() != tokens.generate_id()


def test_sign_matches_better_auth_and_unsign_rejects_tampering() -> None:
    signed = tokens.sign("abc", "secret")
    mac = hmac.new(b"secret", b"abc", hashlib.sha256).digest()
    assert signed == "abc." + base64.b64encode(mac).decode()
    assert tokens.unsign(signed, "secret") == "abc"
    assert tokens.unsign(signed, "other") is None
    assert tokens.unsign("abc", "secret") is None
    assert tokens.unsign("abd" + signed[3:], "secret") is None
    encoded = tokens.encode_cookie_value(signed)
    assert tokens.decode_cookie_value(encoded) == signed


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"cookie": "a=b"}, "MISSING_OR_NULL_ORIGIN"),
        ({"cookie": "a=b", "origin": "http://evil.example"}, "INVALID_ORIGIN"),
        ({"sec-fetch-mode": "cors"}, "MISSING_OR_NULL_ORIGIN"),
        (
            {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"},
            "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
        ),
        ({"origin": "http://127.0.0.1:3100.evil.example"}, "INVALID_ORIGIN"),
    ],
)
def test_refused_requests(headers: dict[str, str], code: str) -> None:
    with pytest.raises(Forbidden) as refused:
        origin.check_request(headers, TRUSTED)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"cookie": "a=b", "origin": "http://127.0.0.1:3100"},
        {"cookie": "a=b", "referer": "http://127.0.0.1:3100/page"},
        {"cookie": "a=b", "origin": "https://app.example.com"},
        {"sec-fetch-mode": "cors", "origin": "http://127.0.0.1:3100"},
    ],
)
def test_allowed_requests(headers: dict[str, str]) -> None:
    origin.check_request(headers, TRUSTED)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("/home", True),
        ("http://127.0.0.1:3100/x", True),
        ("https://app.example.com/x?y=1", True),
        ("//evil.example/x", False),
        ("/\\evil.example", False),
        ("http://evil.example/", False),
        ("javascript:alert(1)", False),
    ],
)
def test_redirect_targets(url: str, safe: bool) -> None:
    assert origin.is_safe_redirect(url, TRUSTED) is safe
