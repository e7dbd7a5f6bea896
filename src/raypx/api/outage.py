"""The database unreachable, restarting or out of free connections: 503 with `Retry-After`.

Such a failure is the deployment's, not the request's, and passes: the client is told to come
back shortly instead of getting a 500 that reads like a bug. The body keeps the usual
`{"message", "code"}` shape and never carries the driver's message (it can name hosts and SQL).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from raypx.db.availability import DATABASE_OUTAGES

log = logging.getLogger("raypx.api")
RETRY_AFTER_SECONDS = 2


def unavailable_response() -> JSONResponse:
    return JSONResponse(
        {
            "message": "The database is temporarily unavailable. Please retry shortly.",
            "code": "DATABASE_UNAVAILABLE",
        },
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_outage_handlers(app: FastAPI) -> None:
    async def outage(request: Request, exc: Exception) -> JSONResponse:
        # The exception's type only: its text may carry connection details or parameters.
        log.warning("%s %s: database unavailable (%s)", request.method, request.url.path,
                    type(exc).__name__)  # fmt: skip
        return unavailable_response()

    for kind in DATABASE_OUTAGES:
        app.add_exception_handler(kind, outage)
