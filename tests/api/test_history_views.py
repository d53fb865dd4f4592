"""Boundaries of a past day (`?at=YYYY-MM-DD`) through the OGC API and the vector tiles."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.geo.catalog_fixtures import G1, G2, RETIRED, build_world
from tests.geo.test_tiles import decode, tile_of

RESHAPE = {
    "op": "reshape",
    "grid": G1,
    "reason": "企业扩建",
    "versions": {G1: 1},
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[120.6, 31.2], [120.68, 31.2], [120.68, 31.3], [120.6, 31.3],
                         [120.6, 31.2]]],
    },
}  # fmt: skip


def _reshaped(client, db):
    build_world(db)
    saved = client.post("/api/edits", json=RESHAPE)
    assert saved.status_code == 201, saved.text


def _grids(client, **params) -> dict[str, dict]:
    body = client.get("/ogc/collections/grid/items", params=params).json()
    return {f["properties"]["code"]: f for f in body["features"]}


def test_ogc_items_show_the_grids_of_a_past_day(client, db):
    _reshaped(client, db)
    # the day in Beijing, where `at` is read (in UTC's evening it is already tomorrow there)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    now, before = _grids(client, at=today), _grids(client, at="2021-06-01")
    assert now[G1]["properties"]["version"] == 2 and before[G1]["properties"]["version"] == 1
    assert max(x for x, _ in now[G1]["geometry"]["coordinates"][0][0]) == 120.68
    assert max(x for x, _ in before[G1]["geometry"]["coordinates"][0][0]) == 120.65
    assert before[G1]["properties"]["community_code"] == now[G1]["properties"]["community_code"]
    assert set(_grids(client)) == set(now)  # without ?at= the live grids, as before
    older = _grids(client, at="2020-06-01")
    assert RETIRED in older and RETIRED not in before  # the retired grid was live in 2020
    assert _grids(client, at="2019-01-01") == {}
    one = client.get(f"/ogc/collections/grid/items/{before[G1]['id']}", params={"at": "2021-06-01"})
    assert one.status_code == 200 and one.json()["properties"]["version"] == 1


def test_ogc_at_is_refused_where_there_is_no_history_or_no_date(client, db):
    build_world(db)
    # the OGC API answers a bad parameter with 400 (OGC API – Features, Part 1)
    other = client.get("/ogc/collections/enterprise/items", params={"at": "2021-06-01"})
    assert other.status_code == 400 and "只有网格和微网格有历史" in other.json()["message"]
    bad = client.get("/ogc/collections/grid/items", params={"at": "2021-13-01"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["message"]


def test_tiles_of_a_past_day(client, db):
    _reshaped(client, db)
    z, x, y = tile_of(120.66, 31.25, 12)  # where G1 took from G2
    now = client.get(f"/tiles/grid/{z}/{x}/{y}.mvt")
    past = client.get(f"/tiles/grid/{z}/{x}/{y}.mvt", params={"at": "2021-06-01"})
    assert past.status_code == 200 and "max-age" in past.headers["cache-control"]
    versions_now = {f["properties"]["code"]: f["properties"]["version"]
                    for f in decode(now.content, "grid")}  # fmt: skip
    versions_past = {f["properties"]["code"]: f["properties"]["version"]
                     for f in decode(past.content, "grid")}  # fmt: skip
    assert versions_now[G1] == 2 and versions_past[G1] == 1 and G2 in versions_past
    assert (
        client.get(f"/tiles/grid/{z}/{x}/{y}.mvt", params={"at": "2019-01-01"}).status_code == 204
    )
    wrong = client.get(f"/tiles/enterprise/{z}/{x}/{y}.mvt", params={"at": "2021-06-01"})
    assert wrong.status_code == 422
