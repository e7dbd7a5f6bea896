"""Our own logging setup (`raypx.logs.configure_logging`) writing to a buffer, for tests that
read the log an operator would see; the previous setup is put back afterwards."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from raypx.logs import configure_logging


@contextmanager
def capturing_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).handlers[:] for n in names})
    buffer = io.StringIO()
    configure_logging("info", stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:], level, handlers = saved
        root.setLevel(level)
        for name, kept in handlers.items():
            logging.getLogger(name).handlers[:] = kept
