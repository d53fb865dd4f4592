"""One map from gridmap's errors to HTTP statuses, and the handlers that apply it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo.errors import (
    Conflict,
    DatabaseUnavailable,
    Forbidden,
    GridmapError,
    InvalidInput,
    NotFound,
    NotSignedIn,
    PartitionBroken,
    TooLarge,
    TooManyAttempts,
)

log = logging.getLogger("gridmap")
SCOPE_SQLSTATE = "GM403"  # raised by trigger gridmap_fieldwork_scope (migration 0006)

STATUS: list[tuple[type[GridmapError], int]] = [
    (NotSignedIn, 401),
    (Forbidden, 403),
    (TooManyAttempts, 429),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (PartitionBroken, 422),
    (InvalidInput, 422),
    (DatabaseUnavailable, 503),
]


def status_of(exc: GridmapError) -> int:
    """The HTTP status for a gridmap error (500 for one not in the map)."""
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def error_body(code: str, message: str, detail: object = None) -> dict[str, object]:
    """The JSON shape of every error gridmap returns."""
    body: dict[str, object] = {"error": code, "message": message}
    if detail:
        body["detail"] = detail
    return body


# A 401 names the ways to sign in (RFC 9110 §11.6.1).
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="gridmap"'}
# Paths answered as data; a browser asking for anything else gets an HTML error page.
DATA_PREFIXES = ("/api/", "/ogc", "/tiles/", "/openapi.json", "/healthz", "/static/")


def wants_page(request: Request) -> bool:
    """Whether the error goes to a person in a browser (a page path asked for as HTML)."""
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith(DATA_PREFIXES) and "text/html" in accept


ErrorPage = Callable[[Request, int, str, Mapping[str, str] | None], Response]


def answer(
    request: Request,
    status: int,
    code: str,
    message: str,
    detail: object = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error as JSON (`error_body`), or, for browsers, as the page the app factory
    installed (`app.state.error_page`, from web/: pages sit on the API, not the reverse)."""
    page: ErrorPage | None = getattr(request.app.state, "error_page", None)
    if page is not None and wants_page(request):
        return page(request, status, message, headers)
    return JSONResponse(error_body(code, message, detail), status_code=status, headers=headers)


async def _gridmap_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GridmapError)
    status = status_of(exc)
    if status >= 500:
        log.error("gridmap error: %s", exc.message)
    headers = CHALLENGE if status == 401 else None
    return answer(request, status, exc.code, exc.message, exc.detail, headers)


async def _database_refused(request: Request, exc: Exception) -> Response:
    """A write the database itself refused for the caller's scope (trigger, SQLSTATE GM403)."""
    assert isinstance(exc, DBAPIError)
    if getattr(exc.orig, "pgcode", None) == SCOPE_SQLSTATE:
        diag = getattr(exc.orig, "diag", None)
        message = getattr(diag, "message_primary", None) or "outside the grids of this account"
        return answer(request, 403, "forbidden", message)
    return await _unexpected(request, exc)


HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_input",
    429: "too_many_attempts",
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "error")
    return answer(request, exc.status_code, code, str(exc.detail), headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    """Malformed parameters or bodies: 422 naming each parameter and what is wrong with it."""
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"parameter": ".".join(str(p) for p in err["loc"][1:]) or str(err["loc"][0]),
         "problem": err["msg"]}
        for err in exc.errors()
    ]  # fmt: skip
    message = "; ".join(f"{p['parameter']}: {p['problem']}" for p in problems)
    return answer(request, 422, "invalid_input", message, {"problems": problems})


async def _database_down(request: Request, exc: Exception) -> Response:
    log.error("database unavailable: %s", exc)
    return answer(request, 503, "database_unavailable", "the database cannot be reached right now")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error", exc_info=exc)
    return answer(
        request, 500, "internal_error", "an unexpected error occurred; it has been logged"
    )


def install_handlers(app: FastAPI) -> None:
    """Register the handlers on `app`."""
    app.add_exception_handler(GridmapError, _gridmap_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OperationalError, _database_down)
    app.add_exception_handler(DBAPIError, _database_refused)
    app.add_exception_handler(Exception, _unexpected)
