"""One place maps failures to `{"message", "code"}` bodies (Better Auth's error shape)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from raypx.api.schemas import auth as auth_schemas
from raypx.errors import RaypxError
from raypx.gateway import errors as openai_errors

log = logging.getLogger("raypx.api")
AUTH_PATH = "/api/auth/"

HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "TOO_MANY_REQUESTS",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RaypxError)
    async def raypx_error(request: Request, exc: RaypxError) -> JSONResponse:
        if exc.status_code >= 500:
            log.error("%s %s failed: %s", request.method, request.url.path, exc.message)
        if openai_errors.applies(request.url.path):
            return openai_errors.from_raypx(exc)
        return JSONResponse(exc.to_body(), status_code=exc.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "ERROR")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ").lower()
        if openai_errors.applies(request.url.path):
            return openai_errors.response(exc.status_code, message)
        return JSONResponse(
            {"message": message, "code": code},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if request.url.path.startswith(AUTH_PATH):
            # Better Auth's wire: 400 VALIDATION_ERROR, "[query.token] …" joined with "; ".
            messages = [
                auth_schemas.zod_message(e | {"loc": e["loc"][1:]}, e["loc"][0]) for e in errors
            ]
            return JSONResponse(
                {"message": "; ".join(messages), "code": "VALIDATION_ERROR"}, status_code=400
            )
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"] if p != "body") or "request"
        if openai_errors.applies(request.url.path):
            return openai_errors.response(400, f"{where}: {first['msg']}", param=where)
        return JSONResponse(
            {
                "message": f"{where}: {first['msg']}",
                "code": "VALIDATION_ERROR",
                "errors": [
                    {"loc": [str(p) for p in e["loc"]], "message": e["msg"]} for e in errors
                ],
            },
            status_code=422,
        )
