"""Better Auth's CSRF defence: Origin checks on cookie-carrying mutations and callback URLs."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from raypx.errors import Forbidden

log = logging.getLogger("raypx.auth")
# One warning per process: a misconfigured base URL refuses every sign-in, and a log line per
# request would drown the cause.
_warned_untrusted = False


def origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 bracket): not an origin at all
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def trusted_origins(base_url: str, extra: Iterable[str]) -> frozenset[str]:
    found = {origin_of(base_url), *(origin_of(url) for url in extra)}
    return frozenset(origin for origin in found if origin is not None)


def check_request(headers: Mapping[str, str], trusted: frozenset[str]) -> None:
    """Apply WIRE.md's rules to a non-GET request (headers keys lower-case)."""
    has_cookie = bool(headers.get("cookie"))
    has_fetch_metadata = any(
        name in headers for name in ("sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest")
    )
    cross_site_navigation = (
        headers.get("sec-fetch-site") == "cross-site"
        and headers.get("sec-fetch-mode") == "navigate"
    )
    if not has_cookie and cross_site_navigation:
        raise Forbidden(
            "Cross-site navigation login blocked. This request appears to be a CSRF attack.",
            code="CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
        )
    claimed = headers.get("origin") or headers.get("referer")
    if claimed is None or claimed == "null":
        if has_cookie or has_fetch_metadata:
            raise Forbidden("Missing or null Origin", code="MISSING_OR_NULL_ORIGIN")
        return  # curl-like client: no cookie to ride on, nothing to protect
    if origin_of(claimed) not in trusted:
        warn_untrusted_once(claimed, trusted)
        raise Forbidden("Invalid origin", code="INVALID_ORIGIN")


def warn_untrusted_once(claimed: str, trusted: frozenset[str]) -> None:
    global _warned_untrusted
    if _warned_untrusted:
        return
    _warned_untrusted = True
    log.warning(
        "refused a request from origin %r (trusted: %s); if browsers reach this server at that "
        "address, set RAYPX_BASE_URL to it or add it to RAYPX_TRUSTED_ORIGINS",
        (origin_of(claimed) or claimed)[:200],
        ", ".join(sorted(trusted)),
    )


def is_safe_redirect(url: str, trusted: frozenset[str]) -> bool:
    """Relative paths (not protocol-relative) or absolute URLs on a trusted origin."""
    if url.startswith("/"):
        return not url.startswith(("//", "/\\"))
    return origin_of(url) in trusted


def check_callback_url(url: str | None, trusted: frozenset[str]) -> None:
    if url and not is_safe_redirect(url, trusted):
        raise Forbidden("Invalid callbackURL", code="INVALID_CALLBACK_URL")


def check_redirect_url(url: str | None, trusted: frozenset[str]) -> None:
    if url and not is_safe_redirect(url, trusted):
        raise Forbidden("Invalid redirectURL", code="INVALID_REDIRECT_URL")
