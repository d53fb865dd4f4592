"""Errors shown to people: a page in their language with what went wrong and where to go."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import Response

from web.i18n import request_translator
from web.render import content_page

# the catalogue message for statuses whose technical message means little to a user
FRIENDLY = {
    403: "error.forbidden",
    404: "error.not_found",
    500: "error.internal",
    503: "error.database_unavailable",
}


def error_page(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The HTML error page for `status`, naming the problem (text escaped)."""
    t = request_translator(request)
    key = FRIENDLY.get(status)
    response = content_page(
        "error.html",
        t,
        title=t("error.title"),
        active="",
        status_code=status,
        status=status,
        summary=t(key) if key else t("error.invalid"),
        message=message,
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
