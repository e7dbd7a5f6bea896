"""Pure-ASGI middleware: security headers and request ids on every response, errors included;
request bodies capped while they stream."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("raypx.api")
INTERNAL_ERROR = json.dumps(
    {"message": "Internal server error", "code": "INTERNAL_SERVER_ERROR"}
).encode()
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# A client-supplied id is reused only when it is short and plain, so logs cannot be forged.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains; preload")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record, so one request's lines can be found together."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if https else list(SECURITY_HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if SAFE_REQUEST_ID.match(incoming) else secrets.token_hex(8)
        token = request_id_var.set(request_id)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers += [*self.headers, (b"x-request-id", request_id.encode())]
                message["headers"] = headers
            await send(message)

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            # The traceback goes to the log under this request id, never to the client.
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": INTERNAL_ERROR})
        finally:
            request_id_var.reset(token)


class BodyTooLarge(HTTPException):
    """Raised from `receive`: FastAPI re-raises HTTPExceptions from body parsing unchanged, so
    the one error handler answers 413 with the usual body."""

    def __init__(self, limit: int) -> None:
        message = f"the request body is larger than {limit} bytes"
        # Closing the connection spares the client sending (and us discarding) the rest.
        super().__init__(413, message, headers={"Connection": "close"})


class BodyLimitMiddleware:
    """Caps every request body at `max_bytes` while it streams, before anything parses it.

    A declared Content-Length over the cap is refused without reading a byte; a chunked body
    is counted as it arrives and refused as soon as it passes the cap. `exempt` paths (the
    upload) enforce their own, larger limit as they stream.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, exempt: frozenset[str]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            # Read outside a route (a middleware, a streaming handler): answer here if we can.
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        error = {"message": BodyTooLarge(self.max_bytes).detail, "code": "PAYLOAD_TOO_LARGE"}
        body = json.dumps(error, separators=(",", ":")).encode()  # as JSONResponse writes it
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
