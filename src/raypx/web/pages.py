"""Serves the web app (the Vite build committed in `dist/`). As thin as the API: files only.

Every app route (`/en-US/documents/…`) gets `index.html` and the client router takes over
(history fallback); API paths never do, so a typo in an API URL is a JSON 404, not a page.
Unknown app paths get the page too: the client router shows its own "not found".
Hashed assets are cached forever; `index.html` never, so a deploy is picked up at once.
Scripts and styles go out gzipped to clients that accept it (about a third of their size).

The page gets a strict Content-Security-Policy: scripts only from this origin, nothing inline,
no third-party origins. Styles allow inline because Radix positions popovers and locks scroll
with style elements; a style cannot run code.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib.resources import files

from fastapi import APIRouter, FastAPI, Request
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
COMPRESSIBLE = {"js", "css", "svg"}
ROOT_FILES = {"favicon.svg"}
# Paths that belong to the server: never answered with the app.
API_PREFIXES = ("api", "v1", "healthz", "readyz", "metrics", "assets", "static")
NOT_FOUND = {"message": "Not Found", "code": "NOT_FOUND"}


@lru_cache(maxsize=256)
def _read(path: str, compressed: bool) -> bytes:
    """The shipped files never change while the process runs: read (and gzip) each once."""
    body = (DIST / path).read_bytes()
    return gzip.compress(body, compresslevel=9, mtime=0) if compressed else body


def _file(path: str, request: Request, *, immutable: bool) -> Response:
    extension = path.rsplit(".", 1)[-1]
    headers = {
        "Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache",
        "Vary": "Accept-Encoding",
    }
    compressed = extension in COMPRESSIBLE and "gzip" in request.headers.get("accept-encoding", "")
    if compressed:
        headers["Content-Encoding"] = "gzip"
    return Response(_read(path, compressed), media_type=MEDIA_TYPES[extension], headers=headers)


@router.get("/assets/{name}")
async def asset(name: str, request: Request) -> Response:
    if not ASSET_NAME.match(name) or ".." in name or not (DIST / "assets" / name).is_file():
        return JSONResponse(NOT_FOUND, status_code=404)
    return _file(f"assets/{name}", request, immutable=True)


def index() -> HTMLResponse:
    html = (DIST / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


def install(app: FastAPI) -> None:
    """Assets by route; the app's pages as the answer to whatever no route matched.

    A handler for 404 rather than a catch-all route, so routes added later still win.
    """
    app.include_router(router)

    async def fallback(request: Request, exc: Exception) -> Response:
        path = request.url.path.lstrip("/")
        if request.method in ("GET", "HEAD") and path.split("/", 1)[0] not in API_PREFIXES:
            return _file(path, request, immutable=False) if path in ROOT_FILES else index()
        detail = getattr(exc, "detail", None)
        message = detail if isinstance(detail, str) and detail else NOT_FOUND["message"]
        headers = getattr(exc, "headers", None)
        return JSONResponse({**NOT_FOUND, "message": message}, status_code=404, headers=headers)

    app.add_exception_handler(404, fallback)
