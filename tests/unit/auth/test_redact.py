import logging

from raypx.auth import redact


def test_access_log_lines_lose_tokens() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/api/auth/verify-email?token=abcDEF123&callbackURL=%2Fx", "1.1", 200),
        None,
    )
    assert redact.RedactTokens().filter(record)
    assert "abcDEF123" not in record.getMessage()
    assert "/api/auth/verify-email?token=[redacted]&callbackURL=%2Fx" in record.getMessage()
    assert redact.redact("/api/auth/reset-password/Tok123?callbackURL=%2Freset") == (
        "/api/auth/reset-password/[redacted]?callbackURL=%2Freset"
    )


def test_install_is_idempotent() -> None:
    redact.install("raypx.test.redact")
    redact.install("raypx.test.redact")
    filters = logging.getLogger("raypx.test.redact").filters
    assert sum(isinstance(f, redact.RedactTokens) for f in filters) == 1
