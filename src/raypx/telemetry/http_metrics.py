"""Pure-ASGI middleware counting requests and timing them by route template.

The template (`/api/runs/{run_id}`), not the raw path, is the label. FastAPI leaves the matched
route and its path parameters in the scope; the route's own `path` lacks the prefixes of the
routers it was included in, so the template is rebuilt from the request path by putting each
parameter's name back where its value stands. Requests no route matched (404s from scanners)
share one label, so a scan cannot blow up the number of series.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from raypx.telemetry import instruments

UNMATCHED = "unmatched"
ROUTE_LABEL = "raypx.route"  # scope key an app may set when it answers without a route


def route_template(scope: Scope) -> str:
    labelled = scope.get(ROUTE_LABEL)  # answered before routing (the session check)
    if isinstance(labelled, str):
        return labelled
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    template: str = scope["path"]
    for name, value in scope.get("path_params", {}).items():
        text = str(value)
        at = template.rfind("/" + text)
        if not text or at < 0:  # the value was normalised (case, format): fall back, bounded
            fallback = getattr(route, "path", None)
            return fallback if isinstance(fallback, str) else UNMATCHED
        template = f"{template[: at + 1]}{{{name}}}{template[at + 1 + len(text) :]}"
    return template


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route, method = route_template(scope), scope["method"]
            instruments.HTTP_REQUESTS.labels(method, route, str(status)).inc()
            instruments.HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)
