"""`/tiles/{layer}/{z}/{x}/{y}.mvt` and `/tiles/{layer}.json` over HTTP."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import event, text

from api.routes.tiles import OVERVIEW_BELOW, RENDERS, _renders
from geo.tiles import TILE_LAYERS, Tiles
from tests.geo.test_tiles import LAT, LON, add_enterprises, decode, tile_of

MVT = "application/vnd.mapbox-vector-tile"


def url(layer: str, z: int, x: int, y: int) -> str:
    return f"/tiles/{layer}/{z}/{x}/{y}.mvt"


@pytest.fixture
def statements(engine):
    """SQL statements sent while the test runs."""
    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def test_tile_is_mvt_with_etag_and_revalidation(client, db):
    add_enterprises(db, [(LON, LAT)])
    response = client.get(url("enterprise", *tile_of(LON, LAT, 16)))
    assert response.status_code == 200
    assert response.headers["content-type"] == MVT
    assert response.headers["cache-control"] == "no-cache"
    (feature,) = decode(response.content, "enterprise")
    assert feature["properties"]["uscc"] == "913205000000000000"
    again = client.get(
        url("enterprise", *tile_of(LON, LAT, 16)),
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""


def test_empty_tile_is_204_no_content(client):
    response = client.get(url("grid", *tile_of(-60.0, -30.0, 12)))
    assert response.status_code == 204 and response.content == b""
    assert "etag" in response.headers


def test_unknown_layer_is_404_in_the_error_shape(client):
    response = client.get(url("users", 1, 0, 0))
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found" and "enterprise" in body["message"]
    assert client.get("/tiles/users.json").status_code == 404


@pytest.mark.parametrize(
    "path", ["/tiles/grid/23/0/0.mvt", "/tiles/grid/2/4/0.mvt", "/tiles/grid/2/0/-1.mvt",
             "/tiles/grid/x/0/0.mvt", "/tiles/grid/1/0/0.5.mvt", "/tiles/grid/1_0/0/0.mvt",
             "/tiles/grid/+1/0/0.mvt"],
)  # fmt: skip
def test_invalid_tile_address_is_422_in_the_error_shape(client, path):
    response = client.get(path)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"


def test_tilejson_describes_the_layer(client, db):
    add_enterprises(db, [(120.70, 31.30), (120.74, 31.32)])
    body = client.get("/tiles/enterprise.json").json()
    assert body["tilejson"] == "3.0.0"
    assert body["tiles"] == ["http://testserver/tiles/enterprise/{z}/{x}/{y}.mvt"]
    assert (body["minzoom"], body["maxzoom"]) == (0, 22)
    assert body["bounds"] == pytest.approx([120.70, 31.30, 120.74, 31.32])
    lon, lat, zoom = body["center"]
    assert (lon, lat) == pytest.approx((120.72, 31.31)) and 0 <= zoom <= 22
    (layer,) = body["vector_layers"]
    assert layer["id"] == "enterprise"
    assert layer["fields"]["uscc"].startswith("String") and "信用代码" in layer["fields"]["uscc"]
    assert layer["fields"]["count"].startswith("Number")
    assert "contact_phone" not in layer["fields"]


@pytest.mark.parametrize("layer", sorted(TILE_LAYERS))
def test_tilejson_of_an_empty_layer_spans_the_world(client, layer):
    body = client.get(f"/tiles/{layer}.json").json()
    assert body["bounds"] == [-180.0, -85.0511, 180.0, 85.0511]
    assert body["vector_layers"][0]["id"] == layer


def test_cached_tile_is_the_same_bytes_without_a_query(app, client, db, statements):
    app.state.tiles = Tiles(cache_bytes=1 << 20, versions_ttl=60)
    add_enterprises(db, [(LON, LAT), (LON + 0.001, LAT)])
    first = client.get(url("enterprise", *tile_of(LON, LAT, 12)))
    assert first.status_code == 200
    statements.clear()
    second = client.get(url("enterprise", *tile_of(LON, LAT, 12)))
    assert second.content == first.content
    assert statements == []


def test_committed_insert_shows_in_the_next_tile(app, client, engine):
    app.state.tiles = Tiles(cache_bytes=1 << 20, versions_ttl=0)
    address = tile_of(LON, LAT, 16)
    assert client.get(url("enterprise", *address)).status_code == 204
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO enterprise (uscc, name, geom) VALUES ('91320500MA00000001', "
                    "'苏州新开企业有限公司', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
                ),
                {"lon": LON, "lat": LAT},
            )
        response = client.get(url("enterprise", *address))
        assert response.status_code == 200
        (feature,) = decode(response.content, "enterprise")
        assert feature["properties"]["name"] == "苏州新开企业有限公司"
        low = decode(client.get(url("enterprise", *tile_of(LON, LAT, 9))).content, "enterprise")
        assert sum(f["properties"]["count"] for f in low) == 1
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM enterprise WHERE uscc = '91320500MA00000001'"))
    assert client.get(url("enterprise", *address)).status_code == 204


def test_revalidating_a_cached_tile_is_304_without_a_query(app, client, db, statements):
    app.state.tiles = Tiles(cache_bytes=1 << 20, versions_ttl=60)
    add_enterprises(db, [(LON, LAT)])
    first = client.get(url("enterprise", *tile_of(LON, LAT, 14)))
    statements.clear()
    again = client.get(
        url("enterprise", *tile_of(LON, LAT, 14)), headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert "content-type" not in again.headers and statements == []


def test_openapi_describes_the_tile_address_as_integers(client):
    operation = client.get("/openapi.json").json()["paths"]["/tiles/{layer}/{z}/{x}/{y}.mvt"]
    params = {p["name"]: p for p in operation["get"]["parameters"]}
    assert params["layer"]["schema"]["type"] == "string"
    assert all(params[n]["schema"]["type"] == "integer" for n in "zxy")
    assert all(p["in"] == "path" and p["required"] for p in params.values())


def test_every_worker_drops_its_cached_tile_after_a_committed_write(
    app, client, engine, test_settings, db, admin
):
    """Workers are processes with caches of their own: each follows layer_change alone."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.deps import get_session

    other = create_app(test_settings)
    other.dependency_overrides[get_session] = lambda: db
    address = url("enterprise", *tile_of(LON, LAT, 16))
    workers = [client, TestClient(other, headers=admin.headers)]
    for worker_app in (app, other):
        worker_app.state.tiles = Tiles(cache_bytes=1 << 20, versions_ttl=0.3)
    try:
        assert [w.get(address).status_code for w in workers] == [204, 204]  # now cached
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO enterprise (uscc, name, geom) VALUES ('91320500MA00000002', "
                    "'苏州两进程企业有限公司', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
                ),
                {"lon": LON, "lat": LAT},
            )
        time.sleep(0.35)
        for worker in workers:
            (feature,) = decode(worker.get(address).content, "enterprise")
            assert feature["properties"]["name"] == "苏州两进程企业有限公司"
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM enterprise WHERE uscc = '91320500MA00000002'"))
        other.state.engine.dispose()


