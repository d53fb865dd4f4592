"""Vector tiles: `/tiles/{layer}/{z}/{x}/{y}.mvt` (Mapbox Vector Tile) and `/tiles/{layer}.json`.

Empty tiles answer 204 No Content: Leaflet.VectorGrid and MapLibre draw nothing for them
without a console error (a 404 would log a failed request for every empty tile).

A cached tile is answered in the event loop, with no thread hop and no database session. A
miss (or versions older than a second) is one query awaited in the event loop on the tile
connections of `geo.tile_pool`, and at most `RENDERS` misses per process build at once (the
rest wait their turn in the loop).
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import SessionDep, get_session
from geo.audit import acting_as
from geo.errors import DatabaseUnavailable, InvalidInput
from geo.history_views import parse_day, render_tile_at
from geo.tile_pool import TileConnections, build_tile
from geo.tiles import TILE_MEDIA_TYPE, Tile, Tiles, check_tile, tile_layer

router = APIRouter(tags=["tiles"])
_made = threading.Lock()

# Browsers keep tiles but ask again before reuse; the ETag (the layer's table versions) turns
# that into a 304 without a tile being built. Data change with every edit, so no max-age.
CACHE_CONTROL = "no-cache"
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "没有该图层 / no such tile layer"},
    422: {"description": "瓦片坐标无效 / z, x or y out of range"},
}
# z, x and y are parsed in the route, not by FastAPI's parameter validation (a third of a
# cached tile's time): OpenAPI still describes them here.
PARAMETERS = [
    {"name": "layer", "in": "path", "required": True, "schema": {"type": "string"},
     "description": "图层 / tile layer, e.g. enterprise, grid"},
    *({"name": n, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
       "description": d} for n, d in (("z", "缩放级别 / zoom 0–22"), ("x", "列 / column"),
                                      ("y", "行 / row, from the north"))),
]  # fmt: skip
# Tiles built at once per process: one per core keeps PostgreSQL and the GIL busy without
# eight queries sharing two cores, which made every tile as slow as the slowest (p95).
RENDERS = os.cpu_count() or 2
# Overview tiles (below this zoom) cover many features: a z10 grid tile takes 30–90 ms, the
# tiles of a street view 1–8 ms. They hold at most one of the RENDERS slots at once, so a
# burst of them never leaves the detail tiles of a map being panned waiting behind them.
OVERVIEW_BELOW = 12
_INTEGER = re.compile(r"-?[0-9]{1,9}")  # out-of-range values are refused by check_tile
_MVT = (b"content-type", TILE_MEDIA_TYPE.encode())
_NO_CACHE = (b"cache-control", CACHE_CONTROL.encode())


def app_tiles(app: FastAPI) -> Tiles:
    """The app's tiles and their cache, made on first use from its settings."""
    tiles: Tiles | None = getattr(app.state, "tiles", None)
    if tiles is None:
        with _made:
            tiles = getattr(app.state, "tiles", None)
            if tiles is None:
                settings = app.state.settings
                tiles = Tiles(cache_bytes=settings.tile_cache_mb * 1024 * 1024)
                app.state.tiles = tiles
    return tiles


class TileResponse(Response):
    """A tile, 204 or 304 with its ETag; headers encoded once per ETag, not per request."""

    media_type = TILE_MEDIA_TYPE
    _etag_headers: dict[str, tuple[bytes, bytes]] = {}  # noqa: RUF012 (bounded: one per ETag)

    def __init__(self, tile: Tile, status_code: int) -> None:
        self.status_code = status_code
        self.background = None
        self.body = tile.data if status_code == 200 else b""
        etag = self._etag_headers.get(tile.etag)
        if etag is None:
            if len(self._etag_headers) > 4096:
                self._etag_headers.clear()
            etag = self._etag_headers[tile.etag] = (b"etag", tile.etag.encode("latin-1"))
        self.raw_headers = [etag, _NO_CACHE]
        if status_code == 200:
            self.raw_headers += [(b"content-length", str(len(self.body)).encode()), _MVT]


