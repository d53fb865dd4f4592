"""The OpenAPI description of every JSON, OGC and tile route (signed-in users only; its
Swagger UI page is web/docs.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
def openapi(request: Request) -> dict[str, Any]:
    """The OpenAPI document of every JSON, OGC and tile route."""
    document: dict[str, Any] = request.app.openapi()
    return document
