"""`/api/docs`: Swagger UI from files installed with Raypx (the fastapi-swagger package), never
from a CDN, so the docs work offline and the page keeps the web UI's strict CSP."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from raypx.web.pages import CSP

router = APIRouter(include_in_schema=False)
SWAGGER = files("fastapi_swagger") / "resources"
STATIC = files("raypx.web") / "static"  # the page and its init script (no inline script)
# name -> (where it lives, media type); only these files, never a path from the request
ASSETS = {
    "swagger-ui-bundle.js": (SWAGGER, "text/javascript; charset=utf-8"),
    "swagger-ui.css": (SWAGGER, "text/css; charset=utf-8"),
    "favicon-32x32.png": (SWAGGER, "image/png"),
    "docs.js": (STATIC, "text/javascript; charset=utf-8"),
}


@router.get("/api/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    html = (STATIC / "docs.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


@router.get("/api/docs/assets/{name}")
async def asset(name: str) -> Response:
    found = ASSETS.get(name)
    if found is None:
        return Response(status_code=404)
    folder, media_type = found
    # The package's files change only with an upgrade: a day of caching is safe.
    return Response(
        (folder / name).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400"},
    )
