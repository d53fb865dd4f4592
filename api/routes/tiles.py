"""Vector tiles: `/tiles/{layer}/{z}/{x}/{y}.mvt` (Mapbox Vector Tile) and `/tiles/{layer}.json`.

Empty tiles answer 204 No Content: Leaflet.VectorGrid and MapLibre draw nothing for them
without a console error (a 404 would log a failed request for every empty tile).

A cached tile is answered in the event loop, with no thread hop and no database session;
only a miss (or versions older than a second) borrows a session, in one worker thread.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import SessionDep, get_session
from geo.errors import DatabaseUnavailable
from geo.tiles import TILE_MEDIA_TYPE, Tile, Tiles

router = APIRouter(tags=["tiles"])
_made = threading.Lock()

# Browsers keep tiles but ask again before reuse; the ETag (the layer's table versions) turns
# that into a 304 without a tile being built. Data change with every edit, so no max-age.
CACHE_CONTROL = "no-cache"
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "没有该图层 / no such tile layer"},
    422: {"description": "瓦片坐标无效 / z, x or y out of range"},
}


def app_tiles(app: FastAPI) -> Tiles:
    """The app's tiles and their cache, made on first use from its settings."""
    tiles: Tiles | None = getattr(app.state, "tiles", None)
    if tiles is None:
        with _made:
            tiles = getattr(app.state, "tiles", None)
            if tiles is None:
                megabytes = app.state.settings.tile_cache_mb
                tiles = Tiles(cache_bytes=megabytes * 1024 * 1024)
                app.state.tiles = tiles
    return tiles


@router.get(
    "/tiles/{layer}/{z}/{x}/{y}.mvt",
    response_class=Response,
    responses={
        200: {"content": {TILE_MEDIA_TYPE: {}}, "description": "矢量瓦片 / the tile"},
        204: {"description": "瓦片内无要素 / no feature in this tile"},
        304: {"description": "未变化 / unchanged since the ETag sent"},
        **ERRORS,
    },
)
async def get_tile(layer: str, z: int, x: int, y: int, request: Request) -> Response:
    """矢量瓦片 / one Web Mercator vector tile of `layer` (enterprises cluster below z16).

    Answers 304 to an `If-None-Match` carrying the current ETag.
    """
    # no dependencies beyond the path: a cache hit costs only routing and a dictionary lookup
    tiles = app_tiles(request.app)
    tile = tiles.cached(layer, z=z, x=x, y=y)
    if tile is None:
        tile = await run_in_threadpool(_build, request.app, tiles, layer, z, x, y)
    headers = {"ETag": tile.etag, "Cache-Control": CACHE_CONTROL}
    if tile.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if not tile.data:
        return Response(status_code=204, headers=headers)
    return Response(tile.data, media_type=TILE_MEDIA_TYPE, headers=headers)


def _build(app: FastAPI, tiles: Tiles, layer: str, z: int, x: int, y: int) -> Tile:
    with _borrow_session(app) as session:
        return tiles.tile(session, layer, z=z, x=x, y=y)


def _borrow_session(app: FastAPI) -> AbstractContextManager[Session]:
    """A session as `SessionDep` would give it, honouring an override of get_session (tests)."""
    override = app.dependency_overrides.get(get_session)
    if override is not None:
        return nullcontext(override())
    if app.state.sessionmaker is None:
        raise DatabaseUnavailable(app.state.database_problem)
    session: Session = app.state.sessionmaker()
    return session


@router.get("/tiles/{layer}.json", responses=ERRORS)
def get_tilejson(layer: str, request: Request, session: SessionDep) -> dict[str, Any]:
    """TileJSON 3.0.0 / the layer's tile URL, zooms, bounds and fields (字段说明)."""
    base = str(request.base_url).rstrip("/")
    url = f"{base}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt"
    return app_tiles(request.app).tilejson(session, layer, tiles_url=url)
