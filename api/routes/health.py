"""`/healthz`: is the server up, can it reach the database, which PostGIS."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from geo.db import ping
from geo.errors import DatabaseUnavailable

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """Health report; `database` is `reachable` or `unreachable`."""

    status: str
    database: str
    postgresql: str | None = None
    postgis: str | None = None
    pgrouting: str | None = None
    problem: str | None = None


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(request: Request) -> JSONResponse:
    """Server and database health; 503 when the database cannot be reached."""
    engine = request.app.state.engine
    try:
        if engine is None:
            raise DatabaseUnavailable(request.app.state.database_problem)
        versions = ping(engine)
    except DatabaseUnavailable as exc:
        body = Health(status="degraded", database="unreachable", problem=exc.message)
        return JSONResponse(body.model_dump(), status_code=503)
    body = Health(
        status="ok",
        database="reachable",
        postgresql=versions.postgresql,
        postgis=versions.postgis,
        pgrouting=versions.pgrouting,
    )
    return JSONResponse(body.model_dump())
