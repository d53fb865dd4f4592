"""The API's Swagger UI page, served from gridmap's own files (no CDN), for signed-in users."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from web.assets import APP_STATIC_PREFIX, VENDOR_PREFIX

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    """Swagger UI over /openapi.json."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="gridmap API",
        swagger_js_url=f"{VENDOR_PREFIX}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR_PREFIX}/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{APP_STATIC_PREFIX}/favicon.svg",
    )
