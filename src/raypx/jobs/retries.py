"""What a failed attempt becomes: when to try again, and what to tell the operator."""

from __future__ import annotations

import random
import re

from raypx import log_text

MAX_RETRY_DELAY_SECONDS = 3600.0
MAX_ERROR_LENGTH = 2000

# Secrets that commonly end up in exception text: passwords in URLs and libpq conninfo, and
# bearer tokens / API keys echoed back by HTTP clients.
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+@", re.IGNORECASE)
_KEY_VALUE_SECRET = re.compile(
    r"\b(password|passwd|secret|token|api[_-]?key)(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


def retry_delay(attempt: int, backoff_seconds: float) -> float:
    """Exponential backoff (base doubling per attempt), capped, with ±20% jitter.

    The jitter spreads out jobs that failed together (a provider outage) so they do not all come
    back in the same instant.
    """
    base = min(MAX_RETRY_DELAY_SECONDS, backoff_seconds * 2.0 ** max(0, attempt - 1))
    return base * random.uniform(0.8, 1.2)


def redact(text: str) -> str:
    text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _KEY_VALUE_SECRET.sub(r"\1\2***", text)
    return _BEARER.sub(r"\1***", text)


def describe_error(exc: BaseException) -> str:
    """`ExceptionType: message`, secrets redacted, bounded in length."""
    message = redact(log_text.describe_exception(exc).strip())  # no values DB errors quote
    described = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    if len(described) > MAX_ERROR_LENGTH:
        described = described[: MAX_ERROR_LENGTH - 1] + "…"
    return described