@router.get(
    "/tiles/{layer}/{z}/{x}/{y}.mvt",
    response_class=Response,
    responses={
        200: {"content": {TILE_MEDIA_TYPE: {}}, "description": "矢量瓦片 / the tile"},
        204: {"description": "瓦片内无要素 / no feature in this tile"},
        304: {"description": "未变化 / unchanged since the ETag sent"},
        **ERRORS,
    },
    openapi_extra={"parameters": PARAMETERS},
)
async def get_tile(request: Request) -> Response:
    """矢量瓦片 / one Web Mercator vector tile of `layer` (enterprises cluster below z16).

    Answers 304 to an `If-None-Match` carrying the current ETag.
    """
    layer, z, x, y = _address(request.path_params)
    if "at" in request.query_params:
        return await _past_tile(request, layer, z, x, y)
    tiles = app_tiles(request.app)
    tile = tiles.cached(layer, z=z, x=x, y=y)
    if tile is None:
        pool = _connections(request.app)
        async with _slot(request.app, z):
            if pool is None:  # tests sharing their session: in a worker thread, as before
                tile = await run_in_threadpool(_build, request.app, tiles, layer, z, x, y)
            else:
                tile = await build_tile(tiles, pool, layer, z=z, x=x, y=y)
    if tile.etag in request.headers.get("if-none-match", ""):
        return TileResponse(tile, 304)
    return TileResponse(tile, 200 if tile.data else 204)


async def _past_tile(request: Request, layer: str, z: int, x: int, y: int) -> Response:
    """A grid or micro-grid tile as the boundaries were when day `?at=` ended (not cached:
    past days are looked at rarely; the browser may keep them, they no longer change)."""
    moment = parse_day(request.query_params["at"], request.app.state.settings.timezone)
    spec = tile_layer(layer)
    check_tile(z, x, y)

    def build() -> bytes:
        with acting_as(None), _borrow_session(request.app) as session:
            return render_tile_at(session, spec, z=z, x=x, y=y, moment=moment)

    async with _renders(request.app):
        data = await run_in_threadpool(build)
    past = moment < datetime.now(UTC)
    headers = {"Cache-Control": "private, max-age=3600" if past else CACHE_CONTROL}
    if not data:
        return Response(status_code=204, headers=headers)
    return Response(data, media_type=TILE_MEDIA_TYPE, headers=headers)


def _address(params: dict[str, Any]) -> tuple[str, int, int, int]:
    """Layer, z, x and y from the path; InvalidInput (422) when one is not an integer."""
    z, x, y = params["z"], params["x"], params["y"]
    if not (_INTEGER.fullmatch(z) and _INTEGER.fullmatch(x) and _INTEGER.fullmatch(y)):
        raise InvalidInput(f"tile z, x and y must be whole numbers, not {z}/{x}/{y}")
    return params["layer"], int(z), int(x), int(y)


def _renders(app: FastAPI, name: str = "tile_renders", slots: int = RENDERS
             ) -> asyncio.Semaphore:  # fmt: skip
    """The gate of tiles built at once by this process, one per event loop serving it."""
    loop = asyncio.get_running_loop()
    gate: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = getattr(
        app.state, name, None
    )
    if gate is None or gate[0] is not loop:
        gate = (loop, asyncio.Semaphore(slots))
        setattr(app.state, name, gate)
    return gate[1]


@asynccontextmanager
async def _slot(app: FastAPI, z: int) -> AsyncIterator[None]:
    """One of the RENDERS slots; below OVERVIEW_BELOW, only the one overview slot's turn."""
    if z >= OVERVIEW_BELOW:
        async with _renders(app):
            yield
        return
    async with _renders(app, "tile_overview_renders", 1), _renders(app):
        yield


def _connections(app: FastAPI) -> TileConnections | None:
    """The tile connections of the event loop serving `app`; None when a test overrides
    get_session (its tiles must see the test's uncommitted rows) or there is no database."""
    if app.state.dsn is None or get_session in app.dependency_overrides:
        return None
    loop = asyncio.get_running_loop()
    known: tuple[asyncio.AbstractEventLoop, TileConnections] | None = getattr(
        app.state, "tile_connections", None
    )
    if known is None or known[0] is not loop:
        if known is not None:
            known[1].close()
        known = app.state.tile_connections = (loop, TileConnections(app.state.dsn, RENDERS))
    return known[1]


def close_connections(app: FastAPI) -> None:
    """Close the app's tile connections (at shutdown)."""
    known = getattr(app.state, "tile_connections", None)
    if known is not None:
        known[1].close()


def _build(app: FastAPI, tiles: Tiles, layer: str, z: int, x: int, y: int) -> Tile:
    # a read: no audit actor to bind (that would cost a round trip per tile)
    with acting_as(None), _borrow_session(app) as session:
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
