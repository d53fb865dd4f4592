"""Tiles made on the event loop's own connections (geo.tile_pool): same bytes, one round trip."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo.errors import DatabaseUnavailable
from geo.tile_pool import TileConnections, build_tile
from geo.tiles import TILE_LAYERS, Tiles, render_tile
from tests.geo.test_tiles import LAT, LON, add_enterprises, add_grid, box_wkt, spread, tile_of

# enterprise points (z16) and clusters (z12, z14), grids at three zooms
ADDRESSES = [("enterprise", 16), ("enterprise", 14), ("enterprise", 12), ("enterprise", 9),
             ("grid", 16), ("grid", 13), ("grid", 10), ("visit", 12)]  # fmt: skip


def dsn(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def committed(engine: Engine) -> Iterator[None]:
    """Grids and enterprises committed (the tile connections see committed rows only)."""
    with Session(engine) as session:
        grid = add_grid(session, "320571001001901", box_wkt(120.70, 31.29, 120.75, 31.34))
        add_enterprises(session, [*spread(300), (LON, LAT)], grid_id=grid)
        session.commit()
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM enterprise WHERE uscc LIKE '91320500%'"))
            conn.execute(text("DELETE FROM grid WHERE code = '320571001001901'"))
            conn.execute(text("DELETE FROM community WHERE code = '320571001001'"))
            conn.execute(text("DELETE FROM park WHERE code = '320571'"))


def test_tile_from_the_event_loop_is_the_same_bytes_as_from_a_session(engine, committed):
    pool = TileConnections(dsn(engine), 2)
    tiles = Tiles(cache_bytes=0)

    async def made() -> list[bytes]:
        out = []
        for layer, z in ADDRESSES:
            _, x, y = tile_of(LON, LAT, z)
            out.append((await build_tile(tiles, pool, layer, z=z, x=x, y=y)).data)
        return out

    try:
        pooled = asyncio.run(made())
    finally:
        pool.close()
    with Session(engine) as session:
        expected = [render_tile(session, TILE_LAYERS[layer], z=z, x=tile_of(LON, LAT, z)[1],
                                y=tile_of(LON, LAT, z)[2]) for layer, z in ADDRESSES]  # fmt: skip
    assert pooled == expected
    assert all(pooled[:7]) and pooled[7] == b""  # visits start at z14


def test_server_tiles_come_from_the_pool_and_match_the_session(test_settings, live_admin, engine,
                                                               committed):  # fmt: skip
    from api.app import create_app

    app = create_app(test_settings)
    _, x, y = tile_of(LON, LAT, 16)
    try:
        with TestClient(app, headers=live_admin.headers) as client:
            first = client.get(f"/tiles/enterprise/16/{x}/{y}.mvt")
            again = client.get(f"/tiles/grid/16/{x}/{y}.mvt")
            pool = app.state.tile_connections[1]
            assert len(pool._idle) == 1  # made by the pool, which kept its connection
        assert first.status_code == 200 and again.status_code == 200
        assert pool._idle == []  # closed at shutdown
    finally:
        app.state.engine.dispose()
    with Session(engine) as session:
        assert first.content == render_tile(session, TILE_LAYERS["enterprise"], z=16, x=x, y=y)


def test_pool_prepares_once_runs_serially_and_replaces_a_killed_connection(engine):
    pool = TileConnections(dsn(engine), 1)

    async def scenario() -> None:
        (setting,) = await pool._run("SHOW max_parallel_workers_per_gather", None, None)
        assert setting == ("0",)
        _, x, y = tile_of(LON, LAT, 14)
        await build_tile(Tiles(cache_bytes=0), pool, "grid", z=14, x=x, y=y)
        ((pid,),) = await pool._run("SELECT pg_backend_pid()", None, None)
        prepared = await pool._run("SELECT name FROM pg_prepared_statements", None, None)
        assert prepared == [("gridmap_tile_grid",)]
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await asyncio.sleep(0.2)
        # the idle connection died: the tile is made on a new one, prepared again
        await build_tile(Tiles(cache_bytes=0), pool, "grid", z=14, x=x, y=y)
        ((other,),) = await pool._run("SELECT pg_backend_pid()", None, None)
        assert other != pid

    try:
        asyncio.run(scenario())
    finally:
        pool.close()


def test_unreachable_database_is_database_unavailable():
    pool = TileConnections("postgresql://nobody@127.0.0.1:1/none", 1)
    with pytest.raises(DatabaseUnavailable, match="cannot connect to PostgreSQL"):
        asyncio.run(pool.versions())
