"""The session check every client makes (`GET /api/auth/get-session`), answered before routing.

Through FastAPI the check paid for routing, a dependency graph and an ORM session it never
used: most of its CPU. Here the common case, a live session with nothing to write, costs the
rate-limit hit, one autocommit read on the direct pool and the JSON. Anything else (no
credentials, an unknown or expired token, a session due for its sliding refresh, a query
string, no direct pool) goes on to the route, which knows every case; the rate limit is then
not counted twice. There is no cache: a revoked session is refused by the next request, on
every process and host.
"""

from __future__ import annotations

import psycopg
from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from raypx.api.routes import auth_deps
from raypx.api.schemas import auth as schemas
from raypx.auth import cookies, rate_limit, sessions
from raypx.db.direct import PoolTimeout
from raypx.telemetry import http_metrics

PATH = auth_deps.BASE_PATH + "/get-session"
RULE = rate_limit.rule_for("/get-session")


class SessionCheckFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] != "GET"
            or scope["query_string"]
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        state = request.app.state
        pool = auth_deps.read_pool(request)
        cfg = auth_deps.auth_config(state)
        credentials = cookies.read_credentials(request.headers, cfg)
        if pool is None or credentials is None:
            await self.app(scope, receive, send)
            return
        hit = await auth_deps.limiter(state).hit(
            f"{auth_deps.client_ip(request)}|/get-session", RULE
        )
        scope[auth_deps.RATE_LIMIT_COUNTED] = hit  # the guard will not count again
        if not hit.allowed:
            await self.app(scope, receive, send)  # the route's guard answers 429 from `hit`
            return
        try:
            peeked = await sessions.peek_session(pool, credentials.token)
        except (psycopg.OperationalError, PoolTimeout):  # stale or busy: the route's ORM path
            await self.app(scope, receive, send)
            return
        now = auth_deps.clock(state)()
        refresh = not credentials.dont_remember
        if peeked is None or sessions.needs_write(peeked[0], cfg, now, refresh):
            await self.app(scope, receive, send)
            return
        session, user, two_factor_enabled = peeked
        scope[http_metrics.ROUTE_LABEL] = PATH  # no route matched, for request metrics
        user_body = schemas.user_json(user)
        if cfg.methods.two_factor:  # the plugin's field, as the route answers it
            user_body["twoFactorEnabled"] = two_factor_enabled
        body = {"session": schemas.session_json(session, credentials.token), "user": user_body}
        response = JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
        await response(scope, receive, send)
