"""Serves the web app (the Vite build committed in `dist/`). As thin as the API: files only.

Every app route (`/en-US/documents/…`) gets `index.html` and the client router takes over
(history fallback); API paths never do, so a typo in an API URL is a JSON 404, not a page.
Hashed assets are cached forever; `index.html` never, so a deploy is picked up at once.

The page gets a strict Content-Security-Policy: scripts only from this origin, nothing inline,
no third-party origins. Styles allow inline because Radix positions popovers and locks scroll
with style elements; a style cannot run code.
"""

from __future__ import annotations

import re
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response

router = APIRouter(include_in_schema=False)
DIST = files("raypx.web") / "dist"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)
# Vite's output names: `name-HASH.ext`; nothing with a slash or a dot-dot can match.
ASSET_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.(js|css|svg|png|woff2)$")
MEDIA_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "woff2": "font/woff2",
}
ROOT_FILES = {"favicon.svg"}
# Paths that belong to the server: never answered with the app.
API_PREFIXES = ("api", "v1", "healthz", "readyz", "metrics", "assets", "static")
NOT_FOUND = {"message": "Not Found", "code": "NOT_FOUND"}


def _file(name: str, *, immutable: bool) -> Response:
    extension = name.rsplit(".", 1)[-1]
    body = (DIST / ("assets/" + name if immutable else name)).read_bytes()
    cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
    return Response(body, media_type=MEDIA_TYPES[extension], headers={"Cache-Control": cache})


@router.get("/assets/{name}")
async def asset(name: str) -> Response:
    if not ASSET_NAME.match(name) or ".." in name or not (DIST / "assets" / name).is_file():
        return JSONResponse(NOT_FOUND, status_code=404)
    return _file(name, immutable=True)


def index() -> HTMLResponse:
    html = (DIST / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


@router.get("/{path:path}", response_model=None)
async def app_route(path: str) -> Response:
    """Registered last: whatever no API route answered."""
    first = path.split("/", 1)[0]
    if first in API_PREFIXES:
        return JSONResponse(NOT_FOUND, status_code=404)
    if path in ROOT_FILES:
        return _file(path, immutable=False)
    return index()
