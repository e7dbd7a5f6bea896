"""Failures under /v1 in OpenAI's error shape and status codes, so OpenAI clients raise the
exception they would raise against OpenAI (AuthenticationError, NotFoundError, RateLimitError…).

`{"error": {"message", "type", "param", "code"}}`. Raypx's own code is kept in `code` when
OpenAI has no equivalent, so nothing is lost for clients that read it.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from raypx.errors import RaypxError

PREFIX = "/v1/"

# Raypx code -> (status, OpenAI type, OpenAI code)
BY_CODE: dict[str, tuple[int, str, str]] = {
    "UNKNOWN_MODEL": (404, "invalid_request_error", "model_not_found"),
    "UNKNOWN_PROVIDER": (404, "invalid_request_error", "model_not_found"),
    "MODEL_NOT_IN_PLAN": (404, "invalid_request_error", "model_not_found"),
    "INVALID_MODEL": (404, "invalid_request_error", "model_not_found"),
    "QUOTA_EXCEEDED": (429, "insufficient_quota", "insufficient_quota"),
    "INPUT_TOO_LONG": (400, "invalid_request_error", "context_length_exceeded"),
}
BY_STATUS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", None),
    405: ("invalid_request_error", None),
    409: ("invalid_request_error", None),
    413: ("invalid_request_error", "request_too_large"),
    422: ("invalid_request_error", None),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


def applies(path: str) -> bool:
    return path.startswith(PREFIX)


def body(message: str, kind: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def response(
    status: int, message: str, code: str | None = None, param: str | None = None
) -> JSONResponse:
    # OpenAI answers malformed requests with 400, not 422.
    status = 400 if status == 422 else status
    kind, default_code = BY_STATUS.get(status, ("api_error", None))
    if status >= 500:
        kind = "api_error"
    return JSONResponse(body(message, kind, code or default_code, param), status_code=status)


def from_raypx(exc: RaypxError) -> JSONResponse:
    if exc.code in BY_CODE:
        status, kind, code = BY_CODE[exc.code]
        return JSONResponse(body(exc.message, kind, code), status_code=status)
    if exc.status_code == 402:  # any other plan limit
        return JSONResponse(body(exc.message, "insufficient_quota", "insufficient_quota"), 429)
    return response(exc.status_code, exc.message, exc.code.lower())


def error_event(exc: RaypxError) -> dict[str, Any]:
    """The `data:` of an error inside a stream that already started (status is already 200)."""
    kind = "api_error" if exc.status_code >= 500 else "invalid_request_error"
    return body(exc.message, kind, exc.code.lower())
