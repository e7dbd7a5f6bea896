"""Keep tokens out of access logs: mailed ones travel in URLs (`?token=`, `/reset-password/…`),
and so do OAuth callbacks' authorization codes and states (`?code=`, `&state=`)."""

from __future__ import annotations

import logging
import re

TOKEN_IN_URL = re.compile(r"((?:[?&](?:token|code|state)=)|(?:/reset-password/))[^&\s/?#\"]+")


def redact(text: str) -> str:
    return TOKEN_IN_URL.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install(logger_name: str = "uvicorn.access") -> None:
    """Idempotent: one filter per logger however many apps are created."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())