def test_cached_tile_is_answered_while_every_render_slot_is_busy(app, db, admin):
    """Misses wait for one of RENDERS slots; hits never queue behind them."""
    app.state.tiles = Tiles(cache_bytes=1 << 20, versions_ttl=60)
    add_enterprises(db, [(LON, LAT)])
    hit, miss = url("enterprise", *tile_of(LON, LAT, 16)), url("grid", *tile_of(LON, LAT, 16))

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=admin.headers
        ) as http:
            assert (await http.get(hit)).status_code == 200  # built once, now cached
            gate = _renders(app)
            for _ in range(RENDERS):
                await gate.acquire()
            waiting = asyncio.create_task(http.get(miss))
            assert (await asyncio.wait_for(http.get(hit), 5)).status_code == 200
            await asyncio.sleep(0.2)
            assert not waiting.done()
            gate.release()
            assert (await asyncio.wait_for(waiting, 10)).status_code == 204
            for _ in range(RENDERS - 1):
                gate.release()

    asyncio.run(scenario())


def test_overview_tiles_hold_one_render_slot_and_detail_tiles_pass_them(app, db, admin):
    """Below OVERVIEW_BELOW a miss needs the one overview slot; a detail tile does not."""
    app.state.tiles = Tiles(cache_bytes=0, versions_ttl=60)
    overview = url("grid", *tile_of(LON, LAT, OVERVIEW_BELOW - 2))
    detail = url("grid", *tile_of(LON, LAT, OVERVIEW_BELOW))

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=admin.headers
        ) as http:
            assert (await http.get(overview)).status_code == 204  # makes the gates
            busy = _renders(app, "tile_overview_renders", 1)
            await busy.acquire()  # an overview tile is being built
            waiting = asyncio.create_task(http.get(overview))
            assert (await asyncio.wait_for(http.get(detail), 5)).status_code == 204
            await asyncio.sleep(0.2)
            assert not waiting.done()
            busy.release()
            assert (await asyncio.wait_for(waiting, 10)).status_code == 204

    asyncio.run(scenario())
